"""Outages readers and editors feel (issue 11, points 10 to 13), against real servers of the
test's own (tests/fault_servers.py): a redis-server that is killed or hung with SIGSTOP, a
PostgreSQL cluster stopped with `pg_ctl stop -m immediate`, the site under gunicorn.

Writes run inside the test's transaction; `django_capture_on_commit_callbacks(execute=True)`
stands for the commit, as in tests/claims/test_response_cache.py.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle

from claims import cache as response_cache
from claims.jobs import queueing
from claims.models import Claim, ResponseCacheEpoch
from config import cache_backend
from tests.factories import ArticleFactory, ClaimFactory, DueClaimFactory
from tests.fault_servers import Missing, PostgresServer, RedisServer, Site

pytestmark = pytest.mark.django_db

PAUSE_SECONDS = 0.5


def _missing(error: Missing):
    if os.environ.get("CI"):
        pytest.fail(f"{error} CI must run the outage tests.", pytrace=False)
    pytest.skip(str(error))


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    try:
        server = RedisServer()
    except Missing as error:
        _missing(error)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_cache(settings, redis_server) -> RedisServer:
    """The cache as settings.py makes it for CACHE_URL, on the test's own Redis (a shorter
    pause, so that the tests need not wait five seconds for it to lift)."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "config.cache_backend.ResilientRedisCache",
            "LOCATION": redis_server.url(1),
            "OPTIONS": {
                "socket_connect_timeout": 0.1,
                "socket_timeout": 0.1,
                "pause_seconds": PAUSE_SECONDS,
            },
        }
    }
    cache_backend.reset_breakers()
    yield redis_server
    cache_backend.reset_breakers()


@pytest.fixture
def cache_on(settings):
    settings.RESPONSE_CACHE_SECONDS = 600
    settings.RESPONSE_CACHE_EPOCH_SECONDS = 3600
    response_cache.forget_epoch()


@pytest.fixture
def claim():
    article = ArticleFactory(slug="output-2026")
    DueClaimFactory(article=article, statement="Another claim, due.")
    return ClaimFactory(article=article, slug="the-claim", statement="Output doubles by 2027.")


def timed_get(client: Client, url: str):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


# Point 10: Redis down or hung.


@pytest.mark.parametrize("outage", ["killed", "hung"])
def test_anonymous_api_reads_answer_while_redis_is_down(outage, redis_cache, cache_on, claim):
    client = Client()
    assert client.get("/api/v1/claims/").status_code == 200
    redis_cache.kill() if outage == "killed" else redis_cache.pause()

    first, first_took = timed_get(client, "/api/v1/claims/")
    assert first.status_code == 200
    assert first_took < 0.6  # one socket timeout (0.1 s), then the pause: never a second
    started = time.monotonic()
    for url in ["/api/v1/claims/", f"/api/v1/claims/{claim.pk}/", f"/claims/{claim.slug}/"] * 5:
        assert client.get(url).status_code == 200, url
    assert time.monotonic() - started < 1.5  # fifteen reads, none waiting on Redis
    if outage == "hung":
        redis_cache.resume()


def test_a_throttle_that_cannot_count_lets_requests_through_and_logs_it(
    redis_cache, claim, caplog, monkeypatch
):
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    client = Client()
    assert [client.get("/api/v1/topics/").status_code for _ in range(3)] == [200, 200, 429]

    redis_cache.kill()
    caplog.set_level(logging.WARNING, logger="config.cache_backend")
    assert {client.get("/api/v1/topics/").status_code for _ in range(5)} == {200}
    warnings = [r for r in caplog.records if r.name == "config.cache_backend"]
    assert len(warnings) == 1  # once per pause, not once per call
    assert "answering from no cache" in warnings[0].getMessage()


