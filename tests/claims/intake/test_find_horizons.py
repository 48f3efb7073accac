"""The deadline parser's search mode: horizons inside running text, read by the same rules."""

from __future__ import annotations

from datetime import date

import pytest

from claims.deadlines import find_horizons, parse_horizon
from registry.precision import Precision

PUB = date(2024, 1, 31)


def words(text: str, **kwargs) -> list[str]:
    return [h.words for h in find_horizons(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Output will rise by 2028, officials said.", ["by 2028"]),
        ("The line opens in 2031.", ["in 2031"]),
        ("Growth of 2.5% a year between 2026 and 2030.", ["between 2026 and 2030"]),
        ("It will double over the next ten years.", ["over the next ten years"]),
        ("The market grows through 2027, outpacing software.", ["through 2027"]),
        ("The plan sets these goals for 2028: more wind.", ["for 2028"]),
        (
            "Sales hit a record by the end of 2025 and again in H2 2026.",
            ["by the end of 2025", "in H2 2026"],
        ),
        ("A deal (2024-2026) is likely.", ["2024-2026"]),
    ],
)
def test_it_finds_horizons_in_running_text(text, expected):
    assert words(text, published_on=PUB) == expected


def test_the_longest_reading_wins_over_the_year_inside_it():
    (found,) = find_horizons("by the end of 2025", published_on=PUB)
    assert (found.start, found.end, found.deadline.date) == (0, 18, date(2025, 12, 31))


def test_spans_are_offsets_into_the_original_text_even_with_the_dropped_words():
    text = "Exports, the ministry says, will double   by  the end of 2027 ."
    (found,) = find_horizons(text)
    assert text[found.start : found.end] == found.words == "by  the end of 2027"


@pytest.mark.parametrize(
    "text",
    [
        "It costs $2025 a unit.",
        "Prices rose 2025% in a decade of chaos.",
        "Code 20250 and 12025.",
        "GPT-2025 is a model name.",
        "It scored 1.2025 on the test.",
    ],
)
def test_numbers_that_are_not_years_are_not_horizons(text):
    assert [h.words for h in find_horizons(text) if h.words[-4:].isdigit()] == []


@pytest.mark.parametrize(
    "text",
    [
        "by 2025",
        "in 2031",
        "between 2026 and 2030",
        "within two years",
        "by March 15, 2027",
        "in the next 18 months",
        "by the end of the 14th Five-Year Plan",
        "by Q3 2026",
    ],
)
def test_search_mode_gives_the_deadline_parse_horizon_gives(text):
    (found,) = find_horizons(f"Officials say it will happen {text}, they said.", published_on=PUB)
    assert found.deadline == parse_horizon(text, published_on=PUB)


def test_relative_horizon_without_a_publication_date_is_found_but_waits():
    (found,) = find_horizons("Half of them will fail within two years.")
    assert found.words == "within two years"
    assert found.deadline is None
    assert "publication date" in found.error


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (date(2024, 1, 30), date(2024, 4, 30)),  # the day before the month's end
        (date(2024, 1, 31), date(2024, 4, 30)),  # 31 January + 3 months is the end of April
        (date(2024, 2, 1), date(2024, 5, 1)),  # the day after
    ],
)
def test_relative_horizon_counts_from_publication_to_the_day(published, expected):
    (found,) = find_horizons("It will be done within three months.", published_on=published)
    assert found.deadline.date == expected
    assert found.deadline.precision == Precision.DAY


def test_relative_horizon_keeps_a_month_publication_precision():
    (found,) = find_horizons(
        "within two years", published_on=date(2026, 4, 1), published_precision=Precision.MONTH
    )
    assert (found.deadline.date, found.deadline.precision) == (date(2028, 4, 30), Precision.MONTH)


def test_text_without_horizons_finds_none():
    assert find_horizons("The ministry is pleased with the results of the year's work.") == []
