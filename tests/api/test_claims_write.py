"""Writing claims through the API as an editor: every change goes through claims.lifecycle, and
bad input is refused with field errors and leaves nothing behind."""

from __future__ import annotations

import datetime

import pytest

from claims.models import Claim, ClaimantType, Status, Transition
from tests.factories import ArticleFactory, ClaimFactory, EntityFactory, TopicFactory

pytestmark = pytest.mark.django_db


def new_claim(source, **overrides) -> dict:
    body = {
        "article": source.id,
        "statement": "Chip output doubles.",
        "quote": "output will double within two years",
        "kind": "forecast",
        "deadline_text": "within two years",
    }
    body.update(overrides)
    return body


def test_it_creates_a_claim_reading_the_deadline_from_the_horizon_words(editor_api, editor):
    article = ArticleFactory(published_on=datetime.date(2026, 1, 15), published_precision="day")

    response = editor_api.post("/api/v1/claims/", new_claim(article), format="json")

    assert response.status_code == 201, response.content
    claim = Claim.objects.get()
    assert (claim.deadline, claim.deadline_precision) == (datetime.date(2028, 1, 15), "day")
    assert claim.made_on == article.published_on  # defaults to the publication date
    assert claim.slug == "chip-output-doubles"
    assert claim.status == Status.OPEN
    [created] = claim.transitions.all()
    assert (created.action, created.by, created.via) == ("created", editor, "api")
    assert claim.history.get().history_user == editor
    body = response.json()
    assert body["id"] == claim.id and body["deadline"] == "2028-01-15"
    assert body["transitions"][0]["action"] == "created" and body["evidence"] == []
    assert response["Location"] == f"http://testserver/api/v1/claims/{claim.id}/"


def test_it_reads_month_precise_publication_dates_as_the_admin_does(editor_api):
    article = ArticleFactory(published_on=datetime.date(2026, 4, 1), published_precision="month")

    response = editor_api.post(
        "/api/v1/claims/", new_claim(article, deadline_text="in the next 18 months"), format="json"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["deadline"], response.json()["deadline_precision"]) == (
        "2027-10-31",
        "month",
    )


def test_it_keeps_a_deadline_typed_by_the_editor_over_the_words(editor_api):
    article = ArticleFactory()

    response = editor_api.post(
        "/api/v1/claims/",
        new_claim(article, deadline_text="by 2025", deadline="2025-06-30"),
        format="json",
    )

    assert response.status_code == 201
    claim = Claim.objects.get()
    assert (claim.deadline, claim.deadline_precision) == (datetime.date(2025, 6, 30), "day")


