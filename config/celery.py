"""The Celery app: every CELERY_* setting in config/settings.py, and the tasks of each app's
tasks.py. Start a worker and the scheduler with `make run`, or on a server:

    celery -A config worker --loglevel=INFO
    celery -A config beat --loglevel=INFO

Beat uses `RetryingScheduler` (settings.CELERY_BEAT_SCHEDULER).
"""

from __future__ import annotations

import logging
import os
import time

from celery import Celery
from celery.beat import PersistentScheduler, ScheduleEntry
from celery.schedules import schedstate

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


class RetryingScheduler(PersistentScheduler):
    """Celery's beat scheduler, except that a run it could not publish (a SchedulingError:
    the broker is down or hung) is tried again a few seconds later, rather than lost until the
    entry's next period. Celery records the run (`reserve`) before publishing it; when the
    publish fails, the entry as it was before goes back into the schedule, still due."""

    retry_after_seconds = 5.0  # between tries: each costs up to the broker's socket timeout

    def __init__(self, *args, **kwargs) -> None:
        self._retry_at: dict[str, float] = {}  # entry name -> time.monotonic() of its next try
        super().__init__(*args, **kwargs)

    def apply_entry(self, entry: ScheduleEntry, producer=None) -> None:
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as error:  # Celery's own apply_entry logs and drops it
            logger.error(
                "Beat could not send %s (%s), trying again in %s s: %s",
                entry.name,
                entry.task,
                self.retry_after_seconds,
                error,
            )
            self.schedule[entry.name] = entry  # not yet run: still due
            self._retry_at[entry.name] = time.monotonic() + self.retry_after_seconds
            self._heap = None  # rebuilt at the next tick, from the schedule as restored
        else:
            self._retry_at.pop(entry.name, None)
            logger.info("Scheduler: Sent due task %s (%s)", entry.name, entry.task)

    def is_due(self, entry: ScheduleEntry) -> schedstate:
        wait = self._retry_at.get(entry.name, 0) - time.monotonic()
        if wait > 0:
            return schedstate(is_due=False, next=wait)
        return super().is_due(entry)
