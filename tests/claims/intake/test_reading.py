"""Reading an article: title, outlet and the publication date printed near the title."""

from __future__ import annotations

from datetime import date

import pytest

from claims.intake import IntakeError, propose_claims, read_article
from registry.precision import Precision

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("fixture", "title", "published_on", "precision"),
    [
        ("dates_iso.txt", "Steel output plan", date(2024, 6, 3), Precision.DAY),
        ("dates_short_month.txt", "Battery makers expand abroad", date(2024, 6, 3), Precision.DAY),
        (
            "dates_published_label.txt",
            "Ports report record volumes",
            date(2022, 5, 17),
            Precision.DAY,
        ),
        ("dates_last_updated.txt", "Grid investment set to climb", date(2025, 1, 8), Precision.DAY),
        ("dates_month_only.txt", "Chip subsidies under review", date(2026, 4, 1), Precision.MONTH),
        ("dates_weekday.txt", "Robots on the rise", date(2026, 2, 7), Precision.DAY),
    ],
)
def test_it_reads_the_title_and_the_printed_date(
    fixture_bytes, fixture, title, published_on, precision
):
    article = read_article(fixture_bytes(fixture), today=TODAY)
    assert (article.title, article.published_on, article.published_precision) == (
        title,
        published_on,
        precision,
    )


def test_a_month_alone_is_a_month_and_a_statistic_is_checkable_at_its_end(fixture_bytes):
    result = propose_claims(read_article(fixture_bytes("dates_month_only.txt"), today=TODAY))
    (proposal,) = result.proposals
    assert (proposal.kind, proposal.deadline, proposal.deadline_precision) == (
        "statistic",
        date(2026, 4, 30),
        "month",
    )


def test_no_printed_date_says_so_and_relative_horizons_wait(fixture_bytes):
    result = propose_claims(read_article(fixture_bytes("dates_none.txt"), today=TODAY))
    assert result.article.published_on is None
    assert any("No publication date found" in note for note in result.notes)
    (proposal,) = result.proposals
    assert (proposal.deadline_text, proposal.deadline) == ("within two years", None)


def test_the_editors_date_wins_and_computes_relative_horizons(fixture_bytes):
    article = read_article(
        fixture_bytes("dates_none.txt"), published_on=date(2024, 3, 10), today=TODAY
    )
    (proposal,) = propose_claims(article).proposals
    assert proposal.deadline == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("printed", "kept"),
    [("2026-05-31", True), ("2026-06-01", True), ("2026-06-02", False)],
)
def test_a_printed_date_after_today_is_not_believed(printed, kept):
    article = read_article(f"Title\n{printed}\nOutput rose 5% in 2025.\n", today=TODAY)
    assert (article.published_on is not None) is kept
    assert any("in the future" in note for note in article.notes) is not kept


@pytest.mark.parametrize(
    ("given", "refused"), [(date(2026, 6, 1), False), (date(2026, 6, 2), True)]
)
def test_an_editors_date_in_the_future_is_an_error(given, refused):
    if refused:
        with pytest.raises(IntakeError, match="in the future"):
            read_article("Title\nOutput rose 5%.", published_on=given, today=TODAY)
    else:
        assert (
            read_article("Title\nOutput rose 5%.", published_on=given, today=TODAY).published_on
            == given
        )


def test_a_shouted_name_at_the_top_is_the_outlet_not_the_title():
    article = read_article(
        "\n\nMARCH 1, 2023\n\nMERICS\n\nChina Industries\n\nText.\n", today=TODAY
    )
    assert (article.outlet, article.title, article.published_on) == (
        "MERICS",
        "China Industries",
        date(2023, 3, 1),
    )


def test_an_impossible_date_is_not_a_date():
    assert read_article("Title\nFebruary 30, 2024\nText.", today=TODAY).published_on is None


def test_html_gives_text_title_outlet_and_date_and_never_scripts_or_styles(fixture_bytes):
    article = read_article(fixture_bytes("page.html"), today=TODAY)
    assert article.source == "html"
    assert article.title == "Wind power to double by 2030"
    assert article.outlet == "Energy Desk"
    assert (article.published_on, article.published_precision) == (date(2024, 6, 3), Precision.DAY)
    result = propose_claims(article)
    everything = article.text + article.title + repr(result.as_dict())
    for leaked in ("SCRIPTTEXT", "STYLETEXT", "alert(", "<script", "color:"):
        assert leaked not in everything
    assert [p.kind for p in result.proposals] == ["target", "statistic", "forecast"]
