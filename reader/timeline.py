"""The home page's timeline of deadlines: claims per deadline year, stacked by status.

The geometry is worked out here and the template only draws it, so the picture needs no
JavaScript and its text alternative is built from the same numbers.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from claims.models import ClaimTally, Status

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 28, 40
# Bottom to top, so settled claims form the base of each bar.
STACK = [Status.RESOLVED, Status.DUE, Status.OPEN]


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    y: float
    height: float


@dataclass
class YearBar:
    year: int
    counts: dict[str, int]
    x: float = 0
    width: float = 0
    segments: list[Segment] = field(default_factory=list)
    show_label: bool = True

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def count_y(self) -> float:
        """Just above the bar's top, where its total is written."""
        top = self.segments[-1].y if self.segments else HEIGHT - BOTTOM
        return round(top - 6, 1)

    @property
    def summary(self) -> str:
        parts = [f"{self.counts[s]} {Status(s).label.lower()}" for s in STACK if self.counts[s]]
        return f"{self.year}: {self.total} ({', '.join(parts)})" if parts else f"{self.year}: 0"


@dataclass
class Timeline:
    bars: list[YearBar]
    today_x: float
    today: datetime.date
    width: int = WIDTH
    height: int = HEIGHT
    baseline_y: float = HEIGHT - BOTTOM
    year_label_y: float = HEIGHT - BOTTOM + 20

    @property
    def first_year(self) -> int:
        return self.bars[0].year

    @property
    def last_year(self) -> int:
        return self.bars[-1].year

    @property
    def description(self) -> str:
        """The whole picture in words, for screen readers (the SVG's <desc>)."""
        years = "; ".join(bar.summary for bar in self.bars if bar.total)
        return (
            f"Claims by the year of their deadline, {self.first_year} to {self.last_year}, "
            f"split into resolved, due for a verdict and open. {years}."
        )


def deadline_timeline(today: datetime.date) -> Timeline | None:
    """Bars for every year from the earliest deadline to the latest (and this year)."""
    # From the claim tally (claims.models.ClaimTally): a few hundred rows kept by the database,
    # not a GROUP BY over every claim (58 ms at 200,000 claims on PostgreSQL, even over the
    # (status, deadline) index; docs/performance.md).
    counts: dict[int, dict[str, int]] = {}
    for status, year, n in ClaimTally.objects.by_status_and_year():
        counts.setdefault(year, dict.fromkeys(STACK, 0))[status] += n
    if not counts:
        return None
    first, last = min(*counts, today.year), max(*counts, today.year)
    bars = [
        YearBar(year, counts.get(year, dict.fromkeys(STACK, 0))) for year in range(first, last + 1)
    ]

    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(bars)
    tallest = max(bar.total for bar in bars)
    label_every = max(1, round(len(bars) / 12))  # about a dozen year labels at most
    for index, bar in enumerate(bars):
        bar.x = round(LEFT + index * slot + slot * 0.15, 1)
        bar.width = round(slot * 0.7, 1)
        bar.show_label = index % label_every == 0 or bar.year == today.year
        y = HEIGHT - BOTTOM
        for status in STACK:
            height = plot_height * bar.counts[status] / tallest
            y -= height
            if bar.counts[status]:
                bar.segments.append(
                    Segment(
                        status,
                        Status(status).label,
                        bar.counts[status],
                        round(y, 1),
                        round(height, 1),
                    )
                )

    # Today's position within its year's slot.
    year_fraction = (today.timetuple().tm_yday - 1) / (366 if calendar.isleap(today.year) else 365)
    today_x = LEFT + (today.year - first + year_fraction) * slot
    return Timeline(bars=bars, today_x=round(today_x, 1), today=today)
