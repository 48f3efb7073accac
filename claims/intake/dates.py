"""The publication date printed near an article's title, in the forms real pages print it.

"2024-06-03", "Jun 3, 2024", "3 June 2024", "SATURDAY, FEBRUARY 7, 2026", "Published: 2022/5/17
09:30", "Last updated : 2025-01-08" are dates to the day; "April 2026" is a month, stored as its
first day (registry.precision): an article is never dated before it could have been written.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from registry.precision import Precision

_MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NUMBERS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH_NUMBERS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_END = r"(?![\d/-])"

# Tried in order; the first that matches a line wins.
_FORMS: list[tuple[re.Pattern[str], Precision]] = [
    (re.compile(rf"(?<!\d){_YEAR}-(?P<num>[01]?\d)-{_DAY}(?=$|[T\s,.;|)])", re.I), Precision.DAY),
    (re.compile(rf"(?<!\d){_YEAR}/(?P<num>[01]?\d)/{_DAY}{_END}", re.I), Precision.DAY),
    (re.compile(rf"\b(?:{_WEEKDAY})?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I), Precision.DAY),
    (
        re.compile(rf"\b(?:{_WEEKDAY})?{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b", re.I),
        Precision.DAY,
    ),
    (re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.I), Precision.MONTH),
]
# Words a date line may carry beside the date without being a sentence of the article.
_LABEL = re.compile(r"\b(published|posted|updated|last updated|modified|date|dated|issued)\b", re.I)
# A printed date stands near the title: in the article's first lines, on a short line.
HEAD_LINES = 15
DATE_LINE_MAX_CHARS = 90


@dataclass(frozen=True)
class PrintedDate:
    date: datetime.date
    precision: Precision
    words: str
    line: int


def read_date(line: str) -> PrintedDate | None:
    """The date a short line prints, or None. Impossible dates ("February 30") are not dates."""
    for pattern, precision in _FORMS:
        for match in pattern.finditer(line):
            parts = match.groupdict()
            month = (
                int(parts["num"]) if parts.get("num") else _MONTH_NUMBERS[parts["month"].lower()]
            )
            day = int(parts["day"]) if parts.get("day") else 1
            try:
                date = datetime.date(int(parts["year"]), month, day)
            except ValueError:
                continue
            return PrintedDate(date, precision, match[0].strip(), 0)
    return None


def find_printed_date(lines: list[str]) -> PrintedDate | None:
    """The publication date printed in the article's first lines.

    A line labelled "Published" wins over one labelled "Updated"; otherwise the first date line.
    Long lines are sentences, whose dates are what the article talks about, not when it appeared.
    """
    found: list[tuple[int, PrintedDate, str]] = []
    for number, line in enumerate(lines[:HEAD_LINES]):
        if len(line.strip()) > DATE_LINE_MAX_CHARS:
            continue
        if date := read_date(line):
            label = _LABEL.search(line)
            found.append((number, date, label[1].lower() if label else ""))
    if not found:
        return None
    published = [f for f in found if f[2] in ("published", "posted", "issued", "dated")]
    number, date, _label = (published or found)[0]
    return PrintedDate(date.date, date.precision, date.words, number)
