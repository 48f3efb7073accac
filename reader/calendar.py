"""iCalendar feeds of deadlines, site-wide, per outlet, per claimant and per claim: one all-day
event per claim, on its deadline day.

Each event's UID is derived from the claim's id alone, so calendar programs update the event
when the deadline moves instead of adding a second one; SEQUENCE follows the claim's version.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from icalendar import Calendar, Event

from claims.cache import LISTS_TAG, cache_tags
from claims.models import Claim, DeadlineSource, Status
from reader import dates
from reader.structured_data import SITE_NAME
from registry.models import Entity, Outlet

UID_DOMAIN = "claim-registry"


def event_uid(claim: Claim) -> str:
    return f"claim-{claim.pk}@{UID_DOMAIN}"


def _event(claim: Claim, page_url: str) -> Event:
    event = Event()
    event.add("uid", event_uid(claim))
    event.add("dtstamp", claim.updated_at)
    event.add("last-modified", claim.updated_at)
    event.add("sequence", claim.version)
    event.add("dtstart", claim.deadline)
    event.add("dtend", claim.deadline + datetime.timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day is not busy
    prefix = f"[{claim.get_verdict_display()}] " if claim.status == Status.RESOLVED else ""
    event.add("summary", f"{prefix}Deadline: {claim.statement}")
    deadline = dates.describe_deadline(claim.deadline, claim.deadline_precision)
    if claim.deadline_source == DeadlineSource.REGISTRY:
        deadline += f". {dates.describe_deadline_source(claim)}"
    else:
        deadline += f" (the article says “{claim.deadline_text}”)." if claim.deadline_text else "."
    signal = "A conditional signal, counted in no track record.\n" if claim.conditional else ""
    event.add(
        "description",
        f"{claim.made_by}, in “{claim.article.title}” ({claim.article.outlet.name}): "
        f"“{claim.quote}”\n\n"
        f"Deadline: {deadline}\n{signal}"
        f"Status: {claim.get_status_display()}.\n\n{page_url}",
    )
    event.add("url", page_url)
    event.add("categories", [claim.get_kind_display()])
    return event


def _calendar(
    request: HttpRequest, claims: QuerySet[Claim], *, name: str, filename: str
) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", f"-//{SITE_NAME}//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    claims = claims.with_sources().filter(deadline__isnull=False).order_by("deadline", "id")
    for claim in claims.iterator(chunk_size=500):
        calendar.add_component(_event(claim, request.build_absolute_uri(claim.get_absolute_url())))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@cache_tags(LISTS_TAG)
def deadline_calendar(request: HttpRequest) -> HttpResponse:
    return _calendar(
        request,
        Claim.objects.all(),
        name=f"{SITE_NAME}: deadlines",
        filename="claim-deadlines.ics",
    )


@cache_tags(LISTS_TAG)
def outlet_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    outlet = get_object_or_404(Outlet, slug=slug)
    return _calendar(
        request,
        Claim.objects.for_outlet(outlet),
        name=f"{SITE_NAME}: deadlines of claims from {outlet.name}",
        filename=f"{outlet.slug}-deadlines.ics",
    )


@cache_tags(LISTS_TAG)
def claimant_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    entity = get_object_or_404(Entity, slug=slug)
    return _calendar(
        request,
        Claim.objects.filter(claimant=entity),
        name=f"{SITE_NAME}: deadlines of claims made by {entity.name}",
        filename=f"{entity.slug}-deadlines.ics",
    )


@cache_tags("claim:{slug}")
def claim_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    claims = Claim.objects.filter(slug=slug)
    claim = get_object_or_404(claims)
    return _calendar(
        request,
        claims,
        name=f"{SITE_NAME}: {claim.statement[:80]}",
        filename=f"{claim.slug[:60]}.ics",
    )
