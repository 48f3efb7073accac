"""The response cache: anonymous GETs of reader pages and API reads, served from the cache.

Invalidation is by tags (docs/performance.md, "How invalidation decides what to empty"). A
view declares the tags its page shows (`cache_tags`: "claim:{slug}", "lists"); a page that
declares none depends on ANY_WRITE_TAG, which every write moves, and every page depends on
ALL_TAG. Each tag's generation is a number in the Django cache (Redis when CACHE_URL is set).
The tags come from the URL, so a request reads the stored answer and its tags' generations in
one round trip before the view runs; the answer is served only while all are still the ones
it was stored under. A write bumps the tags of what it changed once its transaction commits
(`registry_changed(tags)`, `claims_changed(claims)`), so a request never sees a new
generation before the data it stands for, and a rolled-back write bumps nothing. Model signals
cover the ORM's writes (admin, API, seed loader, lifecycle); `flag_due_claims`, a raw UPDATE,
names the claims it flagged; `registry_changed()` with no tags retires every page.

A bump the cache does not take (Redis down, hung, or paused after a failure) is not lost: it
bumps the database's epoch instead (`ResponseCacheEpoch`), which every process re-reads at most
once every RESPONSE_CACHE_EPOCH_SECONDS (1 s) and which every entry also carries; a lost bump
of any tag retires every page. So a write reaches every reader within about a second of Redis
answering again, and on the very next request in the process that wrote it; a cache hit still
costs no query between re-reads.

The key is the path and its query string (parameters in sorted order), scheme, host, Accept
header and today's date
(pages say how long is left); an entry is replaced by the next answer for its key, and expires
after RESPONSE_CACHE_SECONDS. Only 200 answers are stored, and only under a canonical query
string (`cache_query_params`), so the cache holds at most one entry per page a reader can
reach, whatever query strings a crawler invents.

Fragments (the end of this module) reuse the same tags for parts of pages: a claim's row in a
list, its page, its API representation, each used only while its claim's tags are still those
it was made under, so a page that missed the cache still renders only what changed.

The middleware sits before sessions and authentication: a hit is answered without touching
either, nor the database. Only anonymous requests (no session cookie, no Authorization header)
are served or stored, and only answers that set no cookie. While the database is away
(config.middleware's 503), the stored answer for the address is served whatever its
generation, marked with a `Cache-Status` header.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response

logger = logging.getLogger(__name__)

# Tags (see "How invalidation decides what to empty" in docs/performance.md). Every write moves
# ANY_WRITE_TAG (kept under the old key of the one registry generation); registry_changed()
# without tags moves ALL_TAG, which every page depends on.
ANY_WRITE_TAG = "*"
ALL_TAG = "all"
LISTS_TAG = "lists"
# Articles, outlets, entities and topics themselves (the claim list's drop-downs name them).
SOURCES_TAG = "sources"
# Lists' shapes (which claims a page of a list holds, in which order, and how many: see
# cached_shape below): SHAPES_TAG is every shape's, moved by a claim created or deleted and by any
# write that does not say which columns it changed; shape_tag(column) is the shapes' that
# filter, search or sort by that column ("about" and "topics" for the claims' links).
SHAPES_TAG = "shapes"
GENERATION_KEY = "registry:generation"
# A write touching more claims than this retires every page instead of naming each.
BULK_TAG_LIMIT = 1000
# The database's copy (claims.models.ResponseCacheEpoch), for bumps the cache did not take.
EPOCH_NAME = "registry"
# The admin is for editors; the probes must not depend on the cache (config/health.py).
UNCACHED_PREFIXES = ("/admin/", "/healthz", "/readyz")
KEY_PREFIX = "response"
# Response headers that may vary a stored answer; anything else in Vary is not stored.
HANDLED_VARY = {"accept", "cookie", "authorization"}
# Cookies that mean "this visitor has a session or a message waiting": never served from cache.
PRIVATE_COOKIES = ("messages",)
# Said on a stored page served while the database is away (RFC 9211's Cache-Status).
STALE_CACHE_STATUS = 'claim-registry; hit; detail="stale: database unavailable"'


def tag_key(tag: str) -> str:
    return GENERATION_KEY if tag == ANY_WRITE_TAG else f"registry:tag:{tag}"


def generation(tag: str = ANY_WRITE_TAG) -> int:
    """A tag's current generation; by default the one every write moves."""
    key = tag_key(tag)
    value = cache.get(key)
    if value is None:
        cache.add(key, _fresh_generation(), timeout=None)
        value = cache.get(key, 1)
    return int(value)


