"""A database that is down is a 503 "briefly unavailable", not a 500 "something went wrong".

Django wraps every driver's connection failures (refused, reset, the server gone mid-query) in
`django.db.OperationalError` or `InterfaceError`, on SQLite and PostgreSQL alike. Raised by a
view (or while rendering its answer), they become a 503 with `Retry-After`: a plain page on the
site, JSON under /api/. The page is rendered without the database (no base template, no user).
The response cache (claims.cache), which sits outside this middleware, serves its stored copy
of the address instead when it has one.

This is an answer for readers, not a probe: /healthz stays a liveness check that touches
nothing, and /readyz reports the database (config/health.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
MESSAGE = "The registry is briefly unavailable. Please try again in a few seconds."


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 for a request that needed the database while it was away."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Read by claims.cache.ResponseCacheMiddleware: serve a stored copy instead, if any.
    response.database_unavailable = True
    return response


class DatabaseUnavailableMiddleware:
    """Turns a view's database connection failure into `database_unavailable`'s 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)
