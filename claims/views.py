"""The reader site's claim pages: home, the filterable list, and one claim."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from claims.cache import cache_query_params
from claims.filters import ClaimFilter
from claims.models import Claim, Evidence, Status
from claims.structured_data import claim_review
from claims.timeline import deadline_timeline
from registry.pagination import paginate

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
    return render(request, "claims/home.html", context)


@cache_query_params(*ClaimFilter.base_filters, "page")
def claim_list(request: HttpRequest) -> HttpResponse:
    claim_filter = ClaimFilter(request.GET, queryset=Claim.objects.with_sources())
    page = paginate(claim_filter.qs, request.GET.get("page"), per_page=CLAIMS_PER_PAGE)
    context = {"filter": claim_filter, "page": page, "nav": "claims"}
    return render(request, "claims/claim_list.html", context)


def claim_detail(request: HttpRequest, slug: str) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.with_details(), slug=slug)
    page_url = request.build_absolute_uri(claim.get_absolute_url())
    evidence = list(claim.evidence.all())
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
    return render(request, "claims/claim_detail.html", context)


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
