"""The registry's Celery tasks. Each takes plain arguments (an ISO date at most), loads what it
needs and calls the services in claims.lifecycle and claims.jobs.notifications; each records its run
in claims.Job for the editors' admin.

All are idempotent and scan the database rather than trusting a message: a task delivered twice
does nothing twice, and a lost one is made good by the next scheduled run (the schedule is
settings.CELERY_BEAT_SCHEDULE). None uses an ETA or countdown.
"""

from __future__ import annotations

import dataclasses
import datetime

from celery import shared_task
from django.utils import timezone

from claims import lifecycle
from claims.jobs import notifications
from claims.jobs.runs import recorded_run


def _day(today: str | None) -> datetime.date:
    """The task's day: `today` (YYYY-MM-DD) when given, as for catching up a missed day."""
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(bind=True)
def flag_due_claims(self, today: str | None = None) -> dict:
    """Mark every open claim whose deadline has passed as due: the same code as
    `manage.py flag_due_claims`, which hands the newly due claims to `notify_editors`."""
    # One transaction for the flagging and its record of success (claims.jobs.runs).
    with recorded_run(self.name, atomic=True) as counts:
        counts["flagged"] = lifecycle.flag_due_claims(today=_day(today), via="celery")
    return counts


@shared_task(bind=True)
def notify_editors(self) -> dict:
    """Create the "due" notices for claims newly due, then send every pending notification."""
    with recorded_run(self.name) as counts:
        counts["due_notices_queued"] = notifications.queue_due_notices()
        counts |= dataclasses.asdict(notifications.send_pending())
    return counts


@shared_task(bind=True)
def queue_deadline_reminders(self, today: str | None = None) -> dict:
    """Queue the reminders for deadlines coming up (settings.CLAIM_REMINDER_DAYS), and have
    them sent."""
    with recorded_run(self.name) as counts:
        counts["queued"] = notifications.queue_reminders(today=_day(today))
    if counts["queued"]:
        notifications.notify_editors_on_commit()
    return counts


@shared_task(bind=True)
def queue_editors_digest(self, today: str | None = None) -> dict:
    """Queue the day's digest for every editor, and have it sent."""
    with recorded_run(self.name) as counts:
        counts["queued"] = notifications.queue_digests(today=_day(today))
    if counts["queued"]:
        notifications.notify_editors_on_commit()
    return counts


@shared_task(bind=True)
def check_links(self) -> dict:
    """Check the evidence links that are due (claims.jobs.link_checks), politely."""
    from django.conf import settings

    from claims.jobs import link_checks

    with recorded_run(self.name) as counts:
        run = link_checks.check_due_links(
            limit=settings.LINK_CHECKS_PER_RUN,
            concurrency=settings.LINK_CHECK_CONCURRENCY,
            # No new check starts after this: a run ends before the next one is due.
            budget=settings.LINK_CHECKS_EVERY_MINUTES * 60 * 0.8,
        )
        counts |= dataclasses.asdict(run)
    return counts


@shared_task(bind=True)
def take_snapshots(self) -> dict:
    """Take the text snapshots that are due (claims.jobs.snapshots): new evidence, and requests."""
    from claims.jobs import snapshots

    with recorded_run(self.name) as counts:
        counts |= snapshots.take_due_snapshots()
    return counts
