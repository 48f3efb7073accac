"""The reader site's pages: home, the filterable claim list, one claim, and where claims come
from (an article with its claims, the track records of outlets and claimants; every count there
comes from ClaimQuerySet.track_record(), the whole registry's from the claim tally)."""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, FloatField, Q
from django.db.models.functions import Cast, Lower, NullIf
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from rest_framework.throttling import BaseThrottle

from claims import error_reports
from claims.cache import (
    LISTS_TAG,
    cache_query_params,
    cache_tags,
    cached_fragment,
    cached_shape,
    canonical_query_string,
    claim_fragments,
    claim_tags,
    claims_to_page,
    fragments_on,
    listed,
    shape_key,
)
from claims.choices import ClaimantType, HedgeClass, Kind, Verdict
from claims.models import Claim, ClaimTally, Evidence, Snapshot, Status
from claims.queries import SEARCH_MAX_TERM_LENGTH, SMALL_SAMPLE, TrackRecord, record_counts
from reader import open_data
from reader.feeds import follow_links
from reader.filters import DEFAULT_ORDERING, ENTITY_SUGGESTIONS, ClaimFilter, list_shape_tags
from reader.forms import ErrorReportForm
from reader.pagination import paginate
from reader.structured_data import claim_review
from reader.timeline import deadline_timeline
from registry.models import Article, Entity, Outlet, Topic

logger = logging.getLogger(__name__)

HOME_LIST_LENGTH = 8
# The home page's "Due" column: a few, and a link to the rest (it ran 3,000 px at 8 long ones).
HOME_DUE_LENGTH = 4
COMING_DUE_DAYS = 90
CLAIMS_PER_PAGE = 25
# Supporting evidence first, then what contradicts it, then background.
STANCE_ORDER = [Evidence.Stance.SUPPORTS, Evidence.Stance.REFUTES, Evidence.Stance.CONTEXT]


@cache_tags(LISTS_TAG)
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=COMING_DUE_DAYS)
    claims = Claim.objects.with_sources()
    context = {
        # The whole registry's record from the claim tally, not a count of every claim.
        "record": ClaimTally.objects.track_record(),
        "due_claims": claims.due().order_by("deadline", "id")[:HOME_DUE_LENGTH],
        "coming_due": claims.open()
        .filter(deadline__range=(today, horizon))
        .order_by("deadline", "id")[:HOME_LIST_LENGTH],
        "recent_verdicts": claims.resolved().order_by("-resolved_at", "-id")[:HOME_LIST_LENGTH],
        "timeline": deadline_timeline(today),
        "today": today,
        "horizon": horizon,
        "coming_due_days": COMING_DUE_DAYS,
    }
    return render(request, "reader/home.html", context)


def _list_nav(query: QueryDict) -> str:
    """Which navigation item a claim list is: "Due for a verdict" and "Recently changed" are
    claim lists of their own, the rest is "All claims"."""
    given = {name: query.get(name) for name in query if name != "page"}
    if given.get("ordering") == DEFAULT_ORDERING:  # what the filter form always sends
        del given["ordering"]
    if given == {"status": Status.DUE}:
        return "due"
    if given == {"ordering": "-updated_at"}:
        return "recent"
    return "claims"


# What the claim list reads from its query string: its page is stored, and its shape kept,
# only for a query of these.
CLAIM_LIST_PARAMS = (*ClaimFilter.base_filters, "page")


@cache_query_params(*CLAIM_LIST_PARAMS)
@cache_tags(LISTS_TAG)
def claim_list(request: HttpRequest) -> HttpResponse:
    # One address per list (the filter form sends every field, empty ones too, in form order):
    # shorter to share, and the only spelling the response cache stores.
    raw = request.META.get("QUERY_STRING", "")
    canonical = canonical_query_string(raw)
    if canonical != raw:
        return redirect(f"{request.path}?{canonical}" if canonical else request.path)
    # Everything the page says but its rows (which claims, how many, what the filters
    # understood, the form) is kept until a write moves what this list reads; the rows are each
    # claim's own fragment (claim_rows).
    listing = cached_shape(
        "claim-list",
        shape_key(request.GET, CLAIM_LIST_PARAMS),
        list_shape_tags(request.GET),
        lambda: _claim_listing(request),
    )
    page = listing["page"]
    download_query = request.GET.copy()
    download_query.pop("page", None)
    download_query.pop("ordering", None)
    suffix = f"?{download_query.urlencode()}" if download_query else ""
    show_updated = request.GET.get("ordering") == "-updated_at"
    context = {
        **listing,
        "rows": claim_rows(page.items, show_time_left=True, show_updated=show_updated),
        "nav": _list_nav(request.GET),
        "download_csv": reverse("open-data:csv") + suffix,
        "download_json": reverse("open-data:json") + suffix,
    }
    # Other unreadable values are left out with a note; a search over the limits is refused
    # outright (claims.queries.validate_search_terms), with the form kept to shorten it.
    status = 400 if listing["search_refused"] else 200
    # A page past the last one is not found (it would offer a "Previous page" as empty).
    if status == 200 and page.number > 1 and not page.items:
        status = 404
    return render(request, "reader/claim_list.html", context, status=status)


