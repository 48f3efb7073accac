"""Selectors: which claims a page, an endpoint or a job reads, and how a set of them turned out.

`Claim.objects` is a ClaimQuerySet, and every track record on the site is
`<claims>.track_record()`. This module imports no model of its own app (claims.models imports
it, for the manager), only the vocabularies in claims.choices, so nothing here is a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Q

from claims.choices import ClaimantType, Status, Verdict


class ClaimQuerySet(models.QuerySet):
    """Claim.objects: the named selections of claims that pages, the API and jobs read."""

    def open(self):
        return self.filter(status=Status.OPEN)

    def due(self):
        return self.filter(status=Status.DUE)

    def resolved(self):
        return self.filter(status=Status.RESOLVED)

    def past_deadline(self, today):
        """Open claims whose deadline day is over (a deadline is the last day to be judged)."""
        return self.open().filter(deadline__lt=today)

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
        """Counts by status and verdict in one query; every track record on the site is this."""
        counts = self.order_by().aggregate(
            total=Count("pk"),
            **{
                status: Count("pk", filter=Q(status=status)) for status in (Status.OPEN, Status.DUE)
            },
            **{verdict: Count("pk", filter=Q(verdict=verdict)) for verdict in Verdict.values},
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
