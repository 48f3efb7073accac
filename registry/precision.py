"""How exact a date is: the one vocabulary for publication dates and deadlines.

A date stored with a precision coarser than a day stands for the *last* day of its
period when it is a deadline ("by 2025" -> 2025-12-31) and for the *first* day when
it is a publication date ("April 2026" -> 2026-04-01), so that a claim is never judged
before its period is over, and never dated before it could have been made.
"""

from __future__ import annotations

from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "to the day"
    MONTH = "month", "to the month"
    QUARTER = "quarter", "to the quarter"
    YEAR = "year", "to the year"
