"""Probes for operators: /healthz (the process answers) and /readyz (the registry can do its
work).

Both skip the response cache, sessions and authentication by being cheap and stateless;
/healthz touches nothing at all, so it is also the benchmark's yardstick (bench/serve.py).

Load balancers probe /healthz; /readyz is for monitoring. It answers 503 when the database,
cache or broker does not answer, and also when a scheduled job is late (its last success older
than twice its period: beat or the workers stopped), because then editors are no longer told
of claims falling due, and that is what a monitor watching /readyz must page someone about.
Routing traffic on /readyz would take every web process out of service for a stopped beat,
which is why the load balancer uses /healthz. Failed notifications are reported in the detail
(an editor's matter, shown on the editors' desk) without making it 503.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from claims.jobs.runs import job_health
from claims.models import Notification, NotificationState

# A hung broker (accepting connections, never answering) costs /readyz this long at most.
BROKER_TIMEOUT_SECONDS = 0.5


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
    """A PING to a network broker (Redis), with a short timeout: a TCP connect alone succeeds
    while Redis hangs. The filesystem broker needs no check."""
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if urlsplit(url).scheme not in ("redis", "rediss"):
        return None
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        retry_on_timeout=False,
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return f"broker: {error.__class__.__name__}: {error}".strip()
    finally:
        client.close()
    return None


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers SELECT 1, the cache a write and read, the broker a PING,
    and no scheduled job is late (see the module's docstring). The detail lists each job's
    state and last success, and how many notifications failed for good."""
    problems = [p for p in (_database(), _cache(), _broker()) if p]
    detail: dict = {}
    if not any(p.startswith("database") for p in problems):
        jobs = job_health()
        detail["jobs"] = {
            job["name"]: {"state": job["state"], "last_succeeded_at": job["last_succeeded_at"]}
            for job in jobs
        }
        problems += [
            f"job late: {job['name']} last succeeded at {job['last_succeeded_at']}"
            for job in jobs
            if job["state"] == "late"
        ]
        detail["failed_notifications"] = Notification.objects.filter(
            state=NotificationState.FAILED
        ).count()
    if problems:
        return JsonResponse({"ready": False, "problems": problems, **detail}, status=503)
    return JsonResponse({"ready": True, **detail})
