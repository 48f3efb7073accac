from __future__ import annotations

from datetime import date

import pytest

from claims.deadlines import (
    UNDERSTOOD_FORMS,
    Deadline,
    HorizonError,
    end_of_period,
    parse_horizon,
)
from registry.precision import Precision

DAY, MONTH, QUARTER, YEAR = Precision.DAY, Precision.MONTH, Precision.QUARTER, Precision.YEAR
PUB = date(2023, 6, 15)

# (text, published_on, published_precision, expected date, expected precision)
READABLE = [
    # Years
    ("by 2025", None, DAY, date(2025, 12, 31), YEAR),
    ("by the end of 2025", None, DAY, date(2025, 12, 31), YEAR),
    ("by end of 2025", None, DAY, date(2025, 12, 31), YEAR),
    ("by end-2025", None, DAY, date(2025, 12, 31), YEAR),
    ("by end–2025", None, DAY, date(2025, 12, 31), YEAR),
    ("by year-end 2025", None, DAY, date(2025, 12, 31), YEAR),
    ("by the close of 2025", None, DAY, date(2025, 12, 31), YEAR),
    ("in 2025", None, DAY, date(2025, 12, 31), YEAR),
    ("2025", None, DAY, date(2025, 12, 31), YEAR),
    ("  (By The End Of 2025.)  ", None, DAY, date(2025, 12, 31), YEAR),
    # Statistics: checkable once published, at the publication's own precision
    ("as of publication", date(2023, 3, 1), DAY, date(2023, 3, 1), DAY),
    ("as of publication", date(2026, 4, 1), MONTH, date(2026, 4, 30), MONTH),
    # Halves
    ("by mid-2026", None, DAY, date(2026, 6, 30), MONTH),
    ("by mid—2026", None, DAY, date(2026, 6, 30), MONTH),
    ("by the first half of 2026", None, DAY, date(2026, 6, 30), QUARTER),
    ("in H1 2026", None, DAY, date(2026, 6, 30), QUARTER),
    ("by the end of the first half of 2026", None, DAY, date(2026, 6, 30), QUARTER),
    ("in the second half of 2026", None, DAY, date(2026, 12, 31), QUARTER),
    ("H2 2026", None, DAY, date(2026, 12, 31), QUARTER),
    # Quarters
    ("by Q3 2026", None, DAY, date(2026, 9, 30), QUARTER),
    ("in Q3 2026", None, DAY, date(2026, 9, 30), QUARTER),
    ("by the third quarter of 2026", None, DAY, date(2026, 9, 30), QUARTER),
    ("by the end of the third quarter of 2026", None, DAY, date(2026, 9, 30), QUARTER),
    ("by q1 2028", None, DAY, date(2028, 3, 31), QUARTER),
    ("by Q2 2026", None, DAY, date(2026, 6, 30), QUARTER),
    ("by the fourth quarter of 2026", None, DAY, date(2026, 12, 31), QUARTER),
    # Months
    ("by March 2027", None, DAY, date(2027, 3, 31), MONTH),
    ("by the end of March 2027", None, DAY, date(2027, 3, 31), MONTH),
    ("in March 2027", None, DAY, date(2027, 3, 31), MONTH),
    ("BY MARCH 2027", None, DAY, date(2027, 3, 31), MONTH),
    ("by Sept 2027", None, DAY, date(2027, 9, 30), MONTH),
    ("by February 2027", None, DAY, date(2027, 2, 28), MONTH),
    ("by February 2028", None, DAY, date(2028, 2, 29), MONTH),
    # Days
    ("by 15 March 2027", None, DAY, date(2027, 3, 15), DAY),
    ("by March 15, 2027", None, DAY, date(2027, 3, 15), DAY),
    ("by 2027-03-15", None, DAY, date(2027, 3, 15), DAY),
    ("on 15 March 2027", None, DAY, date(2027, 3, 15), DAY),
    ("by 1st July 2027.", None, DAY, date(2027, 7, 1), DAY),
    ("by 29 February 2028", None, DAY, date(2028, 2, 29), DAY),
    # Ranges
    ("(2024-2026)", None, DAY, date(2026, 12, 31), YEAR),
    ("2024–2026", None, DAY, date(2026, 12, 31), YEAR),
    ("2024 — 2026", None, DAY, date(2026, 12, 31), YEAR),
    ("2024-26", None, DAY, date(2026, 12, 31), YEAR),
    ("from 2024 to 2026", None, DAY, date(2026, 12, 31), YEAR),
    ("between 2024 and 2026", None, DAY, date(2026, 12, 31), YEAR),
    ("during 2024-2026", None, DAY, date(2026, 12, 31), YEAR),
    ("over 2024-2026", None, DAY, date(2026, 12, 31), YEAR),
    ("2026-2026", None, DAY, date(2026, 12, 31), YEAR),
    # Relative to a publication known to the day
    ("within two years", PUB, DAY, date(2025, 6, 15), DAY),
    ("in the next 18 months", PUB, DAY, date(2024, 12, 15), DAY),
    ("over the next four quarters", PUB, DAY, date(2024, 6, 15), DAY),
    ("in the next twenty-four months", PUB, DAY, date(2025, 6, 15), DAY),
    ("in the next twenty four months", PUB, DAY, date(2025, 6, 15), DAY),
    ("within the next 3 years", PUB, DAY, date(2026, 6, 15), DAY),
    ("in 18 months", PUB, DAY, date(2024, 12, 15), DAY),
    ("18 months from now", PUB, DAY, date(2024, 12, 15), DAY),
    ("eighteen months from now", PUB, DAY, date(2024, 12, 15), DAY),
    ("over the coming five years", PUB, DAY, date(2028, 6, 15), DAY),
    ("in the coming decade", PUB, DAY, date(2033, 6, 15), DAY),
    ("within two decades", PUB, DAY, date(2043, 6, 15), DAY),
    ("within a year", PUB, DAY, date(2024, 6, 15), DAY),
    ("within an year", PUB, DAY, date(2024, 6, 15), DAY),
    ("within one year", PUB, DAY, date(2024, 6, 15), DAY),
    ("in the next year", PUB, DAY, date(2024, 6, 15), DAY),
    ("within half a year", PUB, DAY, date(2023, 12, 15), DAY),
    ("within six months", PUB, DAY, date(2023, 12, 15), DAY),
    ("Within Six Months.", PUB, DAY, date(2023, 12, 15), DAY),
    ("within 90 days", PUB, DAY, date(2023, 9, 13), DAY),
    ("within ninety-nine days", PUB, DAY, date(2023, 9, 22), DAY),
    ("within 12 weeks", PUB, DAY, date(2023, 9, 7), DAY),
    ("within a week", PUB, DAY, date(2023, 6, 22), DAY),
    # Calendar month arithmetic clamps the day
    ("within a month", date(2023, 1, 31), DAY, date(2023, 2, 28), DAY),
    ("within a month", date(2024, 1, 31), DAY, date(2024, 2, 29), DAY),
    ("within a year", date(2024, 2, 29), DAY, date(2025, 2, 28), DAY),
    ("within a quarter", date(2023, 11, 30), DAY, date(2024, 2, 29), DAY),
    ("within 30 days", date(2024, 2, 1), DAY, date(2024, 3, 2), DAY),
    # Relative to a publication known only to the month, quarter or year
    ("within 18 months", date(2026, 4, 1), MONTH, date(2027, 10, 31), MONTH),
    ("within 90 days", date(2026, 4, 1), MONTH, date(2026, 6, 30), MONTH),
    ("within a month", date(2024, 1, 1), MONTH, date(2024, 2, 29), MONTH),
    ("over the next four quarters", date(2026, 4, 1), QUARTER, date(2027, 6, 30), QUARTER),
    ("within two years", date(2023, 1, 1), YEAR, date(2025, 12, 31), YEAR),
    ("within two years", date(2023, 1, 1), "year", date(2025, 12, 31), YEAR),
    # Calendar words relative to publication
    ("by the end of the year", PUB, DAY, date(2023, 12, 31), YEAR),
    ("by year-end", PUB, DAY, date(2023, 12, 31), YEAR),
    ("by year's end", PUB, DAY, date(2023, 12, 31), YEAR),
    ("this year", PUB, DAY, date(2023, 12, 31), YEAR),
    ("by the end of this year", date(2026, 4, 1), MONTH, date(2026, 12, 31), YEAR),
    ("next year", PUB, DAY, date(2024, 12, 31), YEAR),
    ("by next year", PUB, DAY, date(2024, 12, 31), YEAR),
    ("by the end of next year", PUB, DAY, date(2024, 12, 31), YEAR),
    ("by the end of the decade", PUB, DAY, date(2029, 12, 31), YEAR),
    ("by the end of the decade", date(2030, 2, 1), DAY, date(2039, 12, 31), YEAR),
    ("by the end of the decade", date(2029, 12, 31), DAY, date(2029, 12, 31), YEAR),
    # China's Five-Year Plans
    ("by the end of the 14th Five-Year Plan", None, DAY, date(2025, 12, 31), YEAR),
    ("during the 14th Five-Year Plan (2021-2025)", None, DAY, date(2025, 12, 31), YEAR),
    ("during the 14th Five-Year Plan (2021–25)", None, DAY, date(2025, 12, 31), YEAR),
    ("15th Five-Year Plan period", None, DAY, date(2030, 12, 31), YEAR),
    ("by the end of the Fourteenth Five-Year Plan", None, DAY, date(2025, 12, 31), YEAR),
    ("in the 13th five year plan", None, DAY, date(2020, 12, 31), YEAR),
    ("by the end of the 1st Five-Year Plan", None, DAY, date(1957, 12, 31), YEAR),
    ("the Third Five-Year Plan", None, DAY, date(1970, 12, 31), YEAR),
]