def cache_tags(*templates: str) -> Callable:
    """Declare what a view's page shows, as tags: "lists" (any claim's row, counts or source),
    "claim:{slug}" (one claim's page; `{name}` is filled from the URL's arguments). A stored
    page is served while none of its tags moved; a view that declares none depends on every
    write (ANY_WRITE_TAG), so nothing is served stale by omission. A DRF viewset declares its
    reads' tags by action instead, as a class attribute: `response_cache_tags = {"list":
    ("lists",), "retrieve": ("claim-id:{pk}",)}`; a Feed, as a class attribute of the same name."""

    def decorator(view: Callable) -> Callable:
        view.response_cache_tags = tuple(templates)
        return view

    return decorator


def _page_tags(request: HttpRequest) -> tuple[str, ...]:
    """The page's tags, from its view's declaration and the URL's arguments (before the view
    runs: their generations are read before the page's data is)."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return (ALL_TAG, ANY_WRITE_TAG)
    templates = getattr(match.func, "response_cache_tags", None)
    actions = getattr(match.func, "actions", None)  # a DRF viewset's view: {"get": "list"}
    if templates is None and actions is not None:
        templates = getattr(match.func.cls, "response_cache_tags", {}).get(actions.get("get"))
    if not templates:
        return (ALL_TAG, ANY_WRITE_TAG)
    return (ALL_TAG, *(template.format(**match.kwargs) for template in templates))


def _fresh_generation() -> int:
    # A generation that was evicted or lost with Redis starts again above any it can have had
    # (one per write, far fewer than one per microsecond), so no old entry matches it again.
    return time.time_ns() // 1000


class _Epoch:
    """This process's copy of the database epoch and when it was read."""

    value: int | None = None
    read_at: float = 0.0


_epoch = _Epoch()
# Monotonic clock, replaceable by tests of the re-read interval.
_clock = time.monotonic


def epoch() -> int:
    """The database epoch, re-read at most once every RESPONSE_CACHE_EPOCH_SECONDS.

    If the database does not answer, the last value read stands (tried again next interval);
    with none read yet the error propagates.
    """
    from claims.models import ResponseCacheEpoch

    now = _clock()
    interval = getattr(settings, "RESPONSE_CACHE_EPOCH_SECONDS", 1.0)
    if _epoch.value is None or now - _epoch.read_at >= interval:
        try:
            value = (
                ResponseCacheEpoch.objects.filter(name=EPOCH_NAME)
                .values_list("value", flat=True)
                .first()
            )
        except DatabaseError:
            if _epoch.value is None:
                raise
            _epoch.read_at = now
        else:
            _epoch.value, _epoch.read_at = value or 0, now
    return _epoch.value


def forget_epoch(**kwargs) -> None:
    """Re-read the epoch on the next request (after a bump here; when tests change settings)."""
    _epoch.value, _epoch.read_at = None, 0.0


def _bump_epoch() -> None:
    from claims.models import ResponseCacheEpoch

    updated = ResponseCacheEpoch.objects.filter(name=EPOCH_NAME).update(value=F("value") + 1)
    if not updated:
        ResponseCacheEpoch.objects.get_or_create(name=EPOCH_NAME, defaults={"value": 2})
    forget_epoch()


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or evicted): any new number will do
        if not cache.add(key, _fresh_generation(), timeout=None):
            cache.incr(key)


def _bump(tags: frozenset[str] = frozenset({ALL_TAG})) -> None:
    try:
        # ANY_WRITE_TAG first: every write moves it (pages that declare no tags depend on it).
        for tag in (ANY_WRITE_TAG, *sorted(tags - {ANY_WRITE_TAG})):
            _incr(tag_key(tag))
        return
    except Exception as error:  # down, hung, or paused after a failure (CacheUnavailable)
        logger.warning(
            "Could not bump the response cache's tags in the cache (%s); bumping the "
            "database epoch instead, which retires every stored page.",
            error,
        )
    try:
        _bump_epoch()
    except Exception:
        logger.exception("Could not bump the registry generation, in the cache or the database.")


