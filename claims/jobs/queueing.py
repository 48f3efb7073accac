"""Queueing Celery tasks from code that runs in web requests and commands.

A task is published only once the database transaction that asked for it has committed, so a
worker never looks for rows that are not there yet, and a rolled-back save publishes nothing.
A broker that is down or hung costs the caller about a second, is logged, and is otherwise
ignored: every task queued this way is also run on a schedule, and it scans the database, so
the next scheduled run catches up whatever a lost message would have done.

Tasks are published through `celery.current_app`, the app the process configured at start-up
(config.celery, loaded by config/__init__.py), so the domain never imports the project shell.
"""

from __future__ import annotations

import functools
import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send_task(name: str, **kwargs) -> bool:
    """Publish the task now; True if the broker took it, False (logged) if not."""
    try:
        current_app.send_task(name, kwargs=kwargs)
    except Exception:
        # Whatever the broker raises (refused, timed out, reset), the caller's work is done
        # and committed: it must not turn into an error page.
        logger.warning(
            "Could not queue %s (broker unreachable?); its scheduled run will catch up.",
            name,
            exc_info=True,
        )
        return False
    return True


def send_task_on_commit(name: str, **kwargs) -> None:
    """Publish the task when the current transaction commits (at once outside one).

    Asked for several times in one transaction (a seed load that creates many due claims),
    it is still published once.
    """
    publish = functools.partial(send_task, name, **kwargs)
    connection = transaction.get_connection()
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, functools.partial) and (
            callback.func,
            callback.args,
            callback.keywords,
        ) == (send_task, publish.args, publish.keywords):
            return
    transaction.on_commit(publish)
