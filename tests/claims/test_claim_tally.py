"""The claim tally (claims.models.ClaimTally), kept by database triggers: after every way a claim
is written, the figures read from it equal the figures counted over the claims themselves.

Each test writes through one path and then compares the whole registry's track record, its
deadline years and its counts by status and kind, read both ways. They run on SQLite (row
triggers) and under CI on PostgreSQL (statement triggers with transition tables).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear

from claims import lifecycle
from claims.models import Claim, ClaimTally, HedgeClass, Kind, Status, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DueClaimFactory,
    EditorFactory,
    ResolvedClaimFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def counted_both_ways():
    """(from the claims, from the tally) for every figure the tally stands for."""
    direct_years = sorted(
        Claim.objects.filter(deadline__isnull=False)
        .annotate(year=ExtractYear("deadline"))
        .values_list("status", "year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    direct = (
        Claim.objects.track_record(),
        direct_years,
        Claim.objects.count(),
        {s: Claim.objects.filter(status=s).count() for s in Status.values},
        {k: Claim.objects.filter(kind=k).count() for k in Kind.values},
    )
    tally = (
        ClaimTally.objects.track_record(),
        sorted(ClaimTally.objects.by_status_and_year()),
        ClaimTally.objects.claims(),
        {s: ClaimTally.objects.filter(status=s).claims() for s in Status.values},
        {k: ClaimTally.objects.filter(kind=k).claims() for k in Kind.values},
    )
    return direct, tally


def assert_tally_agrees():
    direct, tally = counted_both_ways()
    assert tally == direct


@pytest.fixture
def registry():
    """A mixed registry: every status, verdict, hedge class, stated probabilities, signals and
    claims without a deadline."""
    ClaimFactory(deadline=datetime.date(2027, 6, 30), hedge_class=HedgeClass.ASSERTED)
    ClaimFactory(deadline=None, deadline_text="", deadline_precision="", kind=Kind.TARGET)
    ClaimFactory(conditional=True, hedge_class=HedgeClass.POSSIBLE)
    DueClaimFactory(probability=Decimal("0.7"), hedge_class=HedgeClass.EXPECTED)
    ResolvedClaimFactory(verdict=Verdict.CORRECT, probability=Decimal("0.9"))
    ResolvedClaimFactory(verdict=Verdict.INCORRECT, probability=Decimal("0.15"))
    ResolvedClaimFactory(
        verdict=Verdict.PARTLY_CORRECT, hedge_class=HedgeClass.TARGET, kind=Kind.STATISTIC
    )
    ResolvedClaimFactory(verdict=Verdict.UNRESOLVABLE, probability=Decimal("1"))
    assert_tally_agrees()


def test_the_tally_counts_what_is_there_and_the_figures_match(registry):
    record = ClaimTally.objects.track_record()
    assert (record.total, record.open, record.due, record.signals) == (7, 2, 1, 1)
    assert (record.correct, record.incorrect, record.partly_correct) == (1, 1, 1)
    assert record.brier_score == pytest.approx(((0.9 - 1) ** 2 + 0.15**2) / 2)
    assert ClaimTally.objects.claims() == 8


def test_reading_the_whole_registrys_record_is_one_query_of_the_tally(
    registry, django_assert_num_queries
):
    with django_assert_num_queries(1) as captured:
        ClaimTally.objects.track_record()
    assert "claims_claim" not in captured.captured_queries[0]["sql"].replace("claimtally", "")


def test_the_lifecycle_keeps_it_right(registry):
    editor = EditorFactory()
    claim = ClaimFactory.build(
        article=ArticleFactory(),
        deadline=datetime.date(2030, 1, 1),
        hedge_class=HedgeClass.POSSIBLE,
    )
    lifecycle.create_claim(claim=claim, by=editor, via="admin", today=TODAY)
    assert_tally_agrees()

    # A deadline moved into another year, then into the past (open -> due).
    claim.deadline = datetime.date(2031, 3, 1)
    lifecycle.edit_claim(claim=claim, by=editor, via="admin", today=TODAY)
    assert_tally_agrees()
    claim.deadline = datetime.date(2025, 3, 1)
    lifecycle.edit_claim(claim=claim, by=editor, via="admin", today=TODAY)
    assert Claim.objects.get(pk=claim.pk).status == Status.DUE
    assert_tally_agrees()

    claim = Claim.objects.get(pk=claim.pk)
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Yes.", by=editor, via="a"
    )
    assert_tally_agrees()
    lifecycle.reopen_claim(claim=claim, reason="New figures.", by=editor, via="admin", today=TODAY)
    assert_tally_agrees()


@pytest.mark.parametrize(
    "deadline",
    [TODAY - datetime.timedelta(days=1), TODAY, TODAY + datetime.timedelta(days=1)],
    ids=["yesterday", "today", "tomorrow"],
)
def test_the_flagging_jobs_raw_update_keeps_it_right(registry, deadline):
    ClaimFactory(deadline=deadline, probability=Decimal("0.4"))
    ClaimFactory(deadline=datetime.date(2026, 1, 1), hedge_class=HedgeClass.EXPECTED)

    flagged = lifecycle.flag_due_claims(today=TODAY)

    assert flagged == (2 if deadline < TODAY else 1)
    assert_tally_agrees()


def test_bulk_writes_and_deletes_keep_it_right(registry):
    Claim.objects.bulk_create(
        ClaimFactory.build(article=Claim.objects.first().article, slug=f"bulk-{n}", kind=kind)
        for n, kind in enumerate([Kind.TARGET, Kind.STATISTIC, Kind.FORECAST])
    )
    assert_tally_agrees()
    Claim.objects.filter(status=Status.OPEN, deadline__isnull=False).update(
        deadline=datetime.date(2035, 5, 5)
    )
    assert_tally_agrees()
    Claim.objects.filter(status=Status.RESOLVED).update(probability=None)
    assert_tally_agrees()
    # An UPDATE that moves no claim to another row changes no count.
    before = list(ClaimTally.objects.order_by("pk").values_list("pk", "claims"))
    Claim.objects.update(statement="Reworded.")
    assert list(ClaimTally.objects.order_by("pk").values_list("pk", "claims")) == before
    Claim.objects.filter(kind=Kind.TARGET).delete()
    assert_tally_agrees()
    Claim.objects.all().delete()
    assert_tally_agrees()
    assert ClaimTally.objects.claims() == 0


def test_the_seed_loader_keeps_it_right():
    call_command("seed_registry", verbosity=0)
    assert ClaimTally.objects.claims() == Claim.objects.count() > 100
    assert_tally_agrees()
    lifecycle.flag_due_claims()
    call_command("seed_registry", verbosity=0)  # again: updates in place
    assert_tally_agrees()


def test_on_postgresql_each_statement_folds_into_the_tally_once():
    """Statement-level triggers: flagging 100,000 claims is one GROUP BY of the statement's rows,
    not 100,000 trigger calls (docs/performance.md, "The claim tally")."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has row triggers only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgtype & 1 FROM pg_trigger "
            "WHERE tgrelid = 'claims_claim'::regclass AND tgname LIKE 'claims_tally_%%'"
        )
        triggers = dict(cursor.fetchall())
    # Bit 0 of tgtype is FOR EACH ROW.
    assert triggers == {
        "claims_tally_insert": 0,
        "claims_tally_update": 0,
        "claims_tally_delete": 0,
    }


def test_a_part_of_the_tally_has_its_own_record(registry):
    ClaimTally.objects.track_record()  # the whole tally's query, kept
    part = ClaimTally.objects.filter(kind=Kind.STATISTIC).track_record()
    assert part == Claim.objects.filter(kind=Kind.STATISTIC).track_record()
    assert (part.total, part.partly_correct) == (1, 1)
    assert ClaimTally.objects.track_record().total == 7