# Evidence fields only the link checker and the snapshot taker keep: a save of these alone
# changes nothing a reader sees.
EVIDENCE_BOOKKEEPING_FIELDS = frozenset(
    {"link_next_check_at", "link_lease", "link_leased_until", "snapshot_due_at", "link_failures"}
)


def registry_changed(tags: Iterable[str] | None = None) -> None:
    """Call after any write that a reader page or an API read shows. Takes effect on commit
    (at once outside a transaction); a rolled-back write changes nothing.

    `tags` are the tags of what the write changed (`claim_tags`, LISTS_TAG); without them every
    stored page is retired (ALL_TAG)."""
    chosen = frozenset(tags) if tags is not None else frozenset({ALL_TAG})
    transaction.on_commit(lambda: _bump(chosen), robust=True)


def claim_tags(slugs: Iterable[str | None] = (), ids: Iterable[int | None] = ()) -> set[str]:
    """The tags of these claims' pages: "claim:<slug>" for the reader's (addressed by slug),
    "claim-id:<id>" for the API's (addressed by id). Every write that changes a claim's page
    or representation names both, so each address's page can declare its own."""
    return {f"claim:{slug}" for slug in slugs if slug} | {
        f"claim-id:{pk}" for pk in ids if pk is not None
    }


def claims_changed(
    claims: QuerySet | Iterable[int],
    *,
    lists: bool = True,
    columns: Iterable[str] | None = None,
) -> None:
    """Tell the cache that these claims (a queryset, or their ids) changed: their pages, and
    with `lists` every list, and the shapes of the lists that read `columns` (every list's shape
    when the write does not say). Takes effect on commit, when their slugs are read (no query in
    the write itself); more than BULK_TAG_LIMIT claims, or a failed read, retire every page."""
    from claims.models import Claim

    if not isinstance(claims, QuerySet):
        ids = list(claims)
        if len(ids) > BULK_TAG_LIMIT:
            registry_changed()
            return
        claims = Claim.objects.filter(pk__in=ids)

    def bump_their_tags() -> None:
        try:
            rows = list(claims.values_list("pk", "slug")[: BULK_TAG_LIMIT + 1])
        except DatabaseError:
            logger.warning("Could not read the changed claims' slugs; retiring every page.")
            rows = None
        if rows is None or len(rows) > BULK_TAG_LIMIT:
            _bump()
        else:
            tags = claim_tags((slug for _pk, slug in rows), (pk for pk, _slug in rows))
            if lists:
                tags |= {LISTS_TAG} | shape_tags(columns)
            _bump(frozenset(tags))

    transaction.on_commit(bump_their_tags, robust=True)


def _remember_loaded(sender, instance, **kwargs) -> None:
    # What the row was when loaded: a save that moves a claim (a new slug, another claim for a
    # piece of evidence) changes the page it left too.
    instance._response_cache_loaded = {
        name: instance.__dict__.get(name) for name in ("slug", "claim_id")
    }


def _loaded(instance, name: str):
    return getattr(instance, "_response_cache_loaded", {}).get(name)


def shape_tag(column: str) -> str:
    return f"shape:{column}"


def shape_tags(columns: Iterable[str] | None) -> set[str]:
    """The tags a write moves for lists' shapes: of the lists that read `columns`, or of every
    list when None (a write that cannot say what it changed)."""
    if columns is None:
        return {SHAPES_TAG}
    return {shape_tag(column) for column in columns}


def list_shape_tags_reading(columns: Iterable[str]) -> set[str]:
    """The tags of a list's shape (cached_shape) that filters, searches or sorts by `columns`:
    the shape_tag() of each, SHAPES_TAG (moved by a claim's creation or deletion, and by a write
    that cannot say what it changed) and SOURCES_TAG (a filter may name a source, a search may
    find one by name)."""
    return {SHAPES_TAG, SOURCES_TAG, *(shape_tag(column) for column in columns)}


