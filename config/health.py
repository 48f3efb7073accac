"""Probes for operators: /healthz (the process answers) and /readyz (it can do its work).

Both skip the response cache, sessions and authentication by being cheap and stateless;
/healthz touches nothing at all, so it is also the benchmark's yardstick (bench/serve.py).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

BROKER_TIMEOUT_SECONDS = 1.0


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: no database, no cache."""
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"database: {error.__class__.__name__}: {error}".strip()
    return None


def _cache() -> str | None:
    try:
        cache.set("readyz", "1", timeout=10)
        if cache.get("readyz") != "1":
            return "cache: a value written could not be read back"
    except Exception as error:
        return f"cache: {error.__class__.__name__}: {error}".strip()
    return None


def _broker() -> str | None:
    """A TCP connect to a network broker (Redis); the filesystem broker needs no check."""
    url = urlsplit(getattr(settings, "CELERY_BROKER_URL", "") or "")
    if url.scheme not in ("redis", "rediss"):
        return None
    try:
        with socket.create_connection(
            (url.hostname or "127.0.0.1", url.port or 6379), timeout=BROKER_TIMEOUT_SECONDS
        ):
            return None
    except OSError as error:
        return f"broker: {error}"


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers SELECT 1, the cache and the broker are reachable."""
    problems = [p for p in (_database(), _cache(), _broker()) if p]
    if problems:
        return JsonResponse({"ready": False, "problems": problems}, status=503)
    return JsonResponse({"ready": True})