@pytest.mark.parametrize(
    ("text", "published_on", "published_precision", "due", "precision"), READABLE
)
def test_it_reads_the_horizon_as_a_deadline(
    text: str,
    published_on: date | None,
    published_precision: Precision,
    due: date,
    precision: Precision,
) -> None:
    deadline = parse_horizon(
        text, published_on=published_on, published_precision=published_precision
    )

    assert deadline == Deadline(due, precision)


@pytest.mark.parametrize("form", UNDERSTOOD_FORMS)
def test_it_reads_every_form_it_offers_editors_as_an_example(form: str) -> None:
    assert isinstance(parse_horizon(form, published_on=PUB), Deadline)


LISTS_FORMS = "You can also type the deadline date instead."

# (text, published_on, fragment the message must contain, whether it lists every form)
REFUSED = [
    ("soon-ish", PUB, 'Cannot read "soon-ish" as a deadline.', True),
    ("eventually", PUB, 'Cannot read "eventually" as a deadline.', True),
    ("by 2025 or 2026", PUB, "Cannot read", True),
    ("within months", PUB, "Cannot read", True),
    ("within an hour", PUB, "Cannot read", True),
    ("by Q5 2026", PUB, "Cannot read", True),
    ("", PUB, "No deadline given.", True),
    ("   ", None, "No deadline given.", True),
    ("()", None, "No deadline given.", True),
    ("by 31 February 2027", None, "does not exist", False),
    ("2027-02-30", None, "does not exist", False),
    ("by 29 February 2027", None, "does not exist", False),
    ("by 2027-13-01", None, "does not exist", False),
    ("by 31 April 2027", None, "does not exist", False),
    ("2026-2024", None, "ends before it starts", False),
    ("from 2026 to 2024", None, "ends before it starts", False),
    ("2026-24", None, "ends before it starts", False),
    ("within two years", None, "publication date", False),
    ("in 18 months", None, "publication date", False),
    ("by the end of the year", None, "publication date", False),
    ("next year", None, "publication date", False),
    ("by the end of the decade", None, "publication date", False),
    ("within half a week", PUB, "whole number of days or months", False),
    ("during the 14th Five-Year Plan (2020-2024)", None, "runs 2021-2025", False),
]