# The claim columns some list filters, searches or sorts by (reader.filters, api.filters,
# claims.queries.SEARCH_FIELDS): a write that changes none of them moves no list's shape.
SHAPE_COLUMNS = (
    "status",
    "verdict",
    "kind",
    "claimant_type",
    "deadline",
    "made_on",
    "created_at",
    "updated_at",
    "resolved_at",
    "article_id",
    "claimant_id",
    "statement",
    "quote",
    "slug",
    "deadline_text",
)


def _read_stored_shape(sender, instance, **kwargs) -> None:
    # Compared with what is saved, in _on_claim_write: the stored row, read in the write's own
    # transaction (under the lifecycle's row lock), not the copy the caller loaded, which may be
    # older (a copy that puts back an older deadline moves the lists that sort by it).
    instance._stored_shape = (
        None
        if instance._state.adding or instance.pk is None
        else sender._default_manager.filter(pk=instance.pk).values(*SHAPE_COLUMNS).first()
    )


def _moved_shapes(instance, *, new_or_gone: bool) -> set[str]:
    stored = instance.__dict__.pop("_stored_shape", None)
    if new_or_gone or stored is None:  # or saved without a pre_save read: every shape
        return shape_tags(None)
    return shape_tags(
        column for column in SHAPE_COLUMNS if stored[column] != getattr(instance, column)
    )


def _on_claim_write(sender, instance, created: bool = False, **kwargs) -> None:
    tags = claim_tags({instance.slug, _loaded(instance, "slug")}, {instance.pk})
    deleted = kwargs.get("signal") is post_delete
    registry_changed(tags | {LISTS_TAG} | _moved_shapes(instance, new_or_gone=created or deleted))


def _on_claim_part_write(sender, instance, update_fields=None, **kwargs) -> None:
    # Evidence, transitions: shown on their claim's page only.
    if update_fields is not None and set(update_fields) <= EVIDENCE_BOOKKEEPING_FIELDS:
        return
    ids = {instance.claim_id, _loaded(instance, "claim_id")} - {None}
    claims_changed(ids, lists=False)


