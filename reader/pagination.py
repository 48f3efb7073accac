"""Pagination that never counts a whole table.

Django's Paginator runs COUNT(*) over everything that matches, which grows with the registry.
Here a page fetches one row more than it shows (to know whether there is a next page) and the
total is counted only up to a cap: past it the page says "more than 1,000". A caller that
knows the total (the claim tally's count of a list filtered by status, verdict and kind) gives it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

COUNT_CAP = 1000
# Far past any real page; keeps an absurd ?page= from overflowing the database's integers.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    per_page: int
    has_next: bool
    # Matches counted up to COUNT_CAP; `count_capped` says the real number is larger.
    count: int
    count_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)


def page_number(raw: str | None) -> int:
    """The page asked for; anything that is not a positive number means the first page."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(
    queryset: QuerySet, raw_page: str | None, *, per_page: int, count: int | None = None
) -> Page:
    """A page of `queryset`; `count`, when given, is the exact number of rows it holds."""
    number = page_number(raw_page)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    if count is None:
        # A subquery with a LIMIT: the database stops counting at the cap.
        capped = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
        count, count_capped = min(capped, COUNT_CAP), capped > COUNT_CAP
    else:
        count_capped = False
    return Page(
        items=rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(rows) > per_page,
        count=count,
        count_capped=count_capped,
    )
