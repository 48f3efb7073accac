"""Selectors: which claims a page, an endpoint or a job reads, and how a set of them turned out.

`Claim.objects` is a ClaimQuerySet, and every track record on the site is
`<claims>.track_record()`. ClaimFilterSet holds the filters every list of claims offers and
SEARCH_FIELDS what a search looks in: the reader's list (reader.filters) and the API's
(api.filters) subclass the one, and search the other.

This module imports no model of its own app (claims.models imports it, for the manager), only
the vocabularies in claims.choices, so nothing here is a cycle.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q

from claims.choices import ClaimantType, Kind, Status, Verdict

# What the reader's search box, the API's ?search= and the editors' admin search a claim by.
SEARCH_FIELDS = [
    "statement",
    "quote",
    "slug",
    "deadline_text",
    "article__title",
    "claimant__name",
]


# How much a search may ask for, on the reader site and in the API alike: each word is one more
# pass of LIKE '%word%' over several columns, so a pasted article would hold the database for
# a minute (1,900 words: 56 s on PostgreSQL).
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_TERMS = 8
SEARCH_MAX_TERM_LENGTH = 50


def validate_search_terms(raw: str, terms: Sequence[str]) -> None:
    """Refuse a search longer than the limits above, saying which limit and by how much.

    `raw` is the text as typed, `terms` the words it was split into (the API's search splits
    on commas and keeps quoted phrases together; the reader site splits on spaces)."""
    length = len(raw.strip())
    if length > SEARCH_MAX_LENGTH:
        raise ValidationError(
            f"A search may be at most {SEARCH_MAX_LENGTH} characters long (this one has {length}).",
            code="search_too_long",
        )
    if len(terms) > SEARCH_MAX_TERMS:
        raise ValidationError(
            f"A search may have at most {SEARCH_MAX_TERMS} words (this one has {len(terms)}).",
            code="search_too_many_terms",
        )
    for term in terms:
        if len(term) > SEARCH_MAX_TERM_LENGTH:
            raise ValidationError(
                f"Each word of a search may be at most {SEARCH_MAX_TERM_LENGTH} characters long "
                f"(“{term[:20]}…” has {len(term)}).",
                code="search_term_too_long",
            )


class ClaimQuerySet(models.QuerySet):
    """Claim.objects: the named selections of claims that pages, the API and jobs read."""

    def open(self):
        return self.filter(status=Status.OPEN)

    def due(self):
        return self.filter(status=Status.DUE)

    def resolved(self):
        return self.filter(status=Status.RESOLVED)

    def for_outlet(self, outlet):
        return self.filter(article__outlet=outlet)

    def with_sources(self):
        return self.select_related("article__outlet", "claimant")

    def with_details(self):
        """Everything a claim's page shows, in a number of queries that no list makes grow."""
        return self.with_sources().prefetch_related("about", "topics", "evidence", "transitions")

    def outlet_own(self):
        """The outlet's own forecasts and figures: what an outlet's track record is made of."""
        return self.filter(claimant_type=ClaimantType.OUTLET)

    def reported(self):
        """Targets and forecasts of others that an article reports."""
        return self.filter(claimant_type=ClaimantType.REPORTED)

    def concerning(self, entity):
        """Claims made by the entity or about it (a subquery, so no duplicate rows)."""
        about = self.model.about.through.objects.filter(entity=entity).values("claim_id")
        return self.filter(Q(claimant=entity) | Q(pk__in=about))

    def track_record(self):
        """Counts by status and verdict in one query; every track record on the site is this.

        Conditional signals (a test an outlet sets for its own thesis) are counted apart, in
        `signals`, and in nothing else: they are not predictions, so they never count for or
        against whoever set them.
        """
        counted = Q(conditional=False)
        counts = self.order_by().aggregate(
            total=Count("pk", filter=counted),
            **{
                status: Count("pk", filter=counted & Q(status=status))
                for status in (Status.OPEN, Status.DUE)
            },
            **{
                verdict: Count("pk", filter=counted & Q(verdict=verdict))
                for verdict in Verdict.values
            },
            signals=Count("pk", filter=Q(conditional=True)),
        )
        return TrackRecord(**counts)


@dataclass(frozen=True)
class TrackRecord:
    total: int
    open: int
    due: int
    correct: int
    partly_correct: int
    incorrect: int
    unresolvable: int
    # Conditional signals among the claims, counted in none of the figures above.
    signals: int = 0

    @property
    def pending(self) -> int:
        """Claims still waiting for a verdict, whether or not their deadline has passed."""
        return self.open + self.due

    @property
    def resolved(self) -> int:
        return self.correct + self.partly_correct + self.incorrect + self.unresolvable

    @property
    def judged(self) -> int:
        # An unresolvable claim was neither right nor wrong, so it does not count either way.
        return self.correct + self.partly_correct + self.incorrect

    @property
    def share_correct(self) -> float | None:
        """Correct claims among those judged; None until something has been judged."""
        return self.correct / self.judged if self.judged else None

    @property
    def verdicts(self) -> list[tuple[str, str, int]]:
        """(value, label, count) for each verdict, in the order readers expect."""
        return [(v.value, v.label, getattr(self, v.value)) for v in Verdict]


def search(queryset: models.QuerySet, words: Iterable[str]) -> models.QuerySet:
    """Claims with every word in at least one of SEARCH_FIELDS (case-insensitive), as the API's
    SearchFilter reads ?search=."""
    for word in words:
        matches = Q()
        for field in SEARCH_FIELDS:
            matches |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(matches)
    return queryset


class ClaimFilterSet(django_filters.FilterSet):
    """What a claim is and where it stands: the filters every list of claims offers, the
    reader site's and the API's alike. Each subclass sets Meta.model (claims.models imports
    this module, so it cannot), adds how it names articles and outlets, and may word the
    shared filters for its readers in `filter_labels` ({name: label})."""

    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, empty_label="Any verdict")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, empty_label="Any kind")
    deadline_after = django_filters.DateFilter(
        field_name="deadline",
        lookup_expr="gte",
        label="Deadline on or after this date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_before = django_filters.DateFilter(
        field_name="deadline",
        lookup_expr="lte",
        label="Deadline on or before this date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    filter_labels: dict[str, str] = {}

    @classmethod
    def get_filters(cls) -> dict[str, django_filters.Filter]:
        # Why the first attempt at one FilterSet for the site and the API failed: django-filter's
        # metaclass gives a subclass the very Filter objects its base declared, and Filter.field
        # builds its form field once and caches it on that object. drf-spectacular reads .field
        # on the API FilterSet's class-level filters to write the schema, before any model is
        # set on them, so from the first /api/schema/ on, every FilterSet sharing those objects
        # (deep-copied per request, cache and all) had a field with no label: the reader's list
        # said "None “bogus” was ignored". Each class gets filters of its own, with its model,
        # so nothing one audience does to a filter reaches the other.
        filters = copy.deepcopy(super().get_filters())
        for name, filter_ in filters.items():
            if cls._meta.model is not None:
                filter_.model = cls._meta.model
            if name in cls.filter_labels:
                filter_.label = cls.filter_labels[name]
        return filters
