"""What editors see of the jobs: each job's latest run, the schedule, the notification log."""

from __future__ import annotations

import datetime

import pytest

from claims import tasks
from claims.models import Claim, Job, Notification, Status
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
