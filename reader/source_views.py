"""Where claims come from: an article with its claims, and track records of outlets and
claimants. Every count here comes from ClaimQuerySet.track_record()."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from claims.models import Claim
from registry.models import Article, Entity, Outlet, Topic

# A page lists this many claims per section and links to the full, filtered list for the rest.
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