def test_the_cache_is_asked_again_once_the_pause_is_over(redis_cache):
    cache.set("probe", "before")
    redis_cache.pause()
    assert cache.get("probe") is None  # timed out: a miss
    redis_cache.resume()
    assert cache.get("probe") is None  # paused: not even asked
    time.sleep(PAUSE_SECONDS + 0.1)
    assert cache.get("probe") == "before"


def test_one_redis_client_serves_every_call_and_outlives_a_restart(redis_cache):
    # config.cache_backend._SharedClientRedisCacheClient: Django made a redis.Redis per call.
    clients = []
    real = cache._cache.get_client

    def recorded(*args, **kwargs):
        clients.append(real(*args, **kwargs))
        return clients[-1]

    cache._cache.get_client = recorded
    try:
        for _ in range(3):
            cache.set("probe", "before")
            cache.get("probe")
    finally:
        cache._cache.get_client = real
    assert len(clients) == 6 and all(client is clients[0] for client in clients)

    redis_cache.kill()
    assert cache.get("probe") is None  # refused: a miss, and a pause
    redis_cache.start()
    time.sleep(PAUSE_SECONDS + 0.1)
    cache.set("probe", "after")  # the pool's connections were dropped: new ones, same client
    assert cache.get("probe") == "after"


def test_readyz_still_sees_the_cache_fail(redis_cache):
    assert Client().get("/readyz").status_code == 200
    redis_cache.kill()
    answer = Client().get("/readyz")
    assert answer.status_code == 503
    assert any(problem.startswith("cache") for problem in answer.json()["problems"])
    with pytest.raises(redis.RedisError):
        cache.ping()  # what a probe uses to see the real error


def test_a_hung_broker_costs_one_write_a_wait_then_publishing_pauses(redis_server):
    from config.celery import app
    from tests.jobs.conftest import broker

    queueing.resume_publishing()
    # settings.py's options for a Redis broker (this suite runs without REDIS_URL).
    previous_options = app.conf.broker_transport_options
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    with broker(redis_server.url(0)):
        assert queueing.send_task("claims.tests.warm_up")
        redis_server.pause()
        try:
            started = time.monotonic()
            assert not queueing.send_task("claims.tasks.notify_editors")
            first = time.monotonic() - started
            started = time.monotonic()
            for _ in range(10):
                assert not queueing.send_task("claims.tasks.notify_editors")
            rest = time.monotonic() - started
        finally:
            redis_server.resume()
            queueing.resume_publishing()
            app.conf.broker_transport_options = previous_options
    assert first < 3
    assert rest < 0.1


# Point 11: an invalidation that fails is not lost.


