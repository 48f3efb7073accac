"""Atom feeds of new claims, claims newly due and verdicts, site-wide, per outlet and per
claimant; and one claim's own feed, an entry per change in its log. `follow_links` lists the
feeds and calendars a page offers, for its <link rel="alternate"> and its "Follow" list.

Each entry is a claim, dated by the moment it entered the feed's state (created, became due,
was judged): a claim reopened and judged again updates its entry rather than adding a second.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from claims.cache import LISTS_TAG
from claims.models import Claim, DeadlineSource, Transition
from reader import dates
from reader.structured_data import SITE_NAME
from registry.models import Entity, Outlet

FEED_LENGTH = 50


# A verdict on a conditional signal says whether the outlet's test came true, not whether it
# was right: readers are told, in every feed, that it is left out of track records.
SIGNAL_NOTE = "A conditional signal, counted in no track record."

Source = Outlet | Entity | None


class _ClaimFeed(Feed):
    """A site-wide feed at /feeds/<name>/, one per outlet at /outlets/<slug>/feeds/<name>/ and
    one per claimant (the claims it made) at /claimants/<slug>/feeds/<name>/."""

    feed_type = Atom1Feed
    # The response cache's tags (claims.cache.cache_tags): every entry is a claim's row, and
    # every write that changes one (the claim, its sources, flagging) bumps "lists".
    response_cache_tags = (LISTS_TAG,)
    name = ""
    heading = ""
    # The claim's field that dates its entry, newest first.
    date_field = ""

    def claims(self) -> QuerySet[Claim]:
        return Claim.objects.all()

    def get_object(
        self, request, outlet_slug: str | None = None, claimant_slug: str | None = None
    ) -> Source:
        if outlet_slug:
            return get_object_or_404(Outlet, slug=outlet_slug)
        if claimant_slug:
            return get_object_or_404(Entity, slug=claimant_slug)
        return None

    def title(self, source: Source) -> str:
        if isinstance(source, Outlet):
            return f"{SITE_NAME}: {self.heading} from {source.name}"
        if isinstance(source, Entity):
            return f"{SITE_NAME}: {self.heading}, claims made by {source.name}"
        return f"{SITE_NAME}: {self.heading}"

    def subtitle(self, source: Source) -> str:
        return f"The latest {FEED_LENGTH} {self.heading}."

    def link(self, source: Source) -> str:
        if isinstance(source, Outlet):
            return reverse("registry:outlet", args=[source.slug])
        if isinstance(source, Entity):
            return reverse("registry:claimant", args=[source.slug])
        return reverse("home")

    def feed_url(self, source: Source) -> str:
        if isinstance(source, Outlet):
            return reverse(f"feeds:outlet-{self.name}", args=[source.slug])
        if isinstance(source, Entity):
            return reverse(f"feeds:claimant-{self.name}", args=[source.slug])
        return reverse(f"feeds:{self.name}")

    def items(self, source: Source) -> QuerySet[Claim]:
        newest_first = F(self.date_field).desc(nulls_last=True)
        claims = self.claims().with_sources().order_by(newest_first, "-id")
        if isinstance(source, Outlet):
            claims = claims.for_outlet(source)
        elif isinstance(source, Entity):
            claims = claims.filter(claimant=source)
        return claims[:FEED_LENGTH]

    def item_title(self, claim: Claim) -> str:
        return claim.statement

    def item_description(self, claim: Claim) -> str:
        deadline = dates.describe_deadline(claim.deadline, claim.deadline_precision)
        signal = f" {SIGNAL_NOTE}" if claim.conditional else ""
        if claim.deadline and claim.deadline_source == DeadlineSource.REGISTRY:
            source = f" {dates.describe_deadline_source(claim)}"
        else:
            source = ""
            deadline += f" (“{claim.deadline_text}”)" if claim.deadline_text else ""
        return (
            f"{claim.made_by} ({claim.article.title}): “{claim.quote}” Deadline: {deadline}."
            f"{source}{signal}"
        )

    def item_link(self, claim: Claim) -> str:
        return claim.get_absolute_url()

    def item_pubdate(self, claim: Claim) -> datetime.datetime:
        return claim.created_at

    def item_updateddate(self, claim: Claim) -> datetime.datetime:
        return getattr(claim, self.date_field)

    def item_author_name(self, claim: Claim) -> str:
        return claim.made_by


class NewClaimsFeed(_ClaimFeed):
    name = "claims"
    heading = "new claims"
    date_field = "created_at"


class DueClaimsFeed(_ClaimFeed):
    name = "due"
    heading = "claims due for a verdict"
    date_field = "due_since"

    def claims(self) -> QuerySet[Claim]:
        return Claim.objects.due()

    def item_title(self, claim: Claim) -> str:
        return f"Due for a verdict: {claim.statement}"


class VerdictsFeed(_ClaimFeed):
    name = "verdicts"
    heading = "verdicts"
    date_field = "resolved_at"

    def claims(self) -> QuerySet[Claim]:
        return Claim.objects.resolved()

    def item_title(self, claim: Claim) -> str:
        return f"{claim.get_verdict_display()}: {claim.statement}"

    def item_description(self, claim: Claim) -> str:
        signal = f" {SIGNAL_NOTE}" if claim.conditional else ""
        return f"{claim.get_verdict_display()}. {claim.verdict_summary}{signal}"


FEEDS = {feed.name: feed() for feed in (NewClaimsFeed, DueClaimsFeed, VerdictsFeed)}


class ClaimFeed(Feed):
    """One claim followed: an entry per change in its log (created, due, judged, reopened,
    deadline moved), newest first, at /claims/<slug>/feed/."""

    feed_type = Atom1Feed
    # Its claim and its change log: a transition bumps its claim's tag too.
    response_cache_tags = ("claim:{claim_slug}",)

    def get_object(self, request, claim_slug: str) -> Claim:
        return get_object_or_404(Claim.objects.with_sources(), slug=claim_slug)

    def title(self, claim: Claim) -> str:
        return f"{SITE_NAME}: {claim.statement}"

    def subtitle(self, claim: Claim) -> str:
        return f"Every change to this claim by {claim.made_by}: its status, deadline and verdict."

    def link(self, claim: Claim) -> str:
        return claim.get_absolute_url()

    def feed_url(self, claim: Claim) -> str:
        return reverse("feeds:claim", args=[claim.slug])

    def items(self, claim: Claim) -> QuerySet[Transition]:
        return claim.transitions.order_by("-at", "-id")[:FEED_LENGTH]

    def item_title(self, change: Transition) -> str:
        verdict = f": {change.get_verdict_display()}" if change.verdict else ""
        return f"{change.get_action_display()}{verdict}"

    def item_description(self, change: Transition) -> str:
        status = f"Status: {change.get_to_status_display()}."
        return f"{status} {change.reason}".strip()

    def item_link(self, change: Transition) -> str:
        return f"{change.claim.get_absolute_url()}#change-{change.pk}"

    def item_pubdate(self, change: Transition) -> datetime.datetime:
        return change.at


@dataclass(frozen=True)
class FollowLink:
    title: str
    href: str
    type: str
    # For a calendar: the same address as a webcal: subscription.
    webcal: str = ""


ATOM = "application/atom+xml"
ICALENDAR = "text/calendar"


def _webcal(request: HttpRequest, path: str) -> str:
    return f"webcal://{request.get_host()}{path}"


def follow_links(request: HttpRequest, subject: Claim | Outlet | Entity | None) -> list[FollowLink]:
    """The Atom feeds and the iCalendar feed of a claim, an outlet, a claimant or the site."""
    if isinstance(subject, Claim):
        calendar = reverse("feeds:claim-calendar", args=[subject.slug])
        return [
            FollowLink(
                "Changes to this claim (Atom)", reverse("feeds:claim", args=[subject.slug]), ATOM
            ),
            FollowLink(
                "This claim's deadline (iCalendar)", calendar, ICALENDAR, _webcal(request, calendar)
            ),
        ]
    if isinstance(subject, Outlet):
        prefix, scope, args = "outlet-", f" from {subject.name}", [subject.slug]
    elif isinstance(subject, Entity):
        prefix, scope, args = "claimant-", f" made by {subject.name}", [subject.slug]
    else:
        prefix, scope, args = "", "", []
    calendar = reverse(f"feeds:{prefix}calendar", args=args)
    return [
        FollowLink(f"New claims{scope} (Atom)", reverse(f"feeds:{prefix}claims", args=args), ATOM),
        FollowLink(
            f"Claims{scope} due for a verdict (Atom)",
            reverse(f"feeds:{prefix}due", args=args),
            ATOM,
        ),
        FollowLink(
            f"Verdicts on claims{scope} (Atom)", reverse(f"feeds:{prefix}verdicts", args=args), ATOM
        ),
        FollowLink(
            f"Deadlines of claims{scope} (iCalendar)",
            calendar,
            ICALENDAR,
            _webcal(request, calendar),
        ),
    ]
