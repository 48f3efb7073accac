from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import cache as response_cache
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
    assert lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24)) == 2
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
    assert lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24)) == 2
    assert lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24)) == 0
    assert Transition.objects.count() == 2


def test_it_is_set_based_however_many_claims():
    ClaimFactory.create_batch(40, deadline=datetime.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as ctx:
        assert lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24)) == 40
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    # PostgreSQL: one UPDATE ... RETURNING feeding the INSERT. SQLite: the ids the cache names
    # (a bounded SELECT), the INSERT ... SELECT of the claims about to be flagged, then the
    # UPDATE, in the same write lock; its row count is the number flagged.
    if connection.vendor == "postgresql":
        assert len(statements) == 1
        assert statements[0].lstrip().startswith("WITH")
    else:
        assert [s.split(None, 1)[0] for s in statements] == ["SELECT", "INSERT", "UPDATE"]
        assert "LIMIT" in statements[0] and "SELECT" in statements[1]
        assert "RETURNING" not in statements[2]


def flagging_statements(today: datetime.date) -> tuple[list[tuple[str, int]], int]:
    """The SQL templates a flagging run sends (with its number of parameters), and its count."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        flagged = lifecycle.flag_due_claims(today=today)
    return [s for s in sent if "SAVEPOINT" not in s[0]], flagged


def test_the_statements_do_not_grow_with_the_number_of_claims_flagged():
    # One claim, then 60: the same statements with the same parameters, whatever the count
    # (building the log rows in Python sent one VALUES row of parameters per claim).
    ClaimFactory(deadline=datetime.date(2026, 1, 1))
    one, flagged = flagging_statements(datetime.date(2026, 11, 24))
    assert flagged == 1
    ClaimFactory.create_batch(60, deadline=datetime.date(2026, 11, 24))
    sixty, flagged = flagging_statements(datetime.date(2026, 11, 25))
    assert flagged == 60
    assert sixty == one
    assert len(one) == (1 if connection.vendor == "postgresql" else 3)


@pytest.mark.parametrize("due", [3, 10])
def test_it_names_the_claims_it_flagged_to_the_cache_up_to_the_cache_s_limit(due, monkeypatch):
    # The response cache names at most BULK_TAG_LIMIT claims' pages and retires every page past
    # that, so a run reads the ids of one claim more than the limit at most, not one per claim.
    monkeypatch.setattr(response_cache, "BULK_TAG_LIMIT", 3)
    claims = ClaimFactory.create_batch(due, deadline=datetime.date(2026, 1, 1))
    told = []
    monkeypatch.setattr(response_cache, "claims_changed", lambda ids, **kw: told.append(list(ids)))

    assert lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24)) == due

    [named] = told
    if due <= 3:
        assert sorted(named) == sorted(c.pk for c in claims)
    else:
        assert len(named) == 4 and set(named) <= {c.pk for c in claims}


def test_the_log_holds_exactly_the_claims_flagged():
    claims = make_claims()
    already_due = ClaimFactory(deadline=datetime.date(2026, 1, 1), status=Status.DUE)
    assert lifecycle.flag_due_claims(today=datetime.date(2026, 1, 1)) == 0  # nothing yet
    assert lifecycle.flag_due_claims(today=datetime.date(2026, 11, 24)) == 2
    flagged = [claims["past"].pk, claims["yesterday"].pk]
    logged = list(
        Transition.objects.filter(action=Transition.Action.FLAGGED_DUE).values_list(
            "claim_id", "from_status", "to_status", "via", "reason"
        )
    )
    # Deadline yesterday and before: flagged and logged once; today, tomorrow, no deadline,
    # resolved and already due: neither.
    assert sorted(logged) == sorted(
        (pk, "open", "due", "flag_due_claims", "Deadline passed (as of 2026-11-24).")
        for pk in flagged
    )
    assert set(Claim.objects.filter(status=Status.DUE).values_list("pk", flat=True)) == {
        *flagged,
        already_due.pk,
    }
    # The log's time is the claims' due_since, stored as the ORM stores a datetime.
    past = Claim.objects.get(pk=claims["past"].pk)
    row = Transition.objects.get(claim_id=past.pk, action=Transition.Action.FLAGGED_DUE)
    assert row.at == past.due_since == past.updated_at
    # A run tomorrow flags the claim whose deadline was today, and logs only that one.
    assert lifecycle.flag_due_claims(today=datetime.date(2026, 11, 25)) == 1
    assert Claim.objects.get(pk=claims["today"].pk).status == Status.DUE
    assert sorted(
        Transition.objects.filter(action=Transition.Action.FLAGGED_DUE).values_list(
            "claim_id", flat=True
        )
    ) == sorted([*flagged, claims["today"].pk])


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
