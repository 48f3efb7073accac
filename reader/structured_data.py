"""schema.org ClaimReview for a judged claim, built as data and serialised by the template.

Built as a dict (never by pasting text into a template) so that a statement containing quotes
or "</script>" cannot break out of the JSON; see the `json_ld` filter in reader.templatetags.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from claims.models import Claim, Status, Verdict
from registry.models import Entity

SITE_NAME = "The claim registry"

# Worst to best; an unresolvable claim gets no number, only its name.
RATINGS = {Verdict.INCORRECT: 1, Verdict.PARTLY_CORRECT: 2, Verdict.CORRECT: 3}


def _claimant(claim: Claim) -> dict[str, Any]:
    if claim.claimant_id:
        kind = "Person" if claim.claimant.kind == Entity.Kind.PERSON else "Organization"
        author = {"@type": kind, "name": claim.claimant.name}
        if claim.claimant.url:
            author["url"] = claim.claimant.url
        return author
    outlet = claim.article.outlet
    author = {"@type": "Organization", "name": outlet.name}
    if outlet.url:
        author["url"] = outlet.url
    return author


def _appearance(claim: Claim) -> dict[str, Any]:
    article = claim.article
    appearance: dict[str, Any] = {
        "@type": "CreativeWork",
        "headline": article.title,
        "datePublished": article.published_on.isoformat(),
        "publisher": {"@type": "Organization", "name": article.outlet.name},
    }
    if article.url:
        appearance["url"] = article.url
    if article.authors:
        appearance["author"] = {"@type": "Person", "name": article.authors}
    return appearance


def claim_review(claim: Claim, *, page_url: str, site_url: str) -> dict[str, Any] | None:
    """The ClaimReview for a resolved claim; None while it has no verdict."""
    if claim.status != Status.RESOLVED or not claim.verdict:
        return None
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": Verdict(claim.verdict).label,
        "bestRating": max(RATINGS.values()),
        "worstRating": min(RATINGS.values()),
    }
    if claim.verdict in RATINGS:
        rating["ratingValue"] = RATINGS[Verdict(claim.verdict)]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page_url,
        "claimReviewed": claim.statement,
        "datePublished": timezone.localtime(claim.resolved_at).date().isoformat(),
        "author": {"@type": "Organization", "name": SITE_NAME, "url": site_url},
        "reviewRating": rating,
        "itemReviewed": {
            "@type": "Claim",
            "author": _claimant(claim),
            "datePublished": claim.made_on.isoformat(),
            "appearance": _appearance(claim),
            "firstAppearance": _appearance(claim),
        },
    }
