"""The background jobs as editors see them: each job's latest run, and the schedule."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from celery import current_app
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone
from kombu.utils.url import maybe_sanitize_url

from claims.models import Job, JobOutcome


@contextmanager
def recorded_run(name: str) -> Iterator[dict]:
    """Record a run of the job `name` in claims.Job: its start, then its outcome, the counts
    the body put in the yielded dict, and the error if it raised (which is re-raised)."""
    Job.objects.update_or_create(
        name=name, defaults={"last_started_at": timezone.now(), "last_outcome": JobOutcome.RUNNING}
    )
    counts: dict = {}
    try:
        yield counts
    except Exception as error:
        Job.objects.filter(name=name).update(
            last_finished_at=timezone.now(),
            last_outcome=JobOutcome.FAILED,
            last_counts=counts,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    finished = timezone.now()
    Job.objects.filter(name=name).update(
        last_finished_at=finished,
        last_outcome=JobOutcome.SUCCEEDED,
        last_counts=counts,
        last_error="",
        last_succeeded_at=finished,
    )


def describe_schedule(schedule) -> str:
    """A beat schedule in words: "every 60 minutes", "daily at 07:00 (UTC)"."""
    if isinstance(schedule, datetime.timedelta | int | float):
        seconds = int(
            schedule.total_seconds() if isinstance(schedule, datetime.timedelta) else schedule
        )
        if seconds % 60:
            return f"every {seconds} seconds"
        minutes = seconds // 60
        return "every minute" if minutes == 1 else f"every {minutes} minutes"
    every_day = isinstance(schedule, crontab) and (
        len(schedule.day_of_week),
        len(schedule.day_of_month),
        len(schedule.month_of_year),
    ) == (7, 31, 12)
    if every_day and len(schedule.hour) == len(schedule.minute) == 1:
        [hour], [minute] = schedule.hour, schedule.minute
        return f"daily at {hour:02d}:{minute:02d} ({settings.CELERY_TIMEZONE})"
    return str(schedule)


def beat_schedule() -> list[dict]:
    """The periodic jobs from settings.CELERY_BEAT_SCHEDULE, in words."""
    return [
        {"name": name, "task": entry["task"], "when": describe_schedule(entry["schedule"])}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    ]


def broker_description() -> str:
    """Where tasks are queued, without any password the broker's address holds."""
    url = current_app.conf.broker_url
    if url.startswith("filesystem://"):
        return f"files in {current_app.conf.broker_transport_options.get('data_folder_in')}"
    return maybe_sanitize_url(url)
