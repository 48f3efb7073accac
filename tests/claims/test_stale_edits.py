"""Two editors on the same claim or evidence (issue 11, points 2 and 3): a save from a page
loaded before someone else's save is refused once, with what changed, who changed it and when;
the editor's typing is kept, and the next save goes through on top without undoing the other
editor's change in fields the editor left alone. The API refuses a stale `version` with 409."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim, Evidence
from tests.api.conftest import token_client
from tests.claims.test_admin import form_data
from tests.factories import ClaimFactory, EditorFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db) -> Client:
    client = Client()
    client.force_login(EditorFactory(username="ada"))
    return client


@pytest.fixture
def bob(db) -> Client:
    client = Client()
    client.force_login(EditorFactory(username="bob"))
    return client


def claim_url(claim: Claim) -> str:
    return reverse("admin:claims_claim_change", args=[claim.pk])


def evidence_url(evidence: Evidence) -> str:
    return reverse("admin:claims_evidence_change", args=[evidence.pk])


def errors_of(response) -> str:
    return " ".join(response.context["adminform"].form.non_field_errors())


# --- Claims in the admin ------------------------------------------------------------------


def test_a_stale_claim_save_is_refused_once_then_saved_on_top(ada, bob):
    claim = ClaimFactory(statement="Original wording.", resolution_criteria="")
    adas_page = form_data(ada.get(claim_url(claim)))
    bobs_page = form_data(bob.get(claim_url(claim)))
    bobs_page["statement"] = "Bob's wording."
    assert bob.post(claim_url(claim), bobs_page).status_code == 302

    adas_page["resolution_criteria"] = "Ada's criteria."
    refused = ada.post(claim_url(claim), adas_page)

    assert refused.status_code == 200
    message = errors_of(refused)
    assert "Someone else changed this claim" in message
    assert 'Statement: now "Bob\'s wording." (by bob, ' in message
    assert "The form now shows it." in message
    form = refused.context["adminform"].form
    assert form["resolution_criteria"].value() == "Ada's criteria."  # her typing is kept
    assert form["statement"].value() == "Bob's wording."  # she left it alone: his is shown
    assert form["loaded_version"].value() == "2"  # the version she has now been shown
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.resolution_criteria, stored.version) == (
        "Bob's wording.",
        "",
        2,
    )

    saved = ada.post(claim_url(claim), form_data(refused))

    assert saved.status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.resolution_criteria, stored.version) == (
        "Bob's wording.",
        "Ada's criteria.",
        3,
    )


def test_when_both_editors_changed_a_field_the_refused_form_keeps_the_editors_version(ada, bob):
    claim = ClaimFactory(statement="Original wording.")
    adas_page = form_data(ada.get(claim_url(claim)))
    bobs_page = form_data(bob.get(claim_url(claim)))
    bobs_page["statement"] = "Bob's wording."
    bob.post(claim_url(claim), bobs_page)

    adas_page["statement"] = "Ada's wording."
    refused = ada.post(claim_url(claim), adas_page)

    assert "You changed it too: the form keeps your version." in errors_of(refused)
    assert refused.context["adminform"].form["statement"].value() == "Ada's wording."
    assert Claim.objects.get(pk=claim.pk).statement == "Bob's wording."
    assert ada.post(claim_url(claim), form_data(refused)).status_code == 302
    assert Claim.objects.get(pk=claim.pk).statement == "Ada's wording."


def test_a_claim_flagged_by_the_job_since_the_page_was_loaded_is_shown_as_such(ada):
    import datetime

    from claims import lifecycle

    claim = ClaimFactory(deadline=datetime.date(2026, 6, 30))
    page = form_data(ada.get(claim_url(claim)))
    lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24))
    page["resolution_criteria"] = "Ada's criteria."

    refused = ada.post(claim_url(claim), page)

    assert 'Status: now "Due for a verdict" (by a background job)' in errors_of(refused)
    assert ada.post(claim_url(claim), form_data(refused)).status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.status, stored.resolution_criteria) == ("due", "Ada's criteria.")


# --- Evidence in the admin: on the claim page and on its own page ----------------------------


def test_two_editors_changing_the_same_evidence_on_the_claim_page_lose_nothing(ada, bob):
    evidence = EvidenceFactory(title="Draft title", note="")
    claim = evidence.claim
    adas_page = form_data(ada.get(claim_url(claim)))
    bobs_page = form_data(bob.get(claim_url(claim)))
    bobs_page["evidence-0-title"] = "Bob's title"
    assert bob.post(claim_url(claim), bobs_page).status_code == 302

    adas_page["evidence-0-note"] = "Ada's note."
    refused = ada.post(claim_url(claim), adas_page)

    assert refused.status_code == 200
    [inline] = refused.context["inline_admin_formsets"][:1]
    row = inline.formset.forms[0]
    message = " ".join(row.non_field_errors())
    assert "Someone else changed this evidence" in message
    assert 'Title: now "Bob\'s title" (by bob, ' in message
    assert (row["note"].value(), row["title"].value()) == ("Ada's note.", "Bob's title")
    assert Evidence.objects.get().note == ""

    assert ada.post(claim_url(claim), form_data(refused)).status_code == 302
    stored = Evidence.objects.get()
    assert (stored.title, stored.note, stored.version) == ("Bob's title", "Ada's note.", 3)


def test_evidence_nobody_touched_on_the_page_does_not_block_the_claims_save(ada):
    evidence = EvidenceFactory()
    page = form_data(ada.get(claim_url(evidence.claim)))
    page["statement"] = "Ada's wording."
    assert ada.post(claim_url(evidence.claim), page).status_code == 302
    assert Evidence.objects.get().version == 1  # not written again


def test_a_stale_save_on_the_evidence_page_is_refused_once_then_saved_on_top(ada, bob):
    evidence = EvidenceFactory(title="Draft title", note="")
    adas_page = form_data(ada.get(evidence_url(evidence)))
    bobs_page = form_data(bob.get(evidence_url(evidence)))
    bobs_page["note"] = "Bob's note."
    assert bob.post(evidence_url(evidence), bobs_page).status_code == 302

    adas_page["title"] = "Ada's title"
    refused = ada.post(evidence_url(evidence), adas_page)

    assert refused.status_code == 200
    assert 'Note: now "Bob\'s note." (by bob, ' in errors_of(refused)
    assert Evidence.objects.get().title == "Draft title"
    assert ada.post(evidence_url(evidence), form_data(refused)).status_code == 302
    stored = Evidence.objects.get()
    assert (stored.title, stored.note, stored.version) == ("Ada's title", "Bob's note.", 3)
    assert [h.history_user.username for h in stored.history.all()[:2]] == ["ada", "bob"]


# --- Evidence in the API --------------------------------------------------------------------


def test_the_api_refuses_a_stale_evidence_version_with_409_and_takes_the_current_one(editor):
    api = token_client(editor)
    evidence = EvidenceFactory(title="Draft title")
    read = api.get(f"/api/v1/evidence/{evidence.id}/").json()
    assert read["version"] == 1
    assert (
        api.patch(f"/api/v1/evidence/{evidence.id}/", {"note": "First."}, format="json").json()[
            "version"
        ]
        == 2
    )

    stale = api.patch(
        f"/api/v1/evidence/{evidence.id}/", {"title": "Mine", "version": 1}, format="json"
    )

    assert stale.status_code == 409
    assert "at version 2, not 1" in stale.json()["detail"]
    assert 'Note: now "First."' in stale.json()["detail"]
    assert Evidence.objects.get().title == "Draft title"
    current = api.patch(
        f"/api/v1/evidence/{evidence.id}/", {"title": "Mine", "version": 2}, format="json"
    )
    assert current.status_code == 200 and current.json()["version"] == 3
    assert Evidence.objects.get().title == "Mine"


def test_the_api_schema_documents_409_for_evidence_patches(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "409" in schema["paths"]["/api/v1/evidence/{id}/"]["patch"]["responses"]
