from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from claims import lifecycle
from claims.lifecycle import LifecycleError
from claims.models import Claim, Status, Transition, Verdict
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def test_it_creates_an_open_claim_with_a_created_transition(editor):
    claim = ClaimFactory.build(article=ArticleFactory(), deadline=datetime.date(2027, 12, 31))
    lifecycle.create_claim(claim=claim, by=editor, via="admin", today=TODAY)
    claim.refresh_from_db()
    assert claim.status == Status.OPEN
    [row] = claim.transitions.all()
    assert (row.action, row.from_status, row.to_status, row.by, row.via) == (
        "created",
        "",
        "open",
        editor,
        "admin",
    )


def test_it_creates_a_claim_past_its_deadline_as_due():
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))
    claim = ClaimFactory.build(article=article, deadline=datetime.date(2025, 12, 31))
    lifecycle.create_claim(claim=claim, via="seed", today=TODAY)
    claim.refresh_from_db()
    assert claim.status == Status.DUE and claim.due_since is not None


def test_it_refuses_to_create_a_claim_whose_deadline_is_before_it_was_made():
    article = ArticleFactory(published_on=datetime.date(2026, 4, 1))
    claim = ClaimFactory.build(
        article=article, made_on=datetime.date(2026, 4, 1), deadline=datetime.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError, match="deadline cannot be before"):
        lifecycle.create_claim(claim=claim, via="admin", today=TODAY)
    assert not Claim.objects.exists() and not Transition.objects.exists()


def test_it_resolves_a_due_claim_and_logs_who_and_why(editor):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.INCORRECT, summary="Output fell short.", by=editor, via="admin"
    )
    claim.refresh_from_db()
    assert (claim.status, claim.verdict, claim.verdict_summary, claim.resolved_by) == (
        "resolved",
        "incorrect",
        "Output fell short.",
        editor,
    )
    assert claim.resolved_at is not None
    row = claim.transitions.get()
    assert (row.action, row.from_status, row.to_status, row.verdict, row.reason, row.by) == (
        "resolved",
        "due",
        "resolved",
        "incorrect",
        "Output fell short.",
        editor,
    )


def test_it_resolves_an_open_claim_early(editor):
    claim = ClaimFactory()
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Happened already.", by=editor, via="api"
    )
    assert claim.transitions.get().from_status == "open"
    assert claim.status == Status.RESOLVED


@pytest.mark.parametrize(
    ("verdict", "summary", "message"),
    [
        (Verdict.CORRECT, "   ", "needs a written rationale"),
        ("maybe", "Because.", "Unknown verdict"),
    ],
)
def test_it_refuses_a_verdict_without_rationale_or_unknown(editor, verdict, summary, message):
    claim = ClaimFactory()
    with pytest.raises(LifecycleError, match=message):
        lifecycle.resolve_claim(
            claim=claim, verdict=verdict, summary=summary, by=editor, via="admin"
        )
    claim.refresh_from_db()
    assert claim.status == Status.OPEN and not claim.transitions.exists()


def test_a_second_verdict_on_a_resolved_claim_is_refused(editor):
    claim = ClaimFactory()
    stale_copy = Claim.objects.get(pk=claim.pk)
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Yes.", by=editor, via="admin"
    )
    with pytest.raises(LifecycleError, match="already resolved"):
        lifecycle.resolve_claim(
            claim=stale_copy, verdict=Verdict.INCORRECT, summary="No.", by=editor, via="api"
        )
    claim.refresh_from_db()
    assert claim.verdict == Verdict.CORRECT
    assert claim.transitions.count() == 1


def test_reopening_withdraws_the_verdict_and_returns_to_due_when_past_deadline(editor):
    claim = ClaimFactory(deadline=datetime.date(2026, 1, 1))
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Yes.", by=editor, via="admin"
    )
    lifecycle.reopen_claim(
        claim=claim, reason="New figures revise the count.", by=editor, via="admin", today=TODAY
    )
    claim.refresh_from_db()
    assert (claim.status, claim.verdict, claim.verdict_summary, claim.resolved_at) == (
        "due",
        "",
        "",
        None,
    )
    row = claim.transitions.last()
    assert (row.action, row.from_status, row.to_status) == ("reopened", "resolved", "due")
    assert "New figures revise the count." in row.reason and "Correct" in row.reason


