"""The operators' probes (config/health.py)."""

from __future__ import annotations

import datetime
import os
import signal
import time

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache

from claims.models import Job, Notification
from tests.factories import EditorFactory
from tests.jobs.conftest import throwaway_redis  # noqa: F401 (a fixture)


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


@pytest.mark.django_db
def test_readyz_answers_200_when_the_database_and_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["failed_notifications"] == 0
    # No job has run yet: each is "new", which is not late.
    assert {job["state"] for job in body["jobs"].values()} == {"new"}
    assert set(body["jobs"]) == set(settings.CELERY_BEAT_SCHEDULE)


@pytest.mark.django_db
def test_readyz_answers_503_naming_what_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(cache, "set", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["cache: ConnectionError: refused"]


def test_readyz_answers_503_within_a_second_or_two_when_the_broker_hangs(
    client,
    db,
    settings,
    throwaway_redis,  # noqa: F811
):
    url, broker = throwaway_redis
    settings.CELERY_BROKER_URL = url
    assert client.get("/readyz").status_code == 200

    os.kill(broker.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    finally:
        os.kill(broker.pid, signal.SIGCONT)

    assert response.status_code == 503
    [problem] = response.json()["problems"]
    assert problem.startswith("broker: TimeoutError")
    assert elapsed < 2
    assert client.get("/readyz").status_code == 200  # and ready again once it answers


def test_readyz_counts_failed_notifications_without_answering_503(client, db):
    editor = EditorFactory(email="ada@example.org")
    Notification.objects.create(
        recipient=editor, event="digest", event_date=datetime.date(2026, 11, 24), state="failed"
    )

    response = client.get("/readyz")

    assert response.status_code == 200 and response.json()["failed_notifications"] == 1


NOW = datetime.datetime(2026, 11, 24, 12, tzinfo=datetime.UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("task", "period"),
    [
        ("claims.tasks.notify_editors", datetime.timedelta(minutes=1)),
        ("claims.tasks.flag_due_claims", datetime.timedelta(minutes=60)),
        ("claims.tasks.queue_editors_digest", datetime.timedelta(days=1)),  # a daily crontab
    ],
)
def test_a_job_is_late_once_its_last_success_is_older_than_twice_its_period(client, task, period):
    [name] = [n for n, e in settings.CELERY_BEAT_SCHEDULE.items() if e["task"] == task]
    second = datetime.timedelta(seconds=1)
    Job.objects.create(name=task, last_succeeded_at=NOW - 2 * period + second)

    with time_machine.travel(NOW, tick=False):
        just_in_time = client.get("/readyz")
    Job.objects.filter(name=task).update(last_succeeded_at=NOW - 2 * period - second)
    with time_machine.travel(NOW, tick=False):
        late = client.get("/readyz")

    assert just_in_time.status_code == 200
    assert just_in_time.json()["jobs"][name]["state"] == "ok"
    assert late.status_code == 503
    assert late.json()["jobs"][name] == {
        "state": "late",
        "last_succeeded_at": (NOW - 2 * period - second).isoformat(),
    }
    assert late.json()["problems"] == [
        f"job late: {name} last succeeded at {(NOW - 2 * period - second).isoformat()}"
    ]