def _on_claim_m2m(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    from claims.models import Claim

    links = "about" if sender is Claim.about.through else "topics"
    if reverse and action == "post_clear":  # entity.claims_about.clear(): no pk_set says whose
        registry_changed()
    elif reverse:  # entity.claims_about.add(...), topic.claims.add(...)
        claims_changed(pk_set or (), columns=[links])
    else:
        tags = claim_tags({instance.slug}, {instance.pk}) | {LISTS_TAG, shape_tag(links)}
        registry_changed(tags)


def _on_source_write(sender, instance, **kwargs) -> None:
    # Articles, outlets, entities, topics: every list and source page shows them, and so does
    # the page of each claim that names them.
    from claims.models import Claim
    from registry.models import Article, Entity, Outlet, Topic

    registry_changed({SOURCES_TAG})
    if isinstance(instance, Article):
        claims = Claim.objects.filter(article=instance)
    elif isinstance(instance, Outlet):
        claims = Claim.objects.filter(article__outlet=instance)
    elif isinstance(instance, Entity):
        claims = Claim.objects.filter(Q(claimant=instance) | Q(about=instance)).distinct()
    elif isinstance(instance, Topic):
        claims = Claim.objects.filter(topics=instance)
    else:
        registry_changed()
        return
    if kwargs.get("signal") is post_delete:  # rare; what named it may already be unlinked
        registry_changed()
        return
    claims_changed(claims)


def _on_write(sender, **kwargs) -> None:
    registry_changed()


def _on_setting_changed(setting: str, **kwargs) -> None:
    if setting in ("CACHES", "DATABASES", "RESPONSE_CACHE_EPOCH_SECONDS"):
        forget_epoch()


def connect_signals() -> None:
    """Every model the reader site or the API shows; called from ClaimsConfig.ready()."""
    setting_changed.connect(_on_setting_changed, dispatch_uid="response-cache-settings")
    from claims.models import Claim, Evidence, Transition
    from registry.models import Article, Entity, Outlet, Topic

    handlers = {
        Claim: _on_claim_write,
        Evidence: _on_claim_part_write,
        Transition: _on_claim_part_write,
        Article: _on_source_write,
        Outlet: _on_source_write,
        Entity: _on_source_write,
        Topic: _on_source_write,
    }
    for model, handler in handlers.items():
        uid = f"registry-changed-{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}-delete")
    pre_save.connect(_read_stored_shape, sender=Claim, dispatch_uid="response-cache-claim-shape")
    for model in (Claim, Evidence):
        post_init.connect(
            _remember_loaded, sender=model, dispatch_uid=f"response-cache-{model._meta.model_name}"
        )
    for through in (Claim.about.through, Claim.topics.through):
        m2m_changed.connect(
            _on_claim_m2m,
            sender=through,
            dispatch_uid=f"registry-changed-{through._meta.label_lower}",
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


@dataclass(frozen=True)
class _Lookup:
    key: str
    # The page's tags and their current generations.
    tags: dict[str, int]
    # None when the database did not answer: nothing is stored then.
    epoch: int | None
    # The stored answer for the key, of whatever generation and epoch.
    stored: dict | None

    @property
    def fresh(self) -> bool:
        """The stored answer was made under the current generation and epoch."""
        return (
            self.stored is not None
            and self.epoch is not None
            and self.stored.get("tags") == self.tags
            and self.stored.get("epoch") == self.epoch
        )


def _lookup(request: HttpRequest) -> _Lookup:
    """The page's key, its tags' current generations and the epoch, and the stored answer: one
    round trip to the cache, and a database read at most once every RESPONSE_CACHE_EPOCH_SECONDS."""
    key = _cache_key(request)
    tags = _page_tags(request)
    found = cache.get_many([key, *(tag_key(tag) for tag in tags)])
    current = {}
    for tag in tags:
        value = found.get(tag_key(tag))
        current[tag] = int(value) if value is not None else generation(tag)
    try:
        current_epoch = epoch()
    except DatabaseError:
        current_epoch = None
    return _Lookup(key, current, current_epoch, found.get(key))


def _cache_key(request: HttpRequest) -> str:
    # Today's date: pages say how long is left. Scheme and host: the API's links are absolute.
    parts = "\n".join(
        [
            request.scheme,
            request.get_host(),
            request.path,
            # In a fixed (sorted) order: the same parameters given in another order are the
            # same page, and one entry.
            urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", "")))),
            request.META.get("HTTP_ACCEPT", ""),
        ]
    )
    digest = hashlib.sha256(parts.encode()).hexdigest()
    return f"{KEY_PREFIX}:{timezone.localdate().isoformat()}:{digest}"


def cache_query_params(*names: str) -> Callable:
    """Name the query parameters of a view whose answers may be stored (its filters, `page`).

    An address with any other parameter, one twice or one empty is served but never stored, and
    the key holds the parameters in sorted order: each page has one cache entry, so junk query
    strings cannot fill the cache. Views without this decorator are stored only without a query
    string; DRF views declare theirs through their filter backends and paginator
    (`api_query_params`).
    """

    def decorator(view: Callable) -> Callable:
        view.response_cache_query_params = frozenset(names)
        return view

    return decorator


_api_params_by_view: dict[tuple[type, str | None], frozenset[str]] = {}


def api_query_params(view) -> frozenset[str]:
    """What a DRF view reads from the query string: `format`, and on a list its filters,
    search, ordering and pagination, as its schema documents them."""
    from rest_framework.settings import api_settings

    action = getattr(view, "action", None)
    known = _api_params_by_view.get((type(view), action))
    if known is None:
        names = {api_settings.URL_FORMAT_OVERRIDE}
        if action == "list":
            for backend_class in getattr(view, "filter_backends", ()):
                backend = backend_class()
                if hasattr(backend, "get_filterset_class"):  # django-filter's
                    filterset = backend.get_filterset_class(view, view.get_queryset())
                    names |= set(filterset.base_filters) if filterset else set()
                else:  # DRF's search and ordering
                    names |= {p["name"] for p in backend.get_schema_operation_parameters(view)}
            paginator = getattr(view, "paginator", None)
            if paginator is not None:
                names |= {p["name"] for p in paginator.get_schema_operation_parameters(view)}
        known = _api_params_by_view[(type(view), action)] = frozenset(names)
    return known


def _known_query_params(request: HttpRequest, response: HttpResponse) -> frozenset[str]:
    view = getattr(response, "renderer_context", {}).get("view")
    if view is not None:
        return api_query_params(view)
    match = getattr(request, "resolver_match", None)
    return getattr(match.func, "response_cache_query_params", frozenset()) if match else frozenset()


def canonical_query_string(raw: str) -> str:
    """A query string as the cache stores it: empty values dropped, encoded as urlencode does.
    A page may redirect other spellings here (the reader's claim list does: a submitted filter
    form sends every field, empty ones included)."""
    pairs = [(name, value) for name, value in parse_qsl(raw, keep_blank_values=True) if value]
    return urlencode(pairs)


def _canonical_query(request: HttpRequest, response: HttpResponse) -> bool:
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return True
    pairs = parse_qsl(raw, keep_blank_values=True)
    names = [name for name, _value in pairs]
    return (
        len(names) == len(set(names))
        and all(value for _name, value in pairs)
        and set(names) <= _known_query_params(request, response)
        and urlencode(pairs) == raw
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    # 200 only: a 4xx (a bad filter, an unknown page) or a 5xx is never stored.
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME) or "HTTP_AUTHORIZATION" in request.META:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= HANDLED_VARY and _canonical_query(request, response)


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
            found = _lookup(request)
        except Exception:  # DisallowedHost (answered below, uncached), or the cache failed
            logger.debug("Response cache unavailable for %s", request.path, exc_info=True)
            return self.get_response(request)
        if found.fresh:
            return self._replay(request, found.stored)
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False):
            # config.middleware's 503: what the cache holds beats an error page, however old.
            if found.stored is not None:
                stale = self._replay(request, found.stored)
                stale["Cache-Status"] = STALE_CACHE_STATUS
                return stale
            return response
        if found.epoch is not None and _storable(request, response):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            # The tags' generations and the epoch read before the page was made: if a write
            # committed meanwhile, this entry is already out of date and is never served.
            entry = {
                "tags": found.tags,
                "epoch": found.epoch,
                "content": response.content,
                "headers": dict(response.items()),
            }
            cache.set(found.key, entry, timeout=seconds)
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


