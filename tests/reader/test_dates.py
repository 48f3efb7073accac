from __future__ import annotations

import datetime

from claims.deadlines import parse_horizon
from reader.dates import describe_deadline, describe_publication, describe_time_left

TODAY = datetime.date(2026, 11, 24)


def test_it_words_a_deadline_read_from_by_2025_as_the_last_day_to_the_year():
    deadline = parse_horizon("by 2025")
    assert describe_deadline(deadline.date, deadline.precision) == "31 December 2025, to the year"


def test_it_words_a_quarter_and_a_month_deadline_with_their_precision():
    assert describe_deadline(datetime.date(2026, 9, 30), "quarter") == (
        "30 September 2026, to the quarter"
    )
    assert describe_deadline(datetime.date(2026, 4, 30), "month") == "30 April 2026, to the month"


def test_it_words_a_day_deadline_without_a_precision_note():
    assert describe_deadline(datetime.date(2027, 3, 15), "day") == "15 March 2027"
    assert describe_deadline(None, "") == "No deadline"


def test_it_words_a_publication_date_as_the_period_the_article_gives():
    assert describe_publication(datetime.date(2026, 4, 1), "month") == "April 2026"
    assert describe_publication(datetime.date(2026, 1, 1), "year") == "2026"
    assert describe_publication(datetime.date(2024, 1, 15), "day") == "15 January 2024"


def test_it_says_how_long_is_left_before_a_deadline():
    assert describe_time_left(datetime.date(2027, 12, 31), TODAY) == "1\xa0year, 1\xa0month left"
    assert describe_time_left(TODAY, TODAY) == "Last day today"


def test_it_says_how_long_a_deadline_is_overdue():
    assert describe_time_left(datetime.date(2025, 12, 31), TODAY) == (
        "Overdue by 10\xa0months, 3\xa0weeks"
    )