def _edit(claim: Claim, statement: str, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        claim.statement = statement
        claim.save()  # the model signal is what the cache goes by, whoever saves


def test_a_write_while_redis_hangs_reaches_readers_once_it_answers(
    redis_cache, cache_on, claim, django_capture_on_commit_callbacks, caplog
):
    url = f"/claims/{claim.slug}/"
    reader = Client()
    assert b"Output doubles by 2027." in reader.get(url).content
    epoch_before = ResponseCacheEpoch.objects.get(name="registry").value

    redis_cache.pause()
    _edit(claim, "Output triples by 2027.", django_capture_on_commit_callbacks)
    redis_cache.resume()
    assert "bumping the database epoch instead" in caplog.text
    assert ResponseCacheEpoch.objects.get(name="registry").value == epoch_before + 1

    time.sleep(PAUSE_SECONDS + 0.1)  # this process asks Redis again
    page = reader.get(url).content
    assert b"Output triples by 2027." in page and b"Output doubles" not in page


def test_another_process_sees_it_within_the_epoch_interval(
    redis_cache, cache_on, settings, claim, django_capture_on_commit_callbacks, monkeypatch
):
    settings.RESPONSE_CACHE_EPOCH_SECONDS = 1
    now = [1000.0]
    monkeypatch.setattr(response_cache, "_clock", lambda: now[0])
    url = f"/claims/{claim.slug}/"
    reader = Client()
    reader.get(url)
    old_epoch = response_cache.epoch()

    redis_cache.pause()
    _edit(claim, "Output triples by 2027.", django_capture_on_commit_callbacks)
    redis_cache.resume()
    time.sleep(PAUSE_SECONDS + 0.1)
    # Another process read the epoch just before the write: it serves the old page until its
    # next read of the epoch, one interval at most.
    response_cache._epoch.value, response_cache._epoch.read_at = old_epoch, now[0]
    now[0] += 0.9
    assert b"Output doubles by 2027." in reader.get(url).content
    now[0] += 0.2
    assert b"Output triples by 2027." in reader.get(url).content


def test_the_epoch_is_read_at_most_once_an_interval(
    redis_cache, cache_on, settings, claim, monkeypatch
):
    settings.RESPONSE_CACHE_EPOCH_SECONDS = 1
    now = [1000.0]
    monkeypatch.setattr(response_cache, "_clock", lambda: now[0])
    url = f"/claims/{claim.slug}/"
    reader = Client()
    reader.get(url)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(url).status_code == 200
        return [q["sql"] for q in captured]

    assert queries() == []
    now[0] += 0.99
    assert queries() == []
    now[0] += 0.02
    read = queries()  # a hit still, with the epoch read once
    assert len(read) == 1 and "claims_responsecacheepoch" in read[0]
    assert queries() == []


def test_a_lost_generation_restarts_above_every_old_one(redis_cache, cache_on, claim):
    url = f"/claims/{claim.slug}/"
    reader = Client()
    reader.get(url)
    old = response_cache.generation()
    redis_cache.client(1).delete(cache.make_key(response_cache.GENERATION_KEY))
    assert response_cache.generation() > old


# Point 12: the database down.


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
    except Missing as error:
        _missing(error)
    try:
        yield server
    finally:
        server.close()


def fetch(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db(False)
def test_with_the_database_down_readers_get_the_cache_or_a_503(postgres):
    try:
        redis = RedisServer()
    except Missing as error:
        _missing(error)
    database = postgres.create_database("outage")
    site = Site({"DATABASE_URL": database, "CACHE_URL": redis.url(1)})
    try:
        site.manage("migrate", "--noinput", "-v", "0")
        site.manage(
            "shell",
            "-c",
            "from tests.factories import ClaimFactory; "
            "ClaimFactory(slug='the-claim', statement='Output doubles by 2027.')",
        )
        site.start()
        claim_page, api_list = site.base + "/claims/the-claim/", site.base + "/api/v1/claims/"
        assert fetch(claim_page)[0] == 200 and fetch(api_list)[0] == 200
        site.manage(  # a write: both stored answers are out of date now
            "shell",
            "-c",
            "from claims.models import Claim; claim = Claim.objects.get(slug='the-claim'); "
            "claim.statement = 'Output triples by 2027.'; claim.save()",
        )

        postgres.stop()
        status, headers, body = fetch(claim_page)
        assert status == 200 and b"Output doubles by 2027." in body
        assert "stale" in headers["Cache-Status"]
        status, headers, body = fetch(api_list)
        assert status == 200 and "stale" in headers["Cache-Status"]
        assert json.loads(body)["count"] == 1

        status, headers, body = fetch(site.base + "/claims/?status=due")  # never stored
        assert status == 503 and headers["Retry-After"].isdigit()
        assert b"The registry is briefly unavailable" in body
        status, headers, body = fetch(site.base + "/api/v1/claims/?status=due")
        assert status == 503 and headers["Retry-After"].isdigit()
        assert "briefly unavailable" in json.loads(body)["detail"]

        assert fetch(site.base + "/healthz")[0] == 200  # liveness: the process answers
        status, _headers, body = fetch(site.base + "/readyz")
        assert status == 503 and b"database" in body

        postgres.start()
        status, headers, body = fetch(claim_page)
        assert status == 200 and "Cache-Status" not in headers
        assert b"Output triples by 2027." in body
    finally:
        if not (postgres.data / "postmaster.pid").exists():
            postgres.start()
        site.close()
        redis.close()


# Point 13: a bounded cache, apart from the broker.


def stored_pages(server: RedisServer) -> int:
    return sum(1 for _ in server.client(1).scan_iter(match=f"*{response_cache.KEY_PREFIX}:*"))


def junk_addresses(claim: Claim, count: int) -> list[str]:
    """Query strings that no page of the site links to, or another order of one stored."""
    forms = [
        lambda i: f"/claims/?fbclid={i}",  # a parameter the page does not read
        lambda i: f"/api/v1/claims/?utm_source=mail{i}",
        lambda i: f"/claims/?search=a{i}&search=b",  # a parameter twice
        lambda i: f"/api/v1/claims/?search=x{i}&status=",  # an empty value
        # Out of order: the same page as ?search=x&status=due, so the same entry.
        lambda i: "/api/v1/claims/?status=due&search=x",
        lambda i: f"/claims/?search=a%20{i}",  # another spelling of search=a+{i}
        lambda i: f"/claims/{claim.slug}/?v={i}",
        lambda i: f"/?ref={i}",
    ]
    return [forms[i % len(forms)](i) for i in range(count)]


def test_junk_query_strings_add_no_cache_entries(redis_cache, cache_on, claim, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "100000/min", raising=False)
    client = Client()
    pages = ["/claims/", "/api/v1/claims/", f"/claims/{claim.slug}/", "/"]
    for url in [*pages, "/api/v1/claims/?search=x&status=due"]:
        assert client.get(url).status_code == 200
    before = stored_pages(redis_cache)
    assert before == 5

    for url in junk_addresses(claim, 2000):
        # Answered (the claim list redirects another spelling to its own), never stored.
        assert client.get(url).status_code in (200, 302), url
    assert stored_pages(redis_cache) == before


def test_canonical_query_strings_are_stored_and_errors_never(redis_cache, cache_on, claim):
    client = Client()
    canonical = [
        "/claims/?kind=forecast&status=due",
        "/claims/?page=1&search=output",
        "/api/v1/claims/?ordering=deadline&page_size=10&search=output&status=due",
        "/api/v1/claims/?format=json&page=1",
        "/api/v1/topics/?search=x",
    ]
    for url in canonical:
        assert client.get(url).status_code == 200, url
    assert stored_pages(redis_cache) == len(canonical)

    errors = [
        "/api/v1/claims/?status=nonsense",  # 400
        "/api/v1/claims/?page=99",  # 404
        "/claims/no-such-claim/",
        f"/api/v1/claims/{claim.pk + 1000}/",
    ]
    for url in errors:
        assert 400 <= client.get(url).status_code < 500, url
    assert stored_pages(redis_cache) == len(canonical)


def settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_URL"}}
    code = (
        "from django.conf import settings; "
        "print(settings.CACHES['default'].get('LOCATION'), settings.CELERY_BROKER_URL)"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_the_cache_takes_its_own_redis_database_apart_from_the_broker():
    answer = settings_in_a_fresh_process(REDIS_URL="redis://127.0.0.1:6379/4")
    assert answer.stdout.split() == ["redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/4"]
    answer = settings_in_a_fresh_process(REDIS_URL="redis://127.0.0.1:6379")
    assert answer.stdout.split() == ["redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379"]
    answer = settings_in_a_fresh_process(
        REDIS_URL="redis://127.0.0.1:6379/4", CACHE_URL="redis://cache.internal:6379/0"
    )
    assert answer.stdout.split() == ["redis://cache.internal:6379/0", "redis://127.0.0.1:6379/4"]
    refused = settings_in_a_fresh_process(REDIS_URL="redis://127.0.0.1:6379/15")
    assert refused.returncode != 0 and "set CACHE_URL" in refused.stderr
