"""The one rule for a claim's address slug, made from its statement: the claim page of the
admin (an empty slug) and the API (a claim posted without one) both call `unused_claim_slug`.

A slug from the whole statement ran to 106 characters. This one keeps the words that say what
the claim is about, leaves out the little ones ("the", "of", "will"…) and stops at a word
boundary by 50 characters: "By the end of 2020, China builds a national quality
infrastructure…" -> "end-2020-china-builds-national-quality".
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import slugify

from claims.models import Claim

MAX_LENGTH = 50
FILLER_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "than",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
    ]
)


def claim_slug(statement: str) -> str:
    """A short, readable slug for `statement` (not checked for uniqueness)."""
    words = slugify(statement).split("-")
    kept = [word for word in words if word and word not in FILLER_WORDS] or [
        word for word in words if word
    ]
    slug = ""
    for word in kept:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > MAX_LENGTH:
            break
        slug = longer
    return slug or (kept[0][:MAX_LENGTH] if kept else "claim")


def unused_slug(rows: QuerySet, base: str, *, max_length: int) -> str:
    """`base`, or `base-2`, `base-3`… (cut to fit `max_length`), whichever none of `rows` has."""
    base = base[:max_length].strip("-") or "untitled"
    slug, n = base, 1
    while rows.filter(slug=slug).exists():
        n += 1
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)] + suffix
    return slug


def unused_claim_slug(statement: str, *, exclude_pk: int | None = None) -> str:
    """`claim_slug(statement)`, with -2, -3… added if another claim has it already."""
    others = Claim.objects.exclude(pk=exclude_pk) if exclude_pk else Claim.objects.all()
    return unused_slug(
        others, claim_slug(statement), max_length=Claim._meta.get_field("slug").max_length
    )
