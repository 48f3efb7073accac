"""The reader site's pages: home, the filterable claim list, one claim, and where claims come
from (an article with its claims, the track records of outlets and claimants; every count there
comes from ClaimQuerySet.track_record())."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from claims.models import Claim, Evidence, Snapshot, Status
from reader.filters import ClaimFilter
from reader.pagination import paginate
from reader.structured_data import claim_review
from reader.timeline import deadline_timeline
from registry.models import Article, Entity, Outlet, Topic

HOME_LIST_LENGTH = 8
COMING_DUE_DAYS = 90
CLAIMS_PER_PAGE = 25
# Supporting evidence first, then what contradicts it, then background.
STANCE_ORDER = [Evidence.Stance.SUPPORTS, Evidence.Stance.REFUTES, Evidence.Stance.CONTEXT]


def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=COMING_DUE_DAYS)
    claims = Claim.objects.with_sources()
    context = {
        "record": Claim.objects.track_record(),
        "due_claims": claims.due().order_by("deadline", "id")[:HOME_LIST_LENGTH],
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


def claim_list(request: HttpRequest) -> HttpResponse:
    claim_filter = ClaimFilter(request.GET, queryset=Claim.objects.with_sources())
    page = paginate(claim_filter.qs, request.GET.get("page"), per_page=CLAIMS_PER_PAGE)
    context = {"filter": claim_filter, "page": page, "nav": "claims"}
    # Other unreadable values are left out with a note; a search over the limits is refused
    # outright (claims.queries.validate_search_terms), with the form kept to shorten it.
    status = 400 if "search" in claim_filter.errors else 200
    return render(request, "reader/claim_list.html", context, status=status)


def claim_detail(request: HttpRequest, slug: str) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.with_details(), slug=slug)
    page_url = request.build_absolute_uri(claim.get_absolute_url())
    evidence = list(claim.evidence.all())
    _attach_latest_snapshots(evidence)
    context = {
        "claim": claim,
        "page_url": page_url,
        "evidence_groups": [
            (stance, [item for item in evidence if item.stance == stance])
            for stance in STANCE_ORDER
        ],
        "evidence_count": len(evidence),
        "transitions": claim.transitions.all(),
        "claim_review": claim_review(
            claim, page_url=page_url, site_url=request.build_absolute_uri(reverse("home"))
        ),
        "is_pending": claim.status != Status.RESOLVED,
        "today": timezone.localdate(),
    }
    return render(request, "reader/claim_detail.html", context)


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


# A source's page lists this many claims per section and links to the full, filtered list for the rest.
SECTION_LENGTH = 30
ARTICLES_SHOWN = 50


def _claim_list_url(**filters: str) -> str:
    return f"{reverse('claims:list')}?{urlencode(filters)}"


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
    }
    return render(request, "reader/outlet_detail.html", context)


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
    }
    return render(request, "reader/claimant_detail.html", context)


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
