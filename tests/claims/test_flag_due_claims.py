from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import lifecycle
from claims.models import Claim, Status, Transition
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def make_claims():
    return {
        "past": ClaimFactory(deadline=datetime.date(2026, 3, 31)),
        "yesterday": ClaimFactory(deadline=datetime.date(2026, 11, 23)),
        "today": ClaimFactory(deadline=datetime.date(2026, 11, 24)),
        "future": ClaimFactory(deadline=datetime.date(2027, 1, 1)),
        "no_deadline": ClaimFactory(deadline=None, deadline_precision="", deadline_text=""),
        "resolved": ClaimFactory(
            deadline=datetime.date(2025, 1, 1),
            status=Status.RESOLVED,
            verdict="correct",
            verdict_summary="Yes.",
            resolved_at="2025-02-01T00:00Z",
        ),
    }


def test_it_flags_open_claims_whose_deadline_day_is_over():
    claims = make_claims()
    flagged = lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24))
    assert sorted(flagged) == sorted([claims["past"].pk, claims["yesterday"].pk])
    statuses = dict(Claim.objects.values_list("slug", "status"))
    assert {name: statuses[c.slug] for name, c in claims.items()} == {
        "past": "due",
        "yesterday": "due",
        "today": "open",
        "future": "open",
        "no_deadline": "open",
        "resolved": "resolved",
    }
    assert Claim.objects.get(pk=claims["past"].pk).due_since is not None


def test_it_writes_one_transition_per_flagged_claim():
    claims = make_claims()
    lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24), via="celery")
    rows = Transition.objects.order_by("claim_id")
    assert [(r.claim_id, r.action, r.from_status, r.to_status, r.by, r.via) for r in rows] == [
        (claims["past"].pk, "flagged_due", "open", "due", None, "celery"),
        (claims["yesterday"].pk, "flagged_due", "open", "due", None, "celery"),
    ]


def test_a_second_run_flags_nothing():
    make_claims()
    assert len(lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24))) == 2
    assert lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24)) == []
    assert Transition.objects.count() == 2


def test_it_is_set_based_however_many_claims():
    ClaimFactory.create_batch(40, deadline=datetime.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as ctx:
        assert len(lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24))) == 40
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    # PostgreSQL: one UPDATE ... RETURNING feeding the INSERT;
    # SQLite: UPDATE, then one batched INSERT.
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2)
    assert statements[0].lstrip().startswith(("UPDATE", "WITH"))


def test_the_command_reports_how_many_it_flagged():
    make_claims()
    out = call_command_output("flag_due_claims", "--today", "2026-11-24")
    assert out.strip() == "Flagged 2 claims as due."
    assert (
        call_command_output("flag_due_claims", "--today", "2026-11-24").strip()
        == "Flagged 0 claims as due."
    )


@pytest.mark.parametrize("bad", ["2026-02-30", "24/11/2026", "tomorrow"])
def test_the_command_refuses_an_impossible_date_and_changes_nothing(bad):
    make_claims()
    with pytest.raises(CommandError, match="not a real date"):
        call_command("flag_due_claims", "--today", bad)
    assert not Claim.objects.filter(status=Status.DUE).exists()


def call_command_output(*args) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