def test_it_creates_a_claim_past_its_deadline_as_due(editor_api):
    article = ArticleFactory(published_on=datetime.date(2020, 1, 1))

    response = editor_api.post(
        "/api/v1/claims/", new_claim(article, deadline_text="by 2021"), format="json"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "due"


def test_it_creates_a_reported_claim_with_its_entities_and_topics(editor_api):
    article, ministry, fund, topic = (
        ArticleFactory(),
        EntityFactory(),
        EntityFactory(),
        TopicFactory(),
    )

    response = editor_api.post(
        "/api/v1/claims/",
        new_claim(
            article,
            slug="fund-target",
            claimant_type=ClaimantType.REPORTED,
            claimant=ministry.id,
            about=[fund.id],
            topics=[topic.id],
            probability="0.7",
        ),
        format="json",
    )

    assert response.status_code == 201, response.content
    claim = Claim.objects.get(slug="fund-target")
    assert claim.claimant == ministry
    assert list(claim.about.all()) == [fund] and list(claim.topics.all()) == [topic]
    assert response.json()["probability"] == "0.700"


def test_it_makes_a_free_slug_when_the_statements_slug_is_taken(editor_api):
    ClaimFactory(slug="chip-output-doubles")

    response = editor_api.post("/api/v1/claims/", new_claim(ArticleFactory()), format="json")

    assert response.status_code == 201
    assert response.json()["slug"] == "chip-output-doubles-2"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"statement": "  "}, "statement"),
        ({"kind": "rumour"}, "kind"),
        ({"made_on": "2025-02-30"}, "made_on"),
        ({"deadline": "2025-13-01"}, "deadline"),
        ({"deadline_text": "some day soon"}, "deadline_text"),
        ({"article": 999999}, "article"),
        ({"claimant_type": "reported"}, "non_field_errors"),  # a reported claim names its claimant
        ({"probability": "1.5"}, "probability"),
        ({"status": "resolved"}, "status"),
        ({"slug": "not a slug"}, "slug"),
    ],
)
def test_it_refuses_a_bad_claim_with_a_field_error_and_stores_nothing(editor_api, overrides, field):
    article = ArticleFactory()

    response = editor_api.post("/api/v1/claims/", new_claim(article, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Claim.objects.exists() and not Transition.objects.exists()


def test_it_refuses_a_deadline_before_the_claim_was_made(editor_api):
    article = ArticleFactory(published_on=datetime.date(2026, 4, 1))

    response = editor_api.post(
        "/api/v1/claims/", new_claim(article, deadline="2025-01-01"), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The deadline cannot be before the day the claim was made."]
    }
    assert not Claim.objects.exists()


def test_it_refuses_a_duplicate_slug(editor_api):
    ClaimFactory(slug="taken")

    response = editor_api.post(
        "/api/v1/claims/", new_claim(ArticleFactory(), slug="taken"), format="json"
    )

    assert response.status_code == 400 and "slug" in response.json()
    assert Claim.objects.count() == 1


def test_it_refuses_malformed_json_with_400(editor_api):
    response = editor_api.post(
        "/api/v1/claims/", '{"statement": "unfinished', content_type="application/json"
    )

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert not Claim.objects.exists()


def test_it_edits_a_claim_through_the_lifecycle(editor_api, editor):
    claim = ClaimFactory(statement="Old wording.")

    response = editor_api.patch(
        f"/api/v1/claims/{claim.id}/",
        {"statement": "New wording.", "change_reason": "Clearer."},
        format="json",
    )

    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert claim.statement == "New wording." and claim.version == 2
    latest = claim.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Clearer.")
    assert response.json()["version"] == 2


def test_it_moves_a_due_claims_deadline_and_reopens_it_with_a_logged_transition(editor_api):
    article = ArticleFactory(published_on=datetime.date(2020, 1, 1))
    claim = ClaimFactory(
        article=article,
        status=Status.DUE,
        due_since="2026-01-01T00:00Z",
        deadline=datetime.date(2021, 12, 31),
        deadline_text="by 2021",
    )

    response = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"deadline_text": "by 2030"}, format="json"
    )

    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert (claim.deadline, claim.status, claim.due_since) == (
        datetime.date(2030, 12, 31),
        Status.OPEN,
        None,
    )
    [moved] = claim.transitions.filter(action=Transition.Action.DEADLINE_MOVED)
    assert moved.via == "api" and "2030-12-31" in moved.reason


def test_it_refuses_unreadable_horizon_words_on_edit_and_changes_nothing(editor_api):
    claim = ClaimFactory()

    response = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"deadline_text": "when pigs fly"}, format="json"
    )

    assert response.status_code == 400 and "deadline_text" in response.json()
    claim.refresh_from_db()
    assert (claim.deadline_text, claim.version) == ("by 2027", 1)


def test_it_refuses_to_change_the_status_by_patch(editor_api):
    claim = ClaimFactory()

    response = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"status": "resolved", "verdict": "correct"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"status", "verdict"}
    claim.refresh_from_db()
    assert claim.status == Status.OPEN


def test_it_refuses_a_patch_based_on_a_stale_version_with_409(editor_api):
    claim = ClaimFactory(statement="Current.", version=3)

    stale = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"statement": "Mine.", "version": 2}, format="json"
    )
    current = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"statement": "Mine.", "version": 3}, format="json"
    )

    assert stale.status_code == 409
    assert "version 3" in stale.json()["detail"]
    assert current.status_code == 200
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Mine.", 4)