def _claim_listing(request: HttpRequest) -> dict:
    """What a claim list's page says, but its rows: its page of claims (as `listed`, with
    fragments on) and their number, the filters as understood, and the filter form."""
    claim_filter = ClaimFilter(request.GET, queryset=Claim.objects.with_sources())
    page = paginate(
        claims_to_page(claim_filter.qs),
        request.GET.get("page"),
        per_page=CLAIMS_PER_PAGE,
        # Exact and without counting claims when the tally can say (status, verdict, kind).
        count=ClaimTally.objects.count_matching(claim_filter.given),
    )
    article = claim_filter.form.cleaned_data.get("article")
    return {
        "page": dataclasses.replace(page, items=listed(page.items)) if fragments_on() else page,
        "filter_form": claim_filter.form_html(),
        "filters_active": claim_filter.active,
        "ignored": claim_filter.ignored,
        "search_refused": "search" in claim_filter.errors,
        "only_article": article
        and {"slug": article.slug, "title": article.title, "outlet": article.outlet.name},
    }


def claim_rows(page: list, *, show_time_left: bool, show_updated: bool) -> list[str]:
    """Each claim's item in a list (reader/partials/claim_item.html) for a page of
    `claims_to_page`, rendered once per claim, day and option and kept as its fragment."""
    item = get_template("reader/partials/claim_item.html")
    options = {"show_time_left": show_time_left, "show_updated": show_updated}

    def render_items(claims: list[Claim]) -> dict[int, str]:
        return {claim.pk: item.render({"claim": claim, **options}) for claim in claims}

    rows = claim_fragments(
        "claim-row",
        page,
        render_items,
        reload=lambda pks: Claim.objects.with_sources().filter(pk__in=pks),
        tags=lambda row: claim_tags([row.slug]),
        # The time left is in days: a row is made again the next day.
        variant=[timezone.localdate().isoformat(), show_time_left, show_updated],
    )
    return [rows[row.pk] for row in page if row.pk in rows]


@cache_tags("claim:{slug}")
def claim_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The page's own parts come from the fragment cache: no query when the claim has not changed.
    site_url = request.build_absolute_uri(reverse("home"))
    page = cached_fragment(
        "claim-page",
        slug,
        claim_tags([slug]),
        lambda: _claim_page(request, slug, site_url=site_url),
        # Absolute addresses (canonical, JSON-LD, embed code, webcal:) and the time left.
        variant=[site_url, timezone.localdate().isoformat()],
    )
    return render(request, "reader/claim_detail.html", {"page": page, "follow": page["follow"]})


def _claim_page(request: HttpRequest, slug: str, *, site_url: str) -> dict:
    """The parts of a claim's page (reader/claim_page.html): what depends on the claim, the
    site's address and the day only. Rendered without the request (no session, no user)."""
    claim = get_object_or_404(Claim.objects.with_details(), slug=slug)
    page_url = request.build_absolute_uri(claim.get_absolute_url())
    evidence = list(claim.evidence.all())
    _attach_latest_snapshots(evidence)
    follow = follow_links(request, claim)
    context = {
        "claim": claim,
        "page_url": page_url,
        "evidence_groups": [
            (stance, [item for item in evidence if item.stance == stance])
            for stance in STANCE_ORDER
        ],
        "evidence_count": len(evidence),
        "transitions": claim.transitions.all(),
        "claim_review": claim_review(claim, page_url=page_url, site_url=site_url),
        "is_pending": claim.status != Status.RESOLVED,
        "today": timezone.localdate(),
        "follow": follow,
        "embed_url": request.build_absolute_uri(reverse("claim-embed", args=[claim.slug])),
        "report_form": ErrorReportForm(),
    }
    parts = {
        name: get_template(f"reader/claim_page.html#{name}").render(context)
        for name in ("title", "description", "head", "body")
    }
    return {**parts, "follow": follow}


