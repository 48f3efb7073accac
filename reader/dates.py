"""How the site words dates that are known only to a month, quarter or year.

The one place that turns a stored date and its precision into words, so that a deadline read
from "by 2025" shows as 31 December 2025, to the year, everywhere it appears; and the one place
that says whose a deadline is (the article's words or the registry's reading), for the claim
page, the feeds and the calendar alike.
"""

from __future__ import annotations

import datetime

from django.utils.dateformat import format as format_date
from django.utils.timesince import timesince

from claims.choices import DeadlineSource
from registry.precision import Precision


def describe_deadline(day: datetime.date | None, precision: str) -> str:
    """The last day to judge a claim, and how exact it is: "31 December 2025, to the year"."""
    if day is None:
        return "No deadline"
    text = format_date(day, "j F Y")
    if precision and precision != Precision.DAY:
        text += f", {Precision(precision).label}"
    return text


def describe_period_end(day: datetime.date, precision: str) -> str:
    """When a deadline falls, in words that say its period: "at the end of 2027", "at the end
    of Q3 2027", "at the end of March 2028", "on 1 September 2024"."""
    if precision == Precision.YEAR:
        return f"at the end of {day.year}"
    if precision == Precision.QUARTER:
        return f"at the end of Q{(day.month - 1) // 3 + 1} {day.year}"
    if precision == Precision.MONTH:
        return f"at the end of {format_date(day, 'F Y')}"
    return f"on {format_date(day, 'j F Y')}"


def describe_deadline_source(claim) -> str:
    """Whose deadline it is, in a sentence: the article's words, or, where the article gives
    no horizon, the registry's reading and why. Empty when nothing is recorded to say."""
    if claim.deadline is not None and claim.deadline_source == DeadlineSource.REGISTRY:
        when = describe_period_end(claim.deadline, claim.deadline_precision)
        reason = claim.deadline_reason.strip().rstrip(".")
        return f"No horizon in the article; judged {when} because {reason}."
    if claim.deadline_text:
        return f"The article says “{claim.deadline_text}”."
    return ""


def describe_publication(day: datetime.date | None, precision: str) -> str:
    """A publication date names its period: "April 2026", "2026" or "15 January 2024"."""
    if day is None:
        return "Date unknown"
    if precision == Precision.YEAR:
        return str(day.year)
    if precision == Precision.MONTH:
        return format_date(day, "F Y")
    return format_date(day, "j F Y")


def describe_time_left(day: datetime.date | None, today: datetime.date) -> str:
    """Time until the deadline day is over, or since it was: "3 months left", "overdue by…"."""
    if day is None:
        return "No deadline"
    if day == today:
        return "Last day today"
    if day > today:
        return f"{timesince(today, day, depth=2)} left"
    return f"Overdue by {timesince(day, today, depth=2)}"
