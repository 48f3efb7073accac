"""The response cache: anonymous GETs of reader pages and API reads, served from the cache.

Invalidation is one number, the registry generation, kept in the Django cache (Redis when
REDIS_URL is set). Every stored answer carries the generation it was made under, and is served
only while that is still the current one (both are read in one round trip), so a write that
bumps it retires every stored page at once; nothing has to know which pages show what. Every
write bumps it once its transaction commits (`registry_changed`), so a request that reads the
generation never sees the new number before the data it stands for, and a rolled-back write
bumps nothing. Model signals cover the ORM's writes (admin, API, seed loader, lifecycle);
`flag_due_claims`, a raw UPDATE, calls `registry_changed` itself. The key is the address (with its query string), scheme, host,
Accept header and today's date (pages say how long is left); an entry is replaced by the next
answer for its key, and expires after RESPONSE_CACHE_SECONDS.

The middleware sits before sessions and authentication: a hit is answered without touching
either, nor the database. Only anonymous requests (no session cookie, no Authorization header)
are served or stored, and only 200 answers that set no cookie.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response

logger = logging.getLogger(__name__)

GENERATION_KEY = "registry:generation"
# The admin is for editors; the probes must not depend on the cache (config/health.py).
UNCACHED_PREFIXES = ("/admin/", "/healthz", "/readyz")
KEY_PREFIX = "response"
# Response headers that may vary a stored answer; anything else in Vary is not stored.
HANDLED_VARY = {"accept", "cookie", "authorization"}
# Cookies that mean "this visitor has a session or a message waiting": never served from cache.
PRIVATE_COOKIES = ("messages",)


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def _bump() -> None:
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # not there yet (or evicted): any new number will do
            if not cache.add(GENERATION_KEY, 2, timeout=None):
                cache.incr(GENERATION_KEY)
    except Exception:  # the cache is down: nothing is served from it either
        logger.exception("Could not bump the registry generation.")


def registry_changed() -> None:
    """Call after any write that a reader page or an API read shows. Takes effect on commit
    (at once outside a transaction); a rolled-back write changes nothing."""
    transaction.on_commit(_bump, robust=True)


def _on_write(sender, **kwargs) -> None:
    registry_changed()


def connect_signals() -> None:
    """Every model the reader site or the API shows; called from ClaimsConfig.ready()."""
    from claims.models import Claim, Evidence, Transition
    from registry.models import Article, Entity, Outlet, Topic

    for model in (Claim, Evidence, Transition, Article, Outlet, Entity, Topic):
        uid = f"registry-changed-{model._meta.label_lower}"
        post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (Claim.about.through, Claim.topics.through):
        m2m_changed.connect(
            _on_write, sender=through, dispatch_uid=f"registry-changed-{through._meta.label_lower}"
        )
    for model in (Article, Outlet, Entity, Topic):
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _on_write,
                sender=field.remote_field.through,
                dispatch_uid=f"registry-changed-{field.remote_field.through._meta.label_lower}",
            )


def _is_anonymous(request: HttpRequest) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(
        name in cookies for name in PRIVATE_COOKIES
    )


def _lookup(request: HttpRequest) -> tuple[str, int, dict | None]:
    """The page's key, the current generation, and the stored answer if it is of that
    generation: one round trip to the cache for both."""
    key = _cache_key(request)
    found = cache.get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY)
    if current is None:
        return key, generation(), None
    stored = found.get(key)
    if stored is not None and stored["generation"] != current:
        stored = None
    return key, int(current), stored


def _cache_key(request: HttpRequest) -> str:
    # Today's date: pages say how long is left. Scheme and host: the API's links are absolute.
    parts = "\n".join(
        [
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            request.META.get("HTTP_ACCEPT", ""),
        ]
    )
    digest = hashlib.sha256(parts.encode()).hexdigest()
    return f"{KEY_PREFIX}:{timezone.localdate().isoformat()}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME) or "HTTP_AUTHORIZATION" in request.META:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= HANDLED_VARY


class ResponseCacheMiddleware:
    """Serves and stores anonymous GETs; see the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = getattr(settings, "RESPONSE_CACHE_SECONDS", 0)
        if (
            not seconds
            or request.method != "GET"
            or request.path.startswith(UNCACHED_PREFIXES)
            or not _is_anonymous(request)
        ):
            return self.get_response(request)
        try:
            key, current, stored = _lookup(request)
        except Exception:  # DisallowedHost (answered below, uncached), or the cache is down
            logger.debug("Response cache unavailable for %s", request.path, exc_info=True)
            return self.get_response(request)
        if stored is not None:
            return self._replay(request, stored)
        response = self.get_response(request)
        if _storable(request, response):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            try:
                cache.set(
                    key,
                    # The generation read before the page was made: if a write committed
                    # meanwhile, this entry is already out of date and is never served.
                    {
                        "generation": current,
                        "content": response.content,
                        "headers": dict(response.items()),
                    },
                    timeout=seconds,
                )
            except Exception:
                logger.warning("Could not store %s in the response cache.", request.path)
        return response

    @staticmethod
    def _replay(request: HttpRequest, stored: dict) -> HttpResponse:
        response = HttpResponse(stored["content"])
        for name, value in stored["headers"].items():
            response[name] = value
        etag = stored["headers"].get("ETag")
        if etag:  # the API's conditional GET (api.base.ConditionalMixin), on a hit
            return get_conditional_response(request, etag=etag, response=response)
        return response