def test_it_refuses_a_patch_whose_if_match_is_stale_with_412(editor_api):
    claim = ClaimFactory(statement="First.")
    etag = editor_api.get(f"/api/v1/claims/{claim.id}/")["ETag"]
    first = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"statement": "Second."}, format="json", HTTP_IF_MATCH=etag
    )

    second = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"statement": "Third."}, format="json", HTTP_IF_MATCH=etag
    )

    assert first.status_code == 200, first.content
    assert second.status_code == 412
    claim.refresh_from_db()
    assert claim.statement == "Second."
    # The answer to a PATCH carries the new ETag, good for the next change.
    third = editor_api.patch(
        f"/api/v1/claims/{claim.id}/",
        {"statement": "Third."},
        format="json",
        HTTP_IF_MATCH=first["ETag"],
    )
    assert third.status_code == 200


def test_it_answers_404_when_patching_an_unknown_claim(editor_api):
    response = editor_api.patch("/api/v1/claims/424242/", {"statement": "x"}, format="json")

    assert response.status_code == 404


def test_it_does_not_offer_put_or_delete(editor_api):
    claim = ClaimFactory()

    assert editor_api.put(f"/api/v1/claims/{claim.id}/", {}, format="json").status_code == 405
    # Editors may not delete claims (a claim is resolved, not removed): refused before the method.
    assert editor_api.delete(f"/api/v1/claims/{claim.id}/").status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_it_resolves_and_reopens_a_claim_through_the_lifecycle(editor_api, editor):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")

    resolved = editor_api.post(
        f"/api/v1/claims/{claim.id}/resolve/",
        {"verdict": "partly_correct", "summary": "Reached 470 of 492."},
        format="json",
    )
    claim.refresh_from_db()
    assert resolved.status_code == 200, resolved.content
    assert (claim.status, claim.verdict, claim.resolved_by) == (
        "resolved",
        "partly_correct",
        editor,
    )
    assert resolved.json()["verdict"] == "partly_correct"

    reopened = editor_api.post(
        f"/api/v1/claims/{claim.id}/reopen/", {"reason": "New statistics."}, format="json"
    )

    assert reopened.status_code == 200
    claim.refresh_from_db()
    assert (claim.status, claim.verdict) == ("open", "")  # its deadline (2027) is still ahead
    assert [t.action for t in claim.transitions.all()] == ["resolved", "reopened"]
    assert all(t.via == "api" and t.by == editor for t in claim.transitions.all())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"verdict": "maybe", "summary": "Why."}, "verdict"),
        ({"verdict": "correct", "summary": "   "}, "summary"),
        ({"summary": "Why."}, "verdict"),
    ],
)
def test_it_refuses_a_verdict_without_a_known_value_or_rationale(editor_api, body, field):
    claim = ClaimFactory()

    response = editor_api.post(f"/api/v1/claims/{claim.id}/resolve/", body, format="json")

    assert response.status_code == 400 and field in response.json()
    claim.refresh_from_db()
    assert claim.status == Status.OPEN and not claim.transitions.exists()


def test_it_refuses_to_resolve_a_resolved_claim_twice(editor_api):
    claim = ClaimFactory()
    verdict = {"verdict": "correct", "summary": "Done."}
    editor_api.post(f"/api/v1/claims/{claim.id}/resolve/", verdict, format="json")

    again = editor_api.post(f"/api/v1/claims/{claim.id}/resolve/", verdict, format="json")

    assert again.status_code == 400
    assert "already resolved" in again.json()["non_field_errors"][0]
    assert claim.transitions.count() == 1


def test_it_refuses_to_reopen_an_open_claim_or_without_a_reason(editor_api):
    claim = ClaimFactory()

    not_resolved = editor_api.post(
        f"/api/v1/claims/{claim.id}/reopen/", {"reason": "Why not."}, format="json"
    )
    no_reason = editor_api.post(f"/api/v1/claims/{claim.id}/reopen/", {}, format="json")

    assert not_resolved.status_code == 400 and "non_field_errors" in not_resolved.json()
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert not claim.transitions.exists()