def _attach_latest_snapshots(evidence: list[Evidence]) -> None:
    """Give each piece of evidence its latest snapshot that worked (`latest_snapshot`, None if
    it has none): one query for the whole list, the text itself left out."""
    latest: dict[int, Snapshot] = {}
    rows = (
        Snapshot.objects.filter(evidence__in=evidence, error_kind="")
        .order_by("evidence_id", "-taken_at", "-id")
        .only("id", "evidence_id", "taken_at")
    )
    for snapshot in rows:
        latest.setdefault(snapshot.evidence_id, snapshot)
    for item in evidence:
        item.latest_snapshot = latest.get(item.pk)


@cache_tags("claim:{slug}")
def evidence_snapshot(request: HttpRequest, slug: str, evidence_id: int) -> HttpResponse:
    """The page behind a piece of evidence as the registry saw it: its text, from our own
    storage (escaped like any text; the page's HTML and scripts were never kept)."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("claim"), pk=evidence_id, claim__slug=slug
    )
    snapshot = evidence.snapshots.filter(error_kind="").order_by("-taken_at", "-id").first()
    if snapshot is None:
        raise Http404("No snapshot of this page has been taken.")
    context = {"claim": evidence.claim, "evidence": evidence, "snapshot": snapshot}
    response = render(request, "reader/evidence_snapshot.html", context)
    response["X-Robots-Tag"] = "noindex"  # a copy of someone else's page: not for search engines
    return response


# A source's page lists this many claims per section, and links to the full, filtered list
# for the rest.
SECTION_LENGTH = 30
ARTICLES_SHOWN = 50


def _claim_list_url(**filters: str) -> str:
    return f"{reverse('claims:list')}?{urlencode(filters)}"


@cache_tags(LISTS_TAG)
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("outlet"), slug=slug)
    claims = Claim.objects.filter(article=article).with_sources()
    context = {
        "article": article,
        "claims": claims.order_by("deadline", "id")[:SECTION_LENGTH],
        "own_record": claims.outlet_own().track_record(),
        "reported_record": claims.reported().track_record(),
        "list_url": _claim_list_url(article=article.slug),
    }
    return render(request, "reader/article_detail.html", context)


@cache_tags(LISTS_TAG)
def outlet_detail(request: HttpRequest, slug: str) -> HttpResponse:
    outlet = get_object_or_404(Outlet, slug=slug)
    claims = Claim.objects.for_outlet(outlet).with_sources().order_by("deadline", "id")
    context = {
        "outlet": outlet,
        "own_record": claims.outlet_own().track_record(),
        "own_claims": claims.outlet_own()[:SECTION_LENGTH],
        "reported_record": claims.reported().track_record(),
        "reported_claims": claims.reported()[:SECTION_LENGTH],
        "articles": outlet.articles.annotate(claim_count=Count("claims"))[:ARTICLES_SHOWN],
        "list_url": _claim_list_url(outlet=outlet.slug),
        "follow": follow_links(request, outlet),
    }
    return render(request, "reader/outlet_detail.html", context)


@cache_tags(LISTS_TAG)
def claimant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entity = get_object_or_404(Entity, slug=slug)
    made = Claim.objects.filter(claimant=entity).with_sources().order_by("deadline", "id")
    about = (
        Claim.objects.filter(about=entity)
        .exclude(claimant=entity)
        .with_sources()
        .order_by("deadline", "id")
    )
    context = {
        "entity": entity,
        "record": made.track_record(),
        "made_claims": made[:SECTION_LENGTH],
        "about_claims": about[:SECTION_LENGTH],
        "list_url": _claim_list_url(entity=entity.slug),
        "follow": follow_links(request, entity),
    }
    return render(request, "reader/claimant_detail.html", context)


@cache_tags(LISTS_TAG)
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # A topic is a filter of the claim list; one page, one place for its logic.
    topic = get_object_or_404(Topic, slug=slug)
    return redirect(_claim_list_url(topic=topic.slug))


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


# --- The indexes of outlets, articles and claimants ---------------------------------------------

INDEX_PER_PAGE = 50


def _hit_rate() -> Cast:
    """Correct ÷ judged of a row annotated by ClaimQuerySet.with_record_counts; NULL if none."""
    judged = F("correct") + F("partly_correct") + F("incorrect")
    return Cast(F("correct"), FloatField()) / NullIf(Cast(judged, FloatField()), 0.0)


def _judged() -> F:
    return F("correct") + F("partly_correct") + F("incorrect")


# Each index's sort orders: (label, expressions). The first is the default.
def _sorts(name_field: str, extra: dict | None = None) -> dict[str, tuple[str, list]]:
    by_name = [Lower(name_field).asc(), F("id").asc()]
    return {
        "name": ("Name", by_name),
        "claims": ("Most claims", [F("claim_count").desc(), *by_name]),
        "judged": ("Most verdicts", [F("judged").desc(), *by_name]),
        "hit_rate": ("Highest hit rate", [F("hit_rate").desc(nulls_last=True), *by_name]),
        "due": ("Most due for a verdict", [F("due").desc(), *by_name]),
        **(extra or {}),
    }


def _index(
    request: HttpRequest,
    queryset,
    *,
    path: str,
    only: Q | None,
    name_field: str,
    template: str,
    nav: str,
    extra_sorts: dict | None = None,
    default_sort: str = "name",
) -> HttpResponse:
    sorts = _sorts(name_field, extra_sorts)
    sort = request.GET.get("sort", default_sort)
    if sort not in sorts:
        sort = default_sort
    rows = (
        # The same counts as every TrackRecord on the site (claims.queries).
        queryset.annotate(**record_counts(path, only=only))
        .annotate(claim_count=Count(f"{path}__pk"), judged=_judged())
        .annotate(hit_rate=_hit_rate())
        .order_by(*sorts[sort][1])
    )
    page = paginate(rows, request.GET.get("page"), per_page=INDEX_PER_PAGE)
    records = [(row, TrackRecord.of(row)) for row in page.items]
    context = {
        "page": page,
        "rows": records,
        "sort": sort,
        "sorts": [(value, label) for value, (label, _) in sorts.items()],
        "nav": nav,
        "small_sample": SMALL_SAMPLE,
    }
    status = 404 if page.number > 1 and not page.items else 200
    return render(request, template, context, status=status)


@cache_query_params("sort", "page")
@cache_tags(LISTS_TAG)
def outlet_index(request: HttpRequest) -> HttpResponse:
    # An outlet's record is its own claims (as on its page); "claims" counts every claim.
    return _index(
        request,
        Outlet.objects.all(),
        path="articles__claims",
        only=Q(claimant_type=ClaimantType.OUTLET),
        name_field="name",
        template="reader/outlet_index.html",
        nav="outlets",
    )


@cache_query_params("sort", "page")
@cache_tags(LISTS_TAG)
def article_index(request: HttpRequest) -> HttpResponse:
    newest = [F("published_on").desc(), F("id").desc()]
    return _index(
        request,
        Article.objects.select_related("outlet"),
        path="claims",
        only=None,
        name_field="title",
        template="reader/article_index.html",
        nav="articles",
        extra_sorts={"published": ("Newest first", newest)},
        default_sort="published",
    )


@cache_query_params("sort", "page")
@cache_tags(LISTS_TAG)
def claimant_index(request: HttpRequest) -> HttpResponse:
    return _index(
        request,
        Entity.objects.all(),
        path="claims_made",
        only=None,
        name_field="name",
        template="reader/claimant_index.html",
        nav="claimants",
    )


# --- How we judge, open data ----------------------------------------------------------------------


def how_we_judge(request: HttpRequest) -> HttpResponse:
    context = {
        "kinds": Kind.choices,
        "verdicts": Verdict.choices,
        "hedge_classes": HedgeClass.choices,
        "small_sample": SMALL_SAMPLE,
        "nav": "how",
    }
    return render(request, "reader/how_we_judge.html", context)


def _citation(request: HttpRequest) -> dict[str, str]:
    return {
        "name": "The claim registry",
        "url": request.build_absolute_uri(reverse("open-data:page")),
        "licence": open_data.LICENCE_NAME,
        "licence_url": open_data.LICENCE_URL,
        "downloaded_on": timezone.localdate().isoformat(),
    }


def open_data_page(request: HttpRequest) -> HttpResponse:
    context = {
        "columns": open_data.COLUMNS,
        "citation": _citation(request),
        "csv_url": reverse("open-data:csv"),
        "json_url": reverse("open-data:json"),
        "nav": "data",
    }
    return render(request, "reader/open_data.html", context)


def _download_claims(request: HttpRequest):
    """The claims a download holds: the claim list's, with its filters (sorted by id, so
    that two downloads of the same registry list rows in the same order)."""
    claim_filter = ClaimFilter(request.GET, queryset=Claim.objects.all())
    return claim_filter, claim_filter.qs.order_by("id")


def download_csv(request: HttpRequest) -> HttpResponse:
    claim_filter, claims = _download_claims(request)
    if "search" in claim_filter.errors:
        return HttpResponse(" ".join(claim_filter.errors["search"]), status=400)
    return open_data.csv_response(claims, request)


def download_json(request: HttpRequest) -> HttpResponse:
    claim_filter, claims = _download_claims(request)
    if "search" in claim_filter.errors:
        return HttpResponse(" ".join(claim_filter.errors["search"]), status=400)
    about = {**_citation(request), "filters": {k: v for k, v in request.GET.items() if v}}
    return open_data.json_response(claims, request, about=about)


# --- Embedding a claim, reporting an error --------------------------------------------------------


@cache_tags("claim:{slug}")
def claim_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """A small card other sites put in an iframe; config.urls lets other origins frame it
    (config.security.allow_framing), the only page that may be."""
    claim = get_object_or_404(Claim.objects.with_sources(), slug=slug)
    page_url = request.build_absolute_uri(claim.get_absolute_url())
    return render(request, "reader/claim_embed.html", {"claim": claim, "page_url": page_url})


def _rate_limited(request: HttpRequest) -> bool:
    """Whether this address has sent ERROR_REPORTS_PER_HOUR reports this hour already. The
    address is read as the API's throttle reads it (API_NUM_PROXIES)."""
    address = BaseThrottle().get_ident(request)
    key = f"error-reports:{address}:{timezone.now():%Y%m%d%H}"
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) > settings.ERROR_REPORTS_PER_HOUR
    except Exception:  # the cache is down: better a report too many than none
        logger.warning("Could not count error reports for %s.", address)
        return False


