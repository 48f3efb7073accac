"""Real Celery workers on a real Redis for the jobs' tests (no eager mode).

The worker runs in this process (celery.contrib.testing), on threads, against the test
database; tests that use it need committed data, so they use pytest-django's transactional_db.
Redis is REDIS_URL's server (else 127.0.0.1:6379), in a database of its own (TEST_REDIS_DB) so
that no test ever sees the queue of `make run`. Without Redis these tests are skipped, except
in CI (CI set), where they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.worker import state as worker_state

from config.celery import app

TEST_REDIS_DB = 13
# A queue (a Redis list of that name) for this test run alone: two runs side by side, as when
# several developers test at once, never take each other's messages.
QUEUE = f"claim-registry-tests-{os.getpid()}"


def redis_url(db: int = TEST_REDIS_DB) -> str:
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
    return urlunsplit(urlsplit(base)._replace(path=f"/{db}"))


def point_app_at(url: str) -> None:
    """Make the Celery app publish to, and its workers consume from, the broker at `url`."""
    kombu.pools.reset()  # close the pooled connections to the previous broker
    app._pool = None
    app.__dict__.pop("amqp", None)  # and forget the queues and producers made for it
    app.conf.broker_url = url
    app.conf.task_default_queue = QUEUE


@contextmanager
def broker(url: str) -> Iterator[str]:
    previous = app.conf.broker_url
    point_app_at(url)
    try:
        yield url
    finally:
        point_app_at(previous)


@pytest.fixture(scope="session")
def test_redis() -> redis.Redis:
    client = redis.Redis.from_url(redis_url(), socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {redis_url()}: {error}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}. CI must run the worker tests.")
        pytest.skip(f"{message}. Start redis-server to run the worker tests.")
    return client


@pytest.fixture
def redis_broker(test_redis) -> Iterator[redis.Redis]:
    """The app publishing to this run's queue in the test Redis database, empty at the start."""
    test_redis.delete(QUEUE)
    with broker(redis_url()):
        yield test_redis
    test_redis.delete(QUEUE)


@pytest.fixture
def celery_worker(redis_broker, transactional_db) -> Iterator[object]:
    """A worker with two threads, consuming from the test Redis."""
    assert not app.conf.task_always_eager  # a real worker takes the messages
    app.conf.worker_hijack_root_logger = False  # keep pytest's log capture
    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
    ) as worker:
        yield worker


def wait_until(predicate: Callable[[], object], *, timeout: float = 15, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.05)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what or predicate}")


def wait_until_idle(broker_client: redis.Redis, *, timeout: float = 20, quiet: float = 0.5) -> None:
    """Wait until the queue has been empty and the worker idle for `quiet` seconds on end (a
    task that is finishing may still publish another)."""
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        idle = (
            broker_client.llen(QUEUE) == 0
            and not worker_state.active_requests
            and not worker_state.reserved_requests
        )
        if not idle:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= quiet:
            return
        time.sleep(0.05)
    raise AssertionError(f"The worker was still busy after {timeout} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def throwaway_redis() -> Iterator[tuple[str, subprocess.Popen]]:
    """A redis-server of the test's own, on a free port, that the test may stop."""
    port = free_port()
    try:
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; CI must run the broker-outage test.")
        pytest.skip("redis-server is not installed (apt-get install redis-server).")
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    try:
        wait_until(lambda: _pings(client), timeout=10, what=f"redis-server on port {port}")
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.kill()
        process.wait()


def _pings(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False