# --- Fragments ------------------------------------------------------------------------------
#
# Parts of pages that change only when their claim does (a claim's row in a list, a claim's
# page, a claim's API representation), stored under the same tags as whole pages and used only
# while every one of them, and the epoch, is still what it was when the fragment was made.
# docs/performance.md, "Fragments". Off with FRAGMENT_CACHE_SECONDS=0 (and in tests).

FRAGMENT_KEY_PREFIX = "fragment"


def fragments_on() -> bool:
    return getattr(settings, "FRAGMENT_CACHE_SECONDS", 0) > 0


def cached_fragment(
    kind: str, fragment_id, tags: Iterable[str], make: Callable[[], Any], *, variant=()
) -> Any:
    """One fragment (a claim's page) whose tags are known from its address: `make()` reads
    the data itself, and is called only after the tags' generations were read."""
    made = _fragments(
        kind, {fragment_id: tuple(tags)}, lambda ids: {fragment_id: make()}, variant=variant
    )
    return made[fragment_id]


def claims_to_page(claims: QuerySet) -> QuerySet:
    """What a list pages over: with fragments on, only each claim's (pk, slug), for the
    fragments' tags (a claim missing from the cache is read again, after them: `claim_fragments`);
    with them off, the claims themselves, read once as before."""
    return claims.values_list("pk", "slug", named=True) if fragments_on() else claims


class ListedClaim(NamedTuple):
    """A claim as a list's shape keeps it: what `claims_to_page` reads of each, and picklable
    (Django's named rows are of a class made per query)."""

    pk: int
    slug: str


def listed(rows: Iterable) -> list[ListedClaim]:
    return [ListedClaim(row.pk, row.slug) for row in rows]


def shape_key(query: QueryDict, known: Iterable[str]) -> str | None:
    """What a list's shape is kept under (cached_shape): its query's parameters, sorted. None
    when one is not a parameter the list reads, is given twice or is empty, as for whole pages
    (`cache_query_params`): junk query strings cannot fill the cache, and a query refused for a
    parameter given twice is never answered by the shape of the query that gives it once."""
    known = frozenset(known)
    pairs = sorted(query.lists())
    if any(name not in known or len(values) != 1 or not values[0] for name, values in pairs):
        return None
    return urlencode([(name, values[0]) for name, values in pairs])