@pytest.mark.parametrize(("text", "published_on", "fragment", "lists_forms"), REFUSED)
def test_it_refuses_what_it_cannot_read_with_a_message_for_editors(
    text: str, published_on: date | None, fragment: str, lists_forms: bool
) -> None:
    with pytest.raises(HorizonError) as refused:
        parse_horizon(text, published_on=published_on)

    message = str(refused.value)
    assert fragment in message
    assert all(f'"{form}"' in message for form in UNDERSTOOD_FORMS) is lists_forms
    assert (LISTS_FORMS in message) is lists_forms


def test_its_refusal_is_a_value_error() -> None:
    assert issubclass(HorizonError, ValueError)


@pytest.mark.parametrize(
    ("day", "precision", "last_day"),
    [
        (date(2026, 4, 15), DAY, date(2026, 4, 15)),
        (date(2026, 4, 15), MONTH, date(2026, 4, 30)),
        (date(2024, 2, 1), MONTH, date(2024, 2, 29)),
        (date(2023, 2, 1), MONTH, date(2023, 2, 28)),
        (date(2026, 1, 1), QUARTER, date(2026, 3, 31)),
        (date(2026, 5, 20), QUARTER, date(2026, 6, 30)),
        (date(2026, 9, 30), QUARTER, date(2026, 9, 30)),
        (date(2026, 10, 1), QUARTER, date(2026, 12, 31)),
        (date(2026, 4, 15), YEAR, date(2026, 12, 31)),
    ],
)
def test_it_finds_the_last_day_of_a_period(day: date, precision: Precision, last_day: date) -> None:
    assert end_of_period(day, precision) == last_day