def test_reopening_a_claim_before_its_deadline_makes_it_open(editor):
    claim = ClaimFactory(deadline=datetime.date(2030, 12, 31))
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Early.", by=editor, via="admin"
    )
    lifecycle.reopen_claim(
        claim=claim, reason="Too early to tell.", by=editor, via="admin", today=TODAY
    )
    assert Claim.objects.get(pk=claim.pk).status == Status.OPEN


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(editor, reason):
    claim = ClaimFactory()
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Yes.", by=editor, via="admin"
    )
    with pytest.raises(LifecycleError, match="needs a reason"):
        lifecycle.reopen_claim(claim=claim, reason=reason, by=editor, via="admin")
    assert Claim.objects.get(pk=claim.pk).status == Status.RESOLVED


def test_only_a_resolved_claim_can_be_reopened(editor):
    with pytest.raises(LifecycleError, match="Only a resolved claim"):
        lifecycle.reopen_claim(claim=ClaimFactory(), reason="Why not.", by=editor, via="admin")


def test_moving_a_due_claims_deadline_into_the_future_opens_it_again(editor):
    claim = ClaimFactory(
        deadline=datetime.date(2026, 6, 30), status=Status.DUE, due_since="2026-07-01T00:00Z"
    )
    claim.deadline = datetime.date(2027, 6, 30)
    lifecycle.edit_claim(
        claim=claim,
        by=editor,
        via="admin",
        reason="Plan extended",
        today=TODAY,
    )
    claim.refresh_from_db()
    assert claim.status == Status.OPEN and claim.due_since is None
    row = claim.transitions.get()
    assert (row.action, row.from_status, row.to_status) == ("deadline_moved", "due", "open")
    assert "2026-06-30 to 2027-06-30" in row.reason and "Plan extended" in row.reason


def test_moving_an_open_claims_deadline_into_the_past_makes_it_due(editor):
    claim = ClaimFactory(deadline=datetime.date(2027, 6, 30))
    claim.deadline = datetime.date(2026, 6, 30)
    lifecycle.edit_claim(claim=claim, by=editor, via="admin", today=TODAY)
    assert Claim.objects.get(pk=claim.pk).status == Status.DUE


def test_moving_a_resolved_claims_deadline_keeps_its_verdict(editor):
    claim = ClaimFactory(deadline=datetime.date(2026, 6, 30))
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Yes.", by=editor, via="admin"
    )
    claim.deadline = datetime.date(2027, 6, 30)
    lifecycle.edit_claim(claim=claim, by=editor, via="admin", today=TODAY)
    claim.refresh_from_db()
    assert (claim.status, claim.verdict) == ("resolved", "correct")


def test_an_edit_cannot_change_lifecycle_fields(editor):
    claim = ClaimFactory()
    claim.status = Status.RESOLVED
    with pytest.raises(LifecycleError, match="resolve or reopen"):
        lifecycle.edit_claim(claim=claim, by=editor, via="api")


def test_every_edit_is_kept_in_the_claims_history_with_its_author(editor):
    claim = ClaimFactory(statement="Old wording.")
    claim.statement = "New wording."
    lifecycle.edit_claim(claim=claim, by=editor, via="admin", reason="Clearer")
    latest = claim.history.first()
    assert (latest.statement, latest.history_user, latest.history_change_reason) == (
        "New wording.",
        editor,
        "Clearer",
    )
    assert latest.prev_record.statement == "Old wording."


def test_every_write_bumps_the_version(editor):
    claim = ClaimFactory()
    assert claim.version == 1
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Yes.", by=editor, via="admin"
    )
    assert Claim.objects.get(pk=claim.pk).version == 2 == claim.version