def cached_shape(kind: str, key: str | None, tags: Iterable[str], make: Callable[[], Any]) -> Any:
    """A list's shape (a page of `claims_to_page` rows as `listed()` keeps them, and how many
    the list holds), kept under `tags`: list_shape_tags_reading() of the columns the list
    filters, searches or sorts by. `key` says which list and page (shape_key); None: made, not
    kept. The rows themselves are each claim's fragments."""
    if key is None:
        return make()
    return cached_fragment(kind, hashlib.sha256(key.encode()).hexdigest()[:32], tags, make)


def claim_fragments(
    kind: str,
    page: list,
    make: Callable[[list], dict],
    *,
    reload: Callable[[list[int]], Iterable],
    tags: Callable[[Any], Iterable[str]],
    variant: Iterable = (),
) -> dict:
    """The fragments of a page of claims (`page`, from `claims_to_page`), {pk: fragment}, with
    their tags read in one `get_many` and the missing ones stored in one `set_many`.

    `make(claims)` makes {pk: fragment} from claims; with fragments on, it gets those of the
    page missing from the cache, read again by `reload(pks)` after their tags' generations (so
    a write they miss has not bumped its tags yet, and retires what is stored now). `tags(row)`
    are a row's tags, from its pk and slug. `variant` is everything else a fragment shows that
    is not in its tags: today's date if it says how long is left, the scheme and host if it
    holds absolute addresses, a page's option (show the time changed); the language is always
    part of the key. A claim deleted since the page was read is left out."""
    if not fragments_on():
        return dict(make(page))
    return _fragments(
        kind,
        {row.pk: tuple(tags(row)) for row in page},
        lambda pks: make(list(reload(pks))),
        variant=variant,
    )


def _fragments(
    kind: str,
    tags_by_id: dict[Any, tuple[str, ...]],
    make: Callable[[list], dict],
    *,
    variant: Iterable,
) -> dict:
    """{id: fragment}: from the cache where its tags and the epoch are those it was made under,
    else from `make(ids)`, which must read its data after this (it is called after the read)."""
    if not fragments_on():
        return dict(make(list(tags_by_id)))
    try:
        current_epoch = epoch()
    except DatabaseError:
        return dict(make(list(tags_by_id)))
    variant_key = "\n".join([translation.get_language() or "", *map(str, variant)])
    digest = hashlib.sha256(variant_key.encode()).hexdigest()[:16]
    keys = {fid: f"{FRAGMENT_KEY_PREFIX}:{kind}:{digest}:{fid}" for fid in tags_by_id}
    wanted = {fid: (ALL_TAG, *tags) for fid, tags in tags_by_id.items()}
    tag_keys = {tag: tag_key(tag) for tags in wanted.values() for tag in tags}
    found = cache.get_many([*keys.values(), *tag_keys.values()])
    current = {tag: found.get(key) for tag, key in tag_keys.items()}
    current = {tag: None if value is None else int(value) for tag, value in current.items()}
    missing_tags = [tag for tag, value in current.items() if value is None]
    if missing_tags:
        # Started now, above any generation they can have had (as `generation` does), in one
        # round trip. A fragment that shows one is made but not stored this time: a write may
        # have started the tag meanwhile, and the number set here would hide it.
        cache.set_many({tag_keys[tag]: _fresh_generation() for tag in missing_tags}, timeout=None)

    fragments, to_make = {}, []
    for fid, key in keys.items():
        entry = found.get(key)
        recorded = {tag: current[tag] for tag in wanted[fid]}
        if entry is not None and entry["epoch"] == current_epoch and entry["tags"] == recorded:
            fragments[fid] = entry["value"]
        else:
            to_make.append(fid)
    if not to_make:
        return fragments
    made = make(to_make)
    fragments.update(made)
    entries = {
        keys[fid]: {
            "tags": {tag: current[tag] for tag in wanted[fid]},
            "epoch": current_epoch,
            "value": made[fid],
        }
        for fid in to_make
        if fid in made and all(current[tag] is not None for tag in wanted[fid])
    }
    if entries:
        cache.set_many(entries, timeout=settings.FRAGMENT_CACHE_SECONDS)
    return fragments
