"""The background jobs as editors see them: each job's latest run, and the schedule; and as
operators see them (/readyz): whether each scheduled job still succeeds as often as it should."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from celery import current_app
from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from kombu.utils.url import maybe_sanitize_url

from claims.models import Job, JobOutcome


@contextmanager
def recorded_run(name: str, *, atomic: bool = False) -> Iterator[dict]:
    """Record a run of the job `name` in claims.Job: its start, then its outcome, the counts
    the body put in the yielded dict, and the error if it raised (which is re-raised).

    The start is committed at once, on its own: a run that never ends (a worker killed) stays
    "running", with its last success as it was, which is what /readyz judges lateness by. It
    is a marker that nothing depends on, so its commit does not wait for the disk
    (`_not_waiting_for_the_disk`).

    With `atomic`, the body runs in one transaction and its success is recorded in that same
    transaction: the work and its outcome commit together (a run recorded as succeeded has
    committed its work, and the run costs one commit less). A failure, of the body or of the
    commit, is recorded after the rollback, in a transaction of its own, with no counts: what
    they counted was rolled back."""
    with _not_waiting_for_the_disk():
        Job.objects.update_or_create(
            name=name,
            defaults={"last_started_at": timezone.now(), "last_outcome": JobOutcome.RUNNING},
        )
    counts: dict = {}
    try:
        with transaction.atomic() if atomic else nullcontext():
            yield counts
            finished = timezone.now()
            Job.objects.filter(name=name).update(
                last_finished_at=finished,
                last_outcome=JobOutcome.SUCCEEDED,
                last_counts=counts,
                last_error="",
                last_succeeded_at=finished,
            )
    except Exception as error:
        Job.objects.filter(name=name).update(
            last_finished_at=timezone.now(),
            last_outcome=JobOutcome.FAILED,
            last_counts={} if atomic else counts,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise


@contextmanager
def _not_waiting_for_the_disk() -> Iterator[None]:
    """Commit the block's transaction without waiting for it to reach the disk (a WAL fsync on
    SQLite with synchronous=FULL, a WAL flush on PostgreSQL): a power cut or an OS crash just
    after may lose it, never corrupting anything, and a crash of the process cannot. For
    markers only: the next durable commit on the database (the run's own) takes it to the disk
    with its own, both write-ahead logs being written in order. Inside a caller's transaction
    it is that transaction's commit, and changes nothing."""
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")  # this transaction only
            yield
    elif connection.vendor == "sqlite":
        # NORMAL, in WAL mode, syncs at checkpoints only. SQLite refuses to change it inside a
        # transaction, so it is set around this one and put back for the connection's next.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            (level,) = cursor.fetchone()
            cursor.execute("PRAGMA synchronous = NORMAL")
            try:
                yield
            finally:
                cursor.execute(f"PRAGMA synchronous = {int(level)}")
    else:
        yield


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


# A job is late when its last success is older than this many periods, as healthchecks.io
# flags a cron job that missed its ping: one missed run plus a period of grace.
LATE_AFTER_PERIODS = 2


def schedule_period(schedule) -> datetime.timedelta | None:
    """The longest time between two runs of a beat schedule: the interval itself, or for a
    crontab that runs every day of the month (any days of the week), the longest gap between
    its runs over a week (a daily crontab: a day). None for crontabs tied to days of the month
    or to months, which this does not watch."""
    if isinstance(schedule, int | float):
        return datetime.timedelta(seconds=schedule)
    if isinstance(schedule, datetime.timedelta):
        return schedule
    if isinstance(schedule, interval_schedule) and not isinstance(schedule, crontab):
        return schedule.run_every
    if not isinstance(schedule, crontab):
        return None
    if (len(schedule.day_of_month), len(schedule.month_of_year)) != (31, 12):
        return None
    minutes_in_day = sorted(h * 60 + m for h in schedule.hour for m in schedule.minute)
    runs = [d * 1440 + t for d in sorted(schedule.day_of_week) for t in minutes_in_day]
    week = 7 * 1440
    gaps = [b - a for a, b in zip(runs, [*runs[1:], runs[0] + week], strict=True)]
    return datetime.timedelta(minutes=max(gaps))


def job_health(now: datetime.datetime | None = None) -> list[dict]:
    """Each scheduled job (settings.CELERY_BEAT_SCHEDULE) with its state: "ok", "late" (its
    last success is older than LATE_AFTER_PERIODS periods: beat or the workers stopped, or the
    job keeps failing), "new" (it has never succeeded: nothing to measure from yet, as
    healthchecks.io treats a check before its first ping) or "unwatched" (no fixed period)."""
    now = now or timezone.now()
    entries = settings.CELERY_BEAT_SCHEDULE
    succeeded = dict(
        Job.objects.filter(name__in=[e["task"] for e in entries.values()]).values_list(
            "name", "last_succeeded_at"
        )
    )
    health = []
    for name, entry in entries.items():
        period = schedule_period(entry["schedule"])
        last = succeeded.get(entry["task"])
        if period is None:
            state = "unwatched"
        elif last is None:
            state = "new"
        elif now - last > LATE_AFTER_PERIODS * period:
            state = "late"
        else:
            state = "ok"
        health.append(
            {
                "name": name,
                "task": entry["task"],
                "state": state,
                "last_succeeded_at": last.isoformat() if last else None,
                "period_seconds": int(period.total_seconds()) if period else None,
            }
        )
    return health
