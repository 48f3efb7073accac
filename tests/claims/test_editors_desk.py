"""The editors' desk and the claim page as an editor works them (issue 15): only the actions
that apply, a reason for every moved deadline, dates that cannot be misread, editors told when
they get no email, short claim slugs."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from claims import lifecycle
from claims.models import Claim, Status, Transition
from tests.claims.test_admin import ADD_URL, change_url, form_data, new_claim_data
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTION_INPUTS = {
    "verdict": 'name="record_verdict"',
    "rationale": 'name="verdict_rationale"',
    "reopen": 'name="reopen_reason"',
}


def resolved_claim(**values) -> Claim:
    return ClaimFactory(
        status=Status.RESOLVED,
        verdict="correct",
        verdict_summary="Yes.",
        resolved_at="2026-01-01T00:00Z",
        **values,
    )


# --- The claim page shows only what applies -----------------------------------------------


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Status.OPEN, {"verdict", "rationale"}),
        (Status.DUE, {"verdict", "rationale"}),
        (Status.RESOLVED, {"reopen"}),
    ],
)
def test_the_claim_page_offers_only_the_lifecycle_actions_that_apply(editor_client, status, shown):
    claim = resolved_claim() if status == Status.RESOLVED else ClaimFactory(status=status)
    html = editor_client.get(change_url(claim)).content.decode()
    assert {name for name, tag in ACTION_INPUTS.items() if tag in html} == shown


def test_the_add_page_offers_no_lifecycle_action(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert not any(tag in html for tag in ACTION_INPUTS.values())


def test_a_verdict_typed_on_a_claim_resolved_meanwhile_is_refused_and_kept(editor_client, editor):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")
    data = form_data(editor_client.get(change_url(claim)))
    lifecycle.resolve_claim(
        claim=claim, verdict="correct", summary="Another editor's verdict.", by=None, via="admin"
    )
    data.update(record_verdict="incorrect", verdict_rationale="IFR 2025 report: 470 per 10,000.")

    response = editor_client.post(change_url(claim), data)

    # Refused as a stale save, with the verdict fields still shown with what was typed.
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Someone else changed this claim" in " ".join(form.non_field_errors())
    assert form["verdict_rationale"].value() == "IFR 2025 report: 470 per 10,000."
    assert 'name="verdict_rationale"' in response.content.decode()

    # Saving again on top: the verdict does not apply any more, and the field says so.
    response = editor_client.post(change_url(claim), form_data(response))
    form = response.context["adminform"].form
    assert "already resolved" in " ".join(form.errors["record_verdict"])
    assert form["verdict_rationale"].value() == "IFR 2025 report: 470 per 10,000."
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_summary) == ("correct", "Another editor's verdict.")


def test_a_reopen_reason_posted_for_a_claim_not_resolved_is_refused_at_the_field(editor_client):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")
    data = form_data(editor_client.get(change_url(claim)))
    data["reopen_reason"] = "The figure was revised."
    response = editor_client.post(change_url(claim), data)
    form = response.context["adminform"].form
    assert "Only a resolved claim can be reopened." in form.errors["reopen_reason"]
    assert form["reopen_reason"].value() == "The figure was revised."
    claim.refresh_from_db()
    assert claim.status == Status.DUE


# --- A moved deadline needs a reason --------------------------------------------------------


def test_moving_a_deadline_without_a_reason_is_refused_at_the_reason_field(editor_client):
    claim = ClaimFactory(deadline=datetime.date(2027, 12, 31))
    data = form_data(editor_client.get(change_url(claim)))
    data.update(deadline="2028-06-30", deadline_precision="day", statement="Edited wording.")

    response = editor_client.post(change_url(claim), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    [message] = form.errors["change_reason"]
    assert "moves from 2027-12-31 to 2028-06-30" in message and "say why" in message
    assert form["statement"].value() == "Edited wording."  # nothing typed is lost
    claim.refresh_from_db()
    assert (claim.deadline, claim.statement) == (datetime.date(2027, 12, 31), claim.statement)
    assert not Transition.objects.exists()
    assert "Required when the deadline moves" in form.fields["change_reason"].help_text


def test_horizon_words_that_move_the_deadline_need_a_reason_too(editor_client):
    article = ArticleFactory(published_on=datetime.date(2026, 3, 1))
    claim = ClaimFactory(article=article, deadline=datetime.date(2027, 12, 31))
    data = form_data(editor_client.get(change_url(claim)))
    data["deadline_text"] = "by 2028"
    response = editor_client.post(change_url(claim), data)
    assert "change_reason" in response.context["adminform"].form.errors

    data["change_reason"] = "The ministry moved the target to 2028."
    assert editor_client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.deadline == datetime.date(2028, 12, 31)
    assert "moved the target to 2028" in claim.transitions.get().reason


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (datetime.date(2027, 12, 31), {"deadline_text": "by the end of 2027"}),  # same date
        (None, {"deadline": "2027-12-31", "deadline_precision": "day"}),  # a first deadline
    ],
)
def test_a_deadline_that_does_not_move_needs_no_reason(editor_client, stored, typed):
    claim = ClaimFactory(
        article=ArticleFactory(published_on=datetime.date(2026, 3, 1)),
        deadline=stored,
        deadline_text="by 2027" if stored else "",
        deadline_precision="year" if stored else "",
    )
    data = form_data(editor_client.get(change_url(claim)))
    data.update(typed)
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert claim.deadline == datetime.date(2027, 12, 31)


# --- An editor who gets no email is told ----------------------------------------------------


def test_the_desk_names_the_editors_who_get_no_email(editor_client, editor):
    EditorFactory(username="noemail-colleague", email="")
    EditorFactory(username="reachable", email="reachable@example.org")
    UserFactory(username="not-an-editor", email="")
    assert editor.email == ""

    html = editor_client.get(reverse("admin:index")).content.decode()

    assert "Editors who get no notices (2)" in html
    assert "Your account has no email address" in html
    assert "noemail-colleague" in html and "editor" in html
    assert "reachable" not in html and "not-an-editor" not in html
    assert "create_editor USERNAME --email ADDRESS" in html


def test_the_desk_says_nothing_of_email_when_every_editor_has_an_address(editor_client, editor):
    editor.email = "editor@example.org"
    editor.save()
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "get no notices" not in html