# No CSRF token: the form is on cached, anonymous pages (a token would set a cookie on each)
# and it changes nothing a visitor owns; the honeypot and the rate limit keep spam out.
@csrf_exempt
def report_error(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    claim = get_object_or_404(Claim.objects.with_sources(), slug=slug)
    form = ErrorReportForm(request.POST)
    context = {"claim": claim, "form": form}
    if not form.is_valid():
        return render(request, "reader/report_error.html", context, status=400)
    if form.cleaned_data["website"]:
        # Filled in by a robot: thanked like anyone, stored nowhere.
        return render(request, "reader/report_error.html", {**context, "sent": True})
    if _rate_limited(request):
        context["refused"] = True
        return render(request, "reader/report_error.html", context, status=429)
    error_reports.file_report(
        claim=claim, message=form.cleaned_data["message"], email=form.cleaned_data["email"]
    )
    context.update(sent=True, left_address=bool(form.cleaned_data["email"]))
    return render(request, "reader/report_error.html", context)


@cache_query_params("q")
def entity_suggestions(request: HttpRequest) -> JsonResponse:
    """Entities whose name or slug starts with `q`, or failing that contains it, for the claim
    list's entity box (static/reader-entity-suggestions.js): a few at a time instead of a
    drop-down of every entity."""
    typed = request.GET.get("q", "").strip()[:SEARCH_MAX_TERM_LENGTH]
    if not typed:
        return JsonResponse({"entities": []})
    entities = Entity.objects.order_by("name", "pk").values("slug", "name")
    found = list(
        entities.filter(Q(name__istartswith=typed) | Q(slug__startswith=typed.lower()))[
            :ENTITY_SUGGESTIONS
        ]
    )
    if len(found) < ENTITY_SUGGESTIONS:
        seen = {row["slug"] for row in found}
        more = entities.filter(name__icontains=typed).exclude(slug__in=seen)
        found += list(more[: ENTITY_SUGGESTIONS - len(found)])
    return JsonResponse({"entities": found})
