"""A deadline moved by horizon words alone changes the status, in every path that edits a claim
(issue 11, point 1): the lifecycle decides from the stored and the new deadline, not from the
caller's list of changes. Each path is pinned on both sides of the boundary: a deadline today
is still open, yesterday's is due."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.urls import reverse

from claims import lifecycle
from claims.models import Claim, Status, Transition
from claims.seeding import load_registry
from tests.api.conftest import token_client
from tests.claims.test_admin import form_data
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)  # the frozen_today fixture's date
# The new deadline, "within 90 days" of the article, as days from today, and the status it gives.
BOUNDARIES = [(-1, Status.DUE), (0, Status.OPEN), (1, Status.OPEN)]


def article_90_days_before(offset: int):
    """An article from which "within 90 days" ends `offset` days from today."""
    return ArticleFactory(published_on=TODAY + datetime.timedelta(days=offset - 90))


def due_claim(article) -> Claim:
    return ClaimFactory(
        article=article,
        made_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2025, 12, 31),
        deadline_text="by 2025",
        deadline_precision="year",
        status=Status.DUE,
        due_since="2026-01-01T00:00Z",
    )


def open_claim(article) -> Claim:
    return ClaimFactory(
        article=article,
        deadline=datetime.date(2027, 12, 31),
        deadline_text="by 2027",
        deadline_precision="year",
    )


def assert_moved(claim: Claim, offset: int, status: str, from_status: str, via: str) -> None:
    claim.refresh_from_db()
    assert claim.deadline == TODAY + datetime.timedelta(days=offset)
    assert claim.status == status
    assert (claim.due_since is None) == (status == Status.OPEN)
    moved = claim.transitions.get(action=Transition.Action.DEADLINE_MOVED)
    assert (moved.from_status, moved.to_status, moved.via) == (from_status, status, via)


# --- The admin: only the words change, the date field is left as it was ----------------------


@pytest.mark.parametrize(("offset", "status"), BOUNDARIES)
@pytest.mark.parametrize("start", ["due", "open"])
def test_horizon_words_alone_move_the_deadline_and_the_status_in_the_admin(
    editor_client, frozen_today, start, offset, status
):
    article = article_90_days_before(offset)
    claim = due_claim(article) if start == "due" else open_claim(article)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = form_data(editor_client.get(url))
    data["deadline_text"] = "within 90 days"  # the date field keeps the old deadline
    data["change_reason"] = "Horizon re-read from the article"  # a moved deadline needs one

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_moved(claim, offset, status, start, "admin")


def test_over_the_next_four_quarters_reopens_a_due_claim_in_the_admin(editor_client, frozen_today):
    # The issue's own case: the claim stayed due with a deadline in April 2027.
    claim = due_claim(ArticleFactory(published_on=datetime.date(2026, 4, 30)))
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = form_data(editor_client.get(url))
    data["deadline_text"] = "over the next four quarters"
    data["change_reason"] = "Horizon re-read from the article"

    assert editor_client.post(url, data).status_code == 302

    claim.refresh_from_db()
    assert (claim.deadline, claim.status, claim.due_since) == (
        datetime.date(2027, 4, 30),
        Status.OPEN,
        None,
    )
    assert claim.transitions.filter(action=Transition.Action.DEADLINE_MOVED).count() == 1


# --- The API ------------------------------------------------------------------------------


@pytest.mark.parametrize(("offset", "status"), BOUNDARIES)
@pytest.mark.parametrize("start", ["due", "open"])
def test_horizon_words_alone_move_the_deadline_and_the_status_in_the_api(
    editor, frozen_today, start, offset, status
):
    article = article_90_days_before(offset)
    claim = due_claim(article) if start == "due" else open_claim(article)

    response = token_client(editor).patch(
        f"/api/v1/claims/{claim.id}/", {"deadline_text": "within 90 days"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert_moved(claim, offset, status, start, "api")
    assert response.json()["status"] == status


# --- The seed loader ----------------------------------------------------------------------


def seed(article_published_on: datetime.date, horizon: str) -> dict:
    return {
        "outlets": [{"slug": "ledger", "name": "Ledger"}],
        "articles": [
            {
                "slug": "ledger-article",
                "outlet": "ledger",
                "title": "Ledger",
                "published_on": article_published_on,
                "published_precision": "day",
            }
        ],
        "claims": [
            {
                "slug": "seeded",
                "article": "ledger-article",
                "kind": "forecast",
                "claimant_type": "outlet",
                "statement": "Something happens.",
                "quote": "something will happen",
                "deadline_text": horizon,
            }
        ],
    }


@pytest.mark.parametrize(("offset", "status"), BOUNDARIES)
@pytest.mark.parametrize(
    ("start", "first_horizon"), [("due", "within 10 days"), ("open", "by 2030")]
)
def test_a_seed_correction_of_the_horizon_moves_the_deadline_and_the_status(
    tmp_path, frozen_today, start, first_horizon, offset, status
):
    published_on = TODAY + datetime.timedelta(days=offset - 90)
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(seed(published_on, first_horizon)))
    load_registry(path)
    assert Claim.objects.get().status == start

    path.write_text(yaml.safe_dump(seed(published_on, "within 90 days")))
    report = load_registry(path)

    assert report.updated == ["seeded"]
    assert_moved(Claim.objects.get(), offset, status, start, "seed")


# --- The lifecycle itself: create, edit and reopen ------------------------------------------


@pytest.mark.parametrize(("offset", "status"), BOUNDARIES)
def test_a_new_claim_is_due_only_once_its_deadline_day_is_over(offset, status):
    claim = ClaimFactory.build(
        article=ArticleFactory(published_on=datetime.date(2026, 1, 1)),
        deadline=TODAY + datetime.timedelta(days=offset),
    )
    lifecycle.create_claim(claim=claim, via="admin", today=TODAY)
    claim.refresh_from_db()
    assert claim.status == status
    assert (claim.due_since is None) == (status == Status.OPEN)


@pytest.mark.parametrize(("offset", "status"), BOUNDARIES)
@pytest.mark.parametrize("start", ["due", "open"])
def test_an_edit_of_the_deadline_decides_the_status_from_the_stored_row(
    editor, start, offset, status
):
    article = ArticleFactory(published_on=datetime.date(2025, 1, 1))
    claim = due_claim(article) if start == "due" else open_claim(article)
    claim.deadline = TODAY + datetime.timedelta(days=offset)
    lifecycle.edit_claim(claim=claim, by=editor, via="admin", today=TODAY)
    assert_moved(claim, offset, status, start, "admin")


@pytest.mark.parametrize(("offset", "status"), BOUNDARIES)
def test_a_reopened_claim_is_due_only_once_its_deadline_day_is_over(editor, offset, status):
    claim = ClaimFactory(
        article=ArticleFactory(published_on=datetime.date(2026, 1, 1)),
        deadline=TODAY + datetime.timedelta(days=offset),
        status=Status.RESOLVED,
        verdict="correct",
        verdict_summary="Yes.",
        resolved_at="2026-11-01T00:00Z",
    )
    lifecycle.reopen_claim(
        claim=claim, reason="Revised figures.", by=editor, via="admin", today=TODAY
    )
    claim.refresh_from_db()
    assert claim.status == status


def test_a_resolved_claims_moved_deadline_keeps_it_resolved_and_is_logged(editor):
    claim = ClaimFactory(
        status=Status.RESOLVED,
        verdict="correct",
        verdict_summary="Yes.",
        resolved_at="2026-11-01T00:00Z",
    )
    claim.deadline = TODAY - datetime.timedelta(days=1)
    lifecycle.edit_claim(claim=claim, by=editor, via="api", today=TODAY)
    claim.refresh_from_db()
    assert (claim.status, claim.verdict) == (Status.RESOLVED, "correct")
    moved = claim.transitions.get()
    assert (moved.action, moved.from_status, moved.to_status) == (
        "deadline_moved",
        "resolved",
        "resolved",
    )


def test_an_edit_that_changes_nothing_writes_nothing(editor):
    claim = ClaimFactory()
    copy = Claim.objects.get(pk=claim.pk)
    lifecycle.edit_claim(claim=copy, about=[], topics=[], by=editor, via="admin", today=TODAY)
    assert Claim.objects.get(pk=claim.pk).version == 1
    assert claim.history.count() == 1 and not Transition.objects.exists()


def test_an_edit_of_a_copy_read_before_the_job_flagged_it_keeps_the_flag(editor):
    claim = ClaimFactory(deadline=datetime.date(2026, 6, 30))
    copy = Claim.objects.get(pk=claim.pk)  # read while the claim was still open
    assert lifecycle.flag_due_claims(today=TODAY) == 1
    copy.statement = "Sharper wording."
    lifecycle.edit_claim(claim=copy, by=editor, via="admin", today=TODAY)
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.status, stored.version) == ("Sharper wording.", "due", 3)
    assert stored.due_since is not None


def test_entities_and_topics_are_set_by_the_service_itself(editor):
    from tests.factories import EntityFactory, TopicFactory

    entity, topic = EntityFactory(), TopicFactory()
    claim = ClaimFactory.build(article=ArticleFactory())
    lifecycle.create_claim(claim=claim, about=[entity], topics=[topic], via="admin", today=TODAY)
    assert (list(claim.about.all()), list(claim.topics.all())) == ([entity], [topic])
    other = TopicFactory()
    lifecycle.edit_claim(claim=claim, topics=[other], by=editor, via="admin", today=TODAY)
    claim.refresh_from_db()
    assert list(claim.topics.all()) == [other] and list(claim.about.all()) == [entity]
    assert claim.version == 2
