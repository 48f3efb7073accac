"""Read an article's time horizon ("by 2025", "within two years") as a deadline date.

A deadline coarser than a day stands for the last day of its period, so that a claim is
never judged before the period it names is over.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from registry.precision import Precision


@dataclass(frozen=True)
class Deadline:
    date: datetime.date
    precision: Precision


class HorizonError(ValueError):
    """A horizon that cannot be read; the message is shown to editors verbatim."""


UNDERSTOOD_FORMS: tuple[str, ...] = (
    "by 2025",
    "by the end of 2025",
    "by mid-2026",
    "by H1 2026",
    "by the second half of 2026",
    "by Q3 2026",
    "by the third quarter of 2026",
    "by March 2027",
    "by 15 March 2027",
    "by March 15, 2027",
    "by 2027-03-15",
    "2024-2026",
    "from 2024 to 2026",
    "within two years",
    "in the next 18 months",
    "18 months from now",
    "within 90 days",
    "by the end of the year",
    "by the end of next year",
    "by the end of the decade",
    "by the end of the 14th Five-Year Plan",
    "as of publication",
)


def end_of_period(day: datetime.date, precision: Precision) -> datetime.date:
    """The last day of the month, quarter or year that ``day`` falls in."""
    if precision == Precision.DAY:
        return day
    if precision == Precision.YEAR:
        return datetime.date(day.year, 12, 31)
    month = day.month if precision == Precision.MONTH else (day.month + 2) // 3 * 3
    return datetime.date(day.year, month, calendar.monthrange(day.year, month)[1])


# --- Vocabulary ------------------------------------------------------------------------

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"]
_TEENS += ["seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUES = {w: i for i, w in enumerate(_ONES + _TEENS, start=1)} | {"a": 1, "an": 1}
_WORD_VALUES |= {w: 10 * i for i, w in enumerate(_TENS, start=2)}
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_ORDINALS += ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth"]
_ORDINALS += ["sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"]
_MONTHS = {name.lower()[:3]: i for i, name in enumerate(calendar.month_name) if name}

_NUM = rf"\d+|(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_ONES)}))?|{'|'.join(_WORD_VALUES)}"
_UNIT = r"(?P<unit>day|week|month|quarter|year|decade)s?"
_YEAR = r"(?:1[89]|2\d)\d\d"  # 1800-2999: other four-digit numbers are not years
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_BY = r"(?:(?:by|in|on|during) )?"
_END = r"(?:end|close)(?: of |-| )"
_TH = r"(?:st|nd|rd|th)?"

# Months, quarters and decades are calendar arithmetic (31 Jan + 1 month = end of Feb),
# not fixed day counts.
_MONTHS_PER_UNIT = {"month": 1, "quarter": 3, "year": 12, "decade": 120}
_DAYS_PER_UNIT = {"day": 1, "week": 7}


def _words_to_number(text: str) -> int:
    """Read "18", "a", "twelve" or "twenty-four" (up to ninety-nine) as an integer."""
    if text.isdigit():
        return int(text)
    return sum(_WORD_VALUES[word] for word in re.split(r"[- ]", text))


@dataclass(frozen=True)
class _Context:
    text: str
    published_on: datetime.date | None
    published_precision: Precision

    def publication(self) -> datetime.date:
        if self.published_on is None:
            raise HorizonError(
                f'"{self.text}" counts from the article\'s publication date, which is not '
                "known. Enter the publication date first, or type the deadline date instead."
            )
        return self.published_on


_Handler = Callable[[re.Match[str], _Context], Deadline]
_RULES: list[tuple[re.Pattern[str], _Handler]] = []


def _rule(*patterns: str) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        _RULES.extend((re.compile(pattern), handler) for pattern in patterns)
        return handler

    return register


def _year_end(year: int) -> Deadline:
    return Deadline(datetime.date(year, 12, 31), Precision.YEAR)


def _range_end(start: str, end: str, ctx: _Context) -> int:
    # "2024-26" abbreviates the end year within the start year's century.
    last = int(end) if len(end) == 4 else int(start) // 100 * 100 + int(end)
    if last < int(start):
        raise HorizonError(f'The range "{ctx.text}" ends before it starts.')
    return last


def _ordinal(word: str) -> int:
    digits = re.match(r"\d+", word)
    return int(digits[0]) if digits else _ORDINALS.index(word) + 1


# --- Rules, tried in order against the normalised text -----------------------------------


@_rule(
    rf"{_BY}(?:{_END})?(?P<ordinal>\d\d?{_TH}|{'|'.join(_ORDINALS)}) five[- ]year plan"
    rf"(?: period)?(?: (?P<start>{_YEAR})-(?P<end>\d\d|{_YEAR}))?"
)
def _five_year_plan(m: re.Match[str], ctx: _Context) -> Deadline:
    n = _ordinal(m["ordinal"])
    if n < 1:
        raise HorizonError(f'"{ctx.text}" does not name a Five-Year Plan.')
    # Plans have run back to back since 1953, except for the adjustment years 1963-1965.
    first = 1953 + 5 * (n - 1) + (3 if n > 2 else 0)
    last = first + 4
    if m["start"] and (int(m["start"]), _range_end(m["start"], m["end"], ctx)) != (first, last):
        raise HorizonError(f'"{ctx.text}": that Five-Year Plan runs {first}-{last}.')
    return _year_end(last)


@_rule(
    rf"{_BY}(?P<year>{_YEAR})-(?P<month>\d\d?)-(?P<day>\d\d?)",
    rf"{_BY}(?P<day>\d\d?){_TH}(?: of)? {_MONTH} (?P<year>{_YEAR})",
    rf"{_BY}{_MONTH} (?P<day>\d\d?){_TH} (?P<year>{_YEAR})",
)
def _day(m: re.Match[str], ctx: _Context) -> Deadline:
    month = _MONTHS.get(m["month"][:3]) or int(m["month"])
    try:
        return Deadline(datetime.date(int(m["year"]), month, int(m["day"])), Precision.DAY)
    except ValueError:
        raise HorizonError(f'"{ctx.text}" names a date that does not exist.') from None


@_rule(rf"{_BY}(?:{_END})?{_MONTH} (?P<year>{_YEAR})")
def _month(m: re.Match[str], ctx: _Context) -> Deadline:
    day = datetime.date(int(m["year"]), _MONTHS[m["month"][:3]], 1)
    return Deadline(end_of_period(day, Precision.MONTH), Precision.MONTH)


@_rule(
    rf"{_BY}(?:{_END})?(?:q(?P<q>[1-4])|(?P<ordinal>first|second|third|fourth|[1-4]{_TH})"
    rf" quarter(?: of)?)[ -](?P<year>{_YEAR})"
)
def _quarter(m: re.Match[str], ctx: _Context) -> Deadline:
    quarter = int(m["q"]) if m["q"] else _ordinal(m["ordinal"])
    day = datetime.date(int(m["year"]), quarter * 3, 1)
    return Deadline(end_of_period(day, Precision.QUARTER), Precision.QUARTER)


@_rule(
    rf"{_BY}(?:{_END})?(?:h(?P<h>[12])|(?P<ordinal>first|second|[12]{_TH}) half(?: of)?)"
    rf"[ -](?P<year>{_YEAR})"
)
def _half(m: re.Match[str], ctx: _Context) -> Deadline:
    half = int(m["h"]) if m["h"] else _ordinal(m["ordinal"])
    day = datetime.date(int(m["year"]), 6 * half, 1)
    return Deadline(end_of_period(day, Precision.QUARTER), Precision.QUARTER)


@_rule(rf"{_BY}(?:mid|middle of)[- ]?(?P<year>{_YEAR})")
def _mid_year(m: re.Match[str], ctx: _Context) -> Deadline:
    # "Mid-2026" is vague; the end of June is the latest reading still called "mid".
    return Deadline(datetime.date(int(m["year"]), 6, 30), Precision.MONTH)


@_rule(
    rf"(?:(?:by|in|during|over|from|between) )?"
    rf"(?P<start>{_YEAR})(?:-| to | and )(?P<end>\d\d|{_YEAR})"
)
def _range(m: re.Match[str], ctx: _Context) -> Deadline:
    return _year_end(_range_end(m["start"], m["end"], ctx))


@_rule(rf"{_BY}(?:{_END}|year[- ]end )?(?P<year>{_YEAR})")
def _year(m: re.Match[str], ctx: _Context) -> Deadline:
    return _year_end(int(m["year"]))


@_rule(
    rf"(?:within|in|over) (?:(?:next|coming) )?(?P<n>{_NUM}|half an?) {_UNIT}",
    rf"(?:within|in|over) (?:next|coming) {_UNIT}",
    rf"(?P<n>{_NUM}) {_UNIT} from now",
)
def _relative(m: re.Match[str], ctx: _Context) -> Deadline:
    n = m.groupdict().get("n") or "1"
    count = Fraction(1, 2) if n.startswith("half") else Fraction(_words_to_number(n))
    months = count * _MONTHS_PER_UNIT.get(m["unit"], 0)
    days = count * _DAYS_PER_UNIT.get(m["unit"], 0)
    if months.denominator != 1 or days.denominator != 1:
        raise HorizonError(f'"{ctx.text}" is not a whole number of days or months.')
    due = ctx.publication() + relativedelta(months=int(months), days=int(days))
    return Deadline(end_of_period(due, ctx.published_precision), ctx.published_precision)


@_rule(rf"{_BY}(?:{_END}(?:this |current )?year|year[- ]end|year'?s end|(?:this|current) year)")
def _this_year(m: re.Match[str], ctx: _Context) -> Deadline:
    return _year_end(ctx.publication().year)


# Not "in": "in the next year" is twelve months from publication, read above.
@_rule(rf"(?:by )?(?:{_END})?next year")
def _next_year(m: re.Match[str], ctx: _Context) -> Deadline:
    return _year_end(ctx.publication().year + 1)


@_rule(rf"(?:by )?(?:{_END}(?:this |current )?decade|this decade)")
def _this_decade(m: re.Match[str], ctx: _Context) -> Deadline:
    return _year_end(ctx.publication().year // 10 * 10 + 9)


# A statistic about the past can be checked as soon as the article is out.
@_rule(r"(?:as of|at|on|upon) publication")
def _publication(m: re.Match[str], ctx: _Context) -> Deadline:
    published = ctx.publication()
    return Deadline(end_of_period(published, ctx.published_precision), ctx.published_precision)


_TIDY = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "(": " ", ")": " "})


def _normalize(text: str) -> str:
    text = text.lower().translate(_TIDY)
    # "the" and commas are optional everywhere, so drop them rather than allow them in every rule.
    text = re.sub(r"\bthe\b|,", " ", text).strip().rstrip(".")
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def parse_horizon(
    text: str,
    *,
    published_on: datetime.date | None = None,
    published_precision: Precision = Precision.DAY,
) -> Deadline:
    """Turn horizon words into a deadline; relative phrases count from ``published_on``."""
    ctx = _Context(text.strip(), published_on, Precision(published_precision))
    normalized = _normalize(text)
    for pattern, handler in _RULES:
        if match := pattern.fullmatch(normalized):
            return handler(match, ctx)
    forms = ", ".join(f'"{form}"' for form in UNDERSTOOD_FORMS)
    opening = f'Cannot read "{ctx.text}" as a deadline.' if normalized else "No deadline given."
    raise HorizonError(
        f"{opening} Understood forms: {forms}. You can also type the deadline date instead."
    )


def deadline_from_entry(
    *,
    words: str,
    date: datetime.date | None,
    precision: str,
    date_changed: bool,
    words_changed: bool,
    published_on: datetime.date | None,
    published_precision: str = Precision.DAY,
) -> tuple[datetime.date | None, str]:
    """The (deadline, precision) an editor means by what they entered, in the admin or the API.

    A date they typed wins over the words, to the day unless they gave a precision. Otherwise
    horizon words that changed, or that stand without a date, are read from the article's
    publication date. Neither a date nor words: no deadline. Raises HorizonError.
    """
    words = (words or "").strip()
    if date_changed and date:
        return date, precision or Precision.DAY
    if not date and not words:
        return None, ""
    if words and (words_changed or not date):
        deadline = parse_horizon(
            words, published_on=published_on, published_precision=published_precision
        )
        return deadline.date, deadline.precision
    return date, precision


# --- Search mode: the same rules over running text ----------------------------------------

# Lead words that running text puts before a horizon and that mean what "by" means. They are
# kept in the found words but the deadline is read from what follows them, by the rules above.
_SEARCH_LEADS = r"(?:(?:through|until|till|up to|no later than|for) )?"
# A horizon starts and ends at a word boundary, and a year is not part of a number or an amount.
_SEARCH_BEFORE = r"(?<![\w$€£¥.\-])"
_SEARCH_AFTER = r"(?![\w%]|-\w|\.\d)"
_SEARCH_RULES: list[tuple[re.Pattern[str], _Handler]] = [
    (re.compile(f"{_SEARCH_BEFORE}{_SEARCH_LEADS}(?:{pattern.pattern}){_SEARCH_AFTER}"), handler)
    for pattern, handler in _RULES
]


@dataclass(frozen=True)
class HorizonMatch:
    """Horizon words found in running text: where, what they say, and the deadline they give.

    ``deadline`` is None when the words cannot give one yet, e.g. "within two years" with no
    publication date; ``error`` then says why, in the parser's words.
    """

    start: int
    end: int
    words: str
    deadline: Deadline | None
    error: str = ""


def _normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """`_normalize` without the final strip, and for each character the offset it came from."""
    normalized = text.lower().translate(_TIDY)
    if len(normalized) == len(text):
        offsets = list(range(len(text)))
    else:  # a character whose lower case is longer ("İ"): map each piece back to it
        offsets = [i for i, char in enumerate(text) for _ in char.lower().translate(_TIDY)]
    for pattern, replacement in ((r"\bthe\b|,", " "), (r"\s*-\s*", "-"), (r"\s+", " ")):
        pieces: list[str] = []
        new_offsets: list[int] = []
        position = 0
        for match in re.finditer(pattern, normalized):
            pieces.append(normalized[position : match.start()])
            new_offsets.extend(offsets[position : match.start()])
            pieces.append(replacement)
            new_offsets.extend([offsets[match.start()]] * len(replacement))
            position = match.end()
        pieces.append(normalized[position:])
        new_offsets.extend(offsets[position:])
        normalized, offsets = "".join(pieces), new_offsets
    return normalized, offsets


def find_horizons(
    text: str,
    *,
    published_on: datetime.date | None = None,
    published_precision: Precision = Precision.DAY,
) -> list[HorizonMatch]:
    """Every horizon in running text, in order, read by the same rules as `parse_horizon`.

    Where two readings overlap, the longer one wins ("by the end of 2025" over "2025"; "between
    2026 and 2030" over "2026"); at equal length, the rule tried first in `parse_horizon` wins.
    Spans are offsets into ``text``; ``words`` is the text they cover, as written.
    """
    precision = Precision(published_precision)
    normalized, offsets = _normalize_with_offsets(text)
    candidates: list[tuple[int, int, int, re.Match[str], _Handler]] = []
    for order, (pattern, handler) in enumerate(_SEARCH_RULES):
        for match in pattern.finditer(normalized):
            if match.end() > match.start():
                candidates.append((match.start(), -match.end(), order, match, handler))
    # Leftmost first, then longest: a reading that starts inside an earlier one is dropped.
    candidates.sort(key=lambda candidate: candidate[:3])
    found: list[HorizonMatch] = []
    taken_until = -1
    for start, negative_end, _order, match, handler in candidates:
        end = -negative_end
        if start < taken_until:
            continue
        taken_until = end
        first, last = offsets[start], offsets[end - 1] + 1
        words = text[first:last].strip()
        ctx = _Context(words, published_on, precision)
        try:
            found.append(HorizonMatch(first, last, words, handler(match, ctx)))
        except HorizonError as error:
            found.append(HorizonMatch(first, last, words, None, str(error)))
    return found
