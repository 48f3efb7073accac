"""What editors see of the jobs: each job's latest run, the schedule, the notification log."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from django.db import connection

from claims import tasks
from claims.models import Claim, Job, Notification, Status, Transition
from tests.factories import ClaimFactory, EditorFactory, FlaggedDueClaimFactory

pytestmark = pytest.mark.django_db


def test_a_run_records_its_outcome_and_counts():
    ClaimFactory.create_batch(2, deadline=datetime.date(2026, 1, 1))

    tasks.flag_due_claims(today="2026-11-24")  # the task's body, in this process

    job = Job.objects.get(name="claims.tasks.flag_due_claims")
    assert (job.last_outcome, job.last_counts, job.last_error) == ("succeeded", {"flagged": 2}, "")
    assert job.last_started_at <= job.last_finished_at == job.last_succeeded_at


def test_a_run_given_an_impossible_day_fails_clearly_and_changes_nothing():
    ClaimFactory(deadline=datetime.date(2026, 1, 1))

    with pytest.raises(ValueError):
        tasks.flag_due_claims(today="2026-02-30")

    job = Job.objects.get(name="claims.tasks.flag_due_claims")
    assert job.last_outcome == "failed"
    assert job.last_error.startswith("ValueError:") and job.last_succeeded_at is None
    assert not Claim.objects.filter(status=Status.DUE).exists()


def tables_written(sql: str) -> set[str]:
    return set(re.findall(r'(?:INSERT INTO|UPDATE)\s+"?(\w+)', sql))


def commits_wait_for_the_disk() -> bool:
    """Whether a commit on this connection now waits for its write-ahead log to be on disk."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0] != "off"
        cursor.execute("PRAGMA synchronous")  # in WAL mode, NORMAL (1) syncs at checkpoints
        return cursor.fetchone()[0] >= 2


@pytest.mark.django_db(transaction=True)
def test_a_flagging_run_commits_its_start_then_its_work_with_its_success(monkeypatch):
    # Two commits: the start on its own (a worker killed mid-run leaves "running" and the last
    # success as it was, which /readyz judges by), a marker whose commit does not wait for the
    # disk; then the flagging and its record of success together, durably: the one fsync the
    # run pays, as a bare UPDATE does. No write runs outside a transaction, and the
    # connection's next commits wait for the disk again.
    ClaimFactory.create_batch(2, deadline=datetime.date(2026, 1, 1))
    transactions: list[list[str]] = [[]]  # the statements of each, split at each commit
    waited_for_the_disk = []
    outside = []
    real_commit = connection.commit

    def commit():
        waited_for_the_disk.append(commits_wait_for_the_disk())
        real_commit()
        transactions.append([])

    def record(execute, sql, params, many, context):
        (transactions[-1] if connection.in_atomic_block else outside).append(sql)
        return execute(sql, params, many, context)

    assert commits_wait_for_the_disk()
    monkeypatch.setattr(connection, "commit", commit)
    with connection.execute_wrapper(record):
        tasks.flag_due_claims(today="2026-11-24")

    assert [set().union(*map(tables_written, t)) for t in transactions] == [
        {"claims_job"},
        {"claims_claim", "claims_transition", "claims_job"},
        set(),  # nothing after the second commit
    ]
    assert waited_for_the_disk == [False, True]
    assert commits_wait_for_the_disk()
    assert not [sql for sql in outside if tables_written(sql)]
    job = Job.objects.get(name="claims.tasks.flag_due_claims")
    assert (job.last_outcome, job.last_counts) == ("succeeded", {"flagged": 2})


@pytest.fixture
def flagging_refused() -> Iterator[None]:
    """A database that refuses to change a claim's status (a trigger), as a failing disk or a
    broken migration would: the flagging run fails inside its transaction."""
    if connection.vendor == "postgresql":
        create = [
            "CREATE FUNCTION refuse_flagging() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RAISE EXCEPTION 'flagging refused'; END $$",
            "CREATE TRIGGER refuse_flagging BEFORE UPDATE ON claims_claim"
            " FOR EACH ROW EXECUTE FUNCTION refuse_flagging()",
        ]
        drop = [
            "DROP TRIGGER refuse_flagging ON claims_claim",
            "DROP FUNCTION refuse_flagging()",
        ]
    else:
        create = [
            "CREATE TRIGGER refuse_flagging BEFORE UPDATE OF status ON claims_claim"
            " BEGIN SELECT RAISE(ABORT, 'flagging refused'); END"
        ]
        drop = ["DROP TRIGGER refuse_flagging"]
    with connection.cursor() as cursor:
        for statement in create:
            cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)


@pytest.mark.django_db(transaction=True)
def test_a_run_that_fails_in_the_database_is_recorded_as_failed_and_logs_nothing(request):
    ClaimFactory(deadline=datetime.date(2026, 1, 1))
    tasks.flag_due_claims(today="2026-11-24")
    succeeded_at = Job.objects.get(name="claims.tasks.flag_due_claims").last_succeeded_at
    later = ClaimFactory(deadline=datetime.date(2026, 11, 1))
    request.getfixturevalue("flagging_refused")

    with pytest.raises(Exception, match="flagging refused"):
        tasks.flag_due_claims(today="2026-11-24")

    job = Job.objects.get(name="claims.tasks.flag_due_claims")
    assert (job.last_outcome, job.last_counts) == ("failed", {})
    assert "flagging refused" in job.last_error
    assert job.last_succeeded_at == succeeded_at
    # The transition rows (on SQLite written before the UPDATE failed) went with the rollback.
    assert Claim.objects.get(pk=later.pk).status == Status.OPEN
    assert not Transition.objects.filter(claim=later).exists()


def test_editors_see_the_schedule_and_each_jobs_last_run(editor_client):
    tasks.notify_editors()

    page = editor_client.get("/admin/claims/job/")

    assert page.status_code == 200
    html = page.content.decode()
    for name in (
        "flag-claims-past-their-deadline",
        "queue-deadline-reminders",
        "queue-editors-daily-digest",
        "send-editors-notifications",
    ):
        assert name in html
    assert "every 60 minutes" in html and "daily at 07:00 (UTC)" in html
    assert "claims.tasks.notify_editors" in html and "Succeeded" in html


def test_the_schedule_follows_the_settings(editor_client, settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "flag-claims-past-their-deadline": {
            "task": "claims.tasks.flag_due_claims",
            "schedule": datetime.timedelta(minutes=15),
        }
    }
    assert "every 15 minutes" in editor_client.get("/admin/claims/job/").content.decode()


def test_editors_read_the_notification_log_but_cannot_change_it(editor_client):
    ada = EditorFactory(username="ada", email="ada@example.org")
    claim = FlaggedDueClaimFactory(statement="Exports will grow.")
    note = Notification.objects.create(
        recipient=ada,
        claim=claim,
        episode=claim.transitions.get(),
        event="due",
        event_date=claim.deadline,
        state="failed",
        attempts=5,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )

    listing = editor_client.get("/admin/claims/notification/?state__exact=failed")
    detail = editor_client.get(f"/admin/claims/notification/{note.pk}/change/")
    changed = editor_client.post(f"/admin/claims/notification/{note.pk}/change/", {"state": "sent"})

    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Exports will grow." in html and "SMTPServerDisconnected" in html
    assert "Due for a verdict" in html
    assert detail.status_code == 200
    assert changed.status_code == 403
    assert Notification.objects.get().state == "failed"
    assert editor_client.get("/admin/claims/notification/add/").status_code == 403
