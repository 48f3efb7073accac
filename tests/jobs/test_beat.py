"""Beat against a broker of the test's own that hangs (SIGSTOP) and comes back (SIGCONT)."""

from __future__ import annotations

import datetime
import os
import signal

import redis
from django.conf import settings

from config.celery import RetryingScheduler, app
from tests.jobs.conftest import QUEUE, broker, wait_until

HOURLY = "an-hourly-job"


def test_a_run_beat_could_not_publish_is_sent_once_the_broker_answers_again(
    throwaway_redis, tmp_path
):
    url, server = throwaway_redis
    queue = redis.Redis.from_url(url)
    saved = app.conf.beat_schedule, app.conf.broker_transport_options
    try:
        with broker(url):
            app.conf.broker_transport_options = {
                "socket_timeout": 0.5,
                "socket_connect_timeout": 0.5,
            }
            app.conf.beat_schedule = {
                HOURLY: {
                    "task": "claims.tasks.notify_editors",
                    "schedule": datetime.timedelta(hours=1),
                }
            }
            scheduler = RetryingScheduler(app, schedule_filename=str(tmp_path / "beat"))
            scheduler.retry_after_seconds = 0.5
            scheduler.producer  # connected while the broker answers  # noqa: B018
            entry = scheduler.schedule[HOURLY]
            entry.last_run_at = entry.default_now() - datetime.timedelta(hours=2)  # due

            os.kill(server.pid, signal.SIGSTOP)
            try:
                scheduler.tick()  # the publish times out: a SchedulingError inside beat
                assert scheduler.schedule[HOURLY].last_run_at == entry.last_run_at  # not run
                assert scheduler.tick() > 0  # the next try waits a moment, no busy loop
            finally:
                os.kill(server.pid, signal.SIGCONT)
            assert queue.llen(QUEUE) == 0

            wait_until(
                lambda: scheduler.tick() is not None and queue.llen(QUEUE),
                timeout=10,
                what="the run to reach the queue",
            )
            assert queue.llen(QUEUE) == 1
            assert scheduler.schedule[HOURLY].last_run_at > entry.last_run_at  # run recorded
            scheduler.close()
    finally:
        app.conf.beat_schedule, app.conf.broker_transport_options = saved


def test_beat_uses_the_retrying_scheduler():
    assert settings.CELERY_BEAT_SCHEDULER == "config.celery:RetryingScheduler"
    assert app.conf.beat_scheduler == "config.celery:RetryingScheduler"
