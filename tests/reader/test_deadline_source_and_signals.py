"""Whose deadline it is, and conditional signals, wherever readers see a claim (issue 14)."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from icalendar import Calendar

from claims import lifecycle
from claims.models import Claim, DeadlineSource, Verdict
from reader.dates import describe_deadline_source, describe_period_end
from tests.factories import ArticleFactory, ClaimFactory, OutletFactory, ResolvedClaimFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
REASON = "the article's other predictions run through 2027"
NOTE = f"No horizon in the article; judged at the end of 2027 because {REASON}."


def registry_reading(**kwargs) -> Claim:
    return ClaimFactory(
        deadline_text="",
        deadline_source=DeadlineSource.REGISTRY,
        deadline_reason=REASON,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("day", "precision", "words"),
    [
        (datetime.date(2027, 12, 31), "year", "at the end of 2027"),
        (datetime.date(2027, 9, 30), "quarter", "at the end of Q3 2027"),
        (datetime.date(2027, 10, 31), "quarter", "at the end of Q4 2027"),
        (datetime.date(2028, 3, 31), "quarter", "at the end of Q1 2028"),
        (datetime.date(2028, 3, 31), "month", "at the end of March 2028"),
        (datetime.date(2024, 9, 1), "day", "on 1 September 2024"),
    ],
)
def test_it_words_when_a_deadline_falls_to_its_precision(day, precision, words):
    assert describe_period_end(day, precision) == words


def test_it_says_whose_deadline_it_is_the_articles_the_registrys_or_nothing():
    assert describe_deadline_source(registry_reading()) == NOTE
    article = ClaimFactory(deadline_text="by 2027", deadline_source=DeadlineSource.ARTICLE)
    assert describe_deadline_source(article) == "The article says “by 2027”."
    assert describe_deadline_source(ClaimFactory(deadline_text="")) == ""


def test_the_claim_page_says_a_deadline_is_the_registrys_reading_and_why(client):
    claim = registry_reading()
    words = ClaimFactory(deadline_text="by 2027", deadline_source=DeadlineSource.ARTICLE)

    page = client.get(claim.get_absolute_url()).content.decode()
    assert '<time datetime="2027-12-31">31 December 2027, to the year</time>' in page
    assert NOTE in page.replace("&#x27;", "'")
    assert "The article says" not in page

    page = client.get(words.get_absolute_url()).content.decode()
    assert "The article says “by 2027”." in page and "No horizon in the article" not in page


def test_the_feeds_and_the_calendar_say_a_deadline_is_the_registrys_reading(client):
    registry_reading(statement="Benchmarks emerge.")
    ClaimFactory(statement="Output doubles.", deadline_source=DeadlineSource.ARTICLE)

    feed = ET.fromstring(client.get("/feeds/claims/").content)
    summaries = {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}summary")
        for entry in feed.iter(f"{ATOM}entry")
    }
    assert summaries["Benchmarks emerge."].endswith(
        f"Deadline: 31 December 2027, to the year. {NOTE}"
    )
    assert summaries["Output doubles."].endswith(
        "Deadline: 31 December 2027, to the year (“by 2027”)."
    )

    events = Calendar.from_ical(client.get("/calendar.ics").content).walk("VEVENT")
    descriptions = {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in events}
    assert (
        f"Deadline: 31 December 2027, to the year. {NOTE}\n"
        in descriptions["Deadline: Benchmarks emerge."]
    )
    assert "the article says “by 2027”" in descriptions["Deadline: Output doubles."]


def test_a_conditional_signal_counts_in_no_track_record_and_says_so(client, editor):
    outlet = OutletFactory(slug="ledger", name="The Daily Ledger")
    article = ArticleFactory(outlet=outlet)
    ResolvedClaimFactory(article=article, statement="Own, right.", verdict=Verdict.CORRECT)
    signal = ClaimFactory(article=article, statement="Watch for a big IPO.", conditional=True)
    # The signal's test fails: shown on its page, but the outlet's record does not change.
    lifecycle.resolve_claim(
        claim=signal, verdict=Verdict.INCORRECT, summary="No such IPO.", by=editor, via="admin"
    )

    response = client.get("/outlets/ledger/")

    own = response.context["own_record"]
    assert (own.total, own.correct, own.incorrect, own.share_correct, own.signals) == (
        1,
        1,
        0,
        1.0,
        1,
    )
    page = response.content.decode()
    assert "Not counted: 1 conditional signal," in page
    assert "Watch for a big IPO." in page and "(conditional signal, not counted)" in page
    detail = client.get(signal.get_absolute_url()).content.decode()
    assert "Forecast · Conditional signal ·" in detail
    assert "A conditional signal: a test The Daily Ledger sets for its own thesis" in detail

    feed = ET.fromstring(client.get("/feeds/verdicts/").content)
    summaries = {
        e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}summary") for e in feed.iter(f"{ATOM}entry")
    }
    assert summaries["Incorrect: Watch for a big IPO."].endswith(
        "A conditional signal, counted in no track record."
    )
    assert "conditional signal" not in summaries["Correct: Own, right."]


def test_signals_are_counted_apart_in_the_same_single_query(django_assert_num_queries):
    ClaimFactory()
    ResolvedClaimFactory(verdict=Verdict.INCORRECT)
    ClaimFactory(conditional=True)
    ResolvedClaimFactory(verdict=Verdict.INCORRECT, conditional=True)

    with django_assert_num_queries(1):
        record = Claim.objects.track_record()

    assert (record.total, record.open, record.incorrect, record.signals) == (2, 1, 1, 2)
