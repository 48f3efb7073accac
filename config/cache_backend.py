"""Django's Redis cache, made safe to lose: a Redis that is down or hung is a cache miss.

Everything that uses the cache (the response cache, DRF's throttle, sessions if they ever move
there) reads it as an optimisation, so an error from Redis must never become an error page.
This backend (settings.CACHES) turns every Redis error into what an empty cache would answer:
`get` gives the default, `get_many` nothing, `add` False, `set` and `delete` do nothing. The
one exception is `incr`/`decr`, which raise `CacheUnavailable`: a counter has no "miss", and its
callers (claims.cache's generation) must know that the count did not happen.

Each call waits at most the socket timeouts in OPTIONS (about 0.1 s). After a failure the
process stops asking Redis for `PAUSE_SECONDS` (OPTIONS "pause_seconds", default 5): every call
in that time is answered as a miss at once, so a hung Redis costs one reader 0.1 s every few
seconds, not every reader every call. The failure is logged once per pause, as a warning.

Probes that must see the real state (config/health.py) talk to Redis themselves: `ping()`.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0


class CacheUnavailable(Exception):
    """The cache could not do what was asked (Redis down, hung, or paused after a failure)."""


class _Breaker:
    """Per process and per Redis address: Django makes a cache object per thread, but a
    Redis that failed for one thread has failed for all of them."""

    def __init__(self, pause_seconds: float):
        self.pause_seconds = pause_seconds
        self._lock = threading.Lock()
        self._closed_until = 0.0  # monotonic time until which nobody asks Redis

    def is_open(self) -> bool:
        return time.monotonic() < self._closed_until

    def trip(self, location: str, error: Exception) -> None:
        with self._lock:
            if self.is_open():
                return
            self._closed_until = time.monotonic() + self.pause_seconds
        logger.warning(
            "Cache at %s failed (%s: %s); answering from no cache for %g s.",
            location,
            error.__class__.__name__,
            error,
            self.pause_seconds,
        )

    def reset(self) -> None:
        with self._lock:
            self._closed_until = 0.0


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str, pause_seconds: float) -> _Breaker:
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None:
            breaker = _breakers[location] = _Breaker(pause_seconds)
        breaker.pause_seconds = pause_seconds
        return breaker


def reset_breakers() -> None:
    """Ask Redis again at once (tests; an operator's shell after fixing Redis)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.reset()


# OSError: a socket error that redis-py did not wrap (seen on resets during a hang).
_FAILURES = (RedisError, OSError)


class _SharedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, with one redis.Redis per connection pool where Django makes one
    for every call: its __init__ fills a table of ~170 reply parsers, about 0.1 ms of each of
    the three to five cache calls a page's miss makes (issue 16). A redis.Redis takes a
    connection from its pool for each command, so threads may share one (redis-py's docs)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._clients_lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            with self._clients_lock:
                client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose failures are misses; see the module's docstring."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": dict(params.get("OPTIONS") or {})}
        pause_seconds = float(params["OPTIONS"].pop("pause_seconds", PAUSE_SECONDS))
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient
        self._location = ",".join(self._servers)
        self._breaker = _breaker_for(self._location, pause_seconds)

    @property
    def is_paused(self) -> bool:
        """True while this process is not asking Redis, after a failure."""
        return self._breaker.is_open()

    def _call(self, method, miss, *args, **kwargs):
        if self._breaker.is_open():
            return miss
        try:
            return method(*args, **kwargs)
        except _FAILURES as error:
            self._breaker.trip(self._location, error)
            return miss

    def ping(self) -> None:
        """Raises the real error if Redis does not answer (readiness probes); no breaker."""
        self._cache.get_client(write=True).ping()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that were not stored (all of them).
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)

    def incr(self, key, delta=1, version=None):
        # decr() is incr() with a negative delta in Django's BaseCache.
        if self._breaker.is_open():
            raise CacheUnavailable(f"cache at {self._location} is paused after a failure")
        try:
            return super().incr(key, delta, version)
        except _FAILURES as error:
            self._breaker.trip(self._location, error)
            raise CacheUnavailable(str(error)) from error
