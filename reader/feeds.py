"""Atom feeds of new claims, claims newly due and verdicts, site-wide and per outlet.

Each entry is a claim, dated by the moment it entered the feed's state (created, became due,
was judged): a claim reopened and judged again updates its entry rather than adding a second.
"""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from claims.models import Claim, DeadlineSource
from reader import dates
from reader.structured_data import SITE_NAME
from registry.models import Outlet

FEED_LENGTH = 50


# A verdict on a conditional signal says whether the outlet's test came true, not whether it
# was right: readers are told, in every feed, that it is left out of track records.
SIGNAL_NOTE = "A conditional signal, counted in no track record."


class _ClaimFeed(Feed):
    """A site-wide feed at /feeds/<name>/, and one per outlet at /outlets/<slug>/feeds/<name>/."""

    feed_type = Atom1Feed
    name = ""
    heading = ""
    # The claim's field that dates its entry, newest first.
    date_field = ""

    def claims(self) -> QuerySet[Claim]:
        return Claim.objects.all()

    def get_object(self, request, outlet_slug: str | None = None) -> Outlet | None:
        return get_object_or_404(Outlet, slug=outlet_slug) if outlet_slug else None

    def title(self, outlet: Outlet | None) -> str:
        scope = f" from {outlet.name}" if outlet else ""
        return f"{SITE_NAME}: {self.heading}{scope}"

    def subtitle(self, outlet: Outlet | None) -> str:
        return f"The latest {FEED_LENGTH} {self.heading}."

    def link(self, outlet: Outlet | None) -> str:
        return reverse("registry:outlet", args=[outlet.slug]) if outlet else reverse("home")

    def feed_url(self, outlet: Outlet | None) -> str:
        if outlet:
            return reverse(f"feeds:outlet-{self.name}", args=[outlet.slug])
        return reverse(f"feeds:{self.name}")

    def items(self, outlet: Outlet | None) -> QuerySet[Claim]:
        newest_first = F(self.date_field).desc(nulls_last=True)
        claims = self.claims().with_sources().order_by(newest_first, "-id")
        return (claims.for_outlet(outlet) if outlet else claims)[:FEED_LENGTH]

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
