"""Proposals: kinds, hedges, claimants, horizons, lists, several claims a sentence, and what is
left out."""

from __future__ import annotations

from datetime import date

import pytest

from claims.intake import propose_claims, read_article

PUB = date(2025, 2, 10)


def propose(text: str, published_on: date | None = PUB, **kwargs):
    return propose_claims(read_article(text, published_on=published_on), **kwargs).proposals


def one(sentence: str, **kwargs):
    (proposal,) = propose(f"Title\n{sentence}\n", **kwargs)
    return proposal


@pytest.mark.parametrize(
    ("sentence", "hedge", "hedge_class", "kind"),
    [
        ("Exports will reach $4 trillion by 2027.", "will", "asserted", "forecast"),
        ("Exports are set to reach $4 trillion by 2027.", "are set to", "asserted", "forecast"),
        (
            "Exports are expected to reach $4 trillion by 2027.",
            "are expected to",
            "expected",
            "forecast",
        ),
        ("The bank projects exports of $4 trillion by 2027.", "projects", "expected", "forecast"),
        (
            "An analyst firm forecasts sales of $5 billion by 2027.",
            "forecasts",
            "expected",
            "forecast",
        ),
        ("Exports could reach $4 trillion by 2027.", "could", "possible", "forecast"),
        ("Exports may reach $4 trillion by 2027.", "may", "possible", "forecast"),
        ("Exports might reach $4 trillion by 2027.", "might", "possible", "forecast"),
        (
            "The government aims to raise exports to $4 trillion by 2027.",
            "aims to",
            "target",
            "target",
        ),
        (
            "The ministry plans to raise exports to $4 trillion by 2027.",
            "plans to",
            "target",
            "target",
        ),
        ("Exports should reach $4 trillion by 2027 under the plan.", "should", "target", "target"),
    ],
)
def test_the_hedge_word_and_its_class(sentence, hedge, hedge_class, kind):
    proposal = one(sentence)
    assert (proposal.hedge, proposal.hedge_class, proposal.kind) == (hedge, hedge_class, kind)
    assert (proposal.deadline, proposal.deadline_text) == (date(2027, 12, 31), "by 2027")


@pytest.mark.parametrize(
    ("sentence", "claimant"),
    [
        ("According to the ministry, output rose 5% in 2024.", "the ministry"),
        ("An analyst firm forecasts sales of $5 billion by 2027.", "An analyst firm"),
        ("The plan says emissions will fall 20% by 2030.", "The plan"),
        (
            "The Ministry of Industry and Information Technology (MIIT) "
            "expects growth of 3% in 2026.",
            "The Ministry of Industry and Information Technology (MIIT)",
        ),
        ("We predict that output will fall 5% in 2026.", ""),
        ("Output will fall 5% in 2026.", ""),
    ],
)
def test_the_claimant_when_the_text_names_who(sentence, claimant):
    assert one(sentence).claimant == claimant


def test_a_statistic_is_checkable_at_publication():
    proposal = one("Output rose 5% in 2024, the ministry said.")
    assert (proposal.kind, proposal.deadline, proposal.deadline_precision) == (
        "statistic",
        PUB,
        "day",
    )


@pytest.mark.parametrize(
    ("published", "kind"),
    [
        (date(2024, 12, 30), "forecast"),
        (date(2024, 12, 31), "statistic"),
        (date(2025, 1, 1), "statistic"),
    ],
)
def test_a_forecast_whose_horizon_is_over_at_publication_reports_a_figure(published, kind):
    proposal = one("By 2024, exports are expected to reach $4 trillion.", published_on=published)
    assert proposal.kind == kind
    assert proposal.deadline == (date(2024, 12, 31) if kind == "forecast" else published)


def test_a_horizon_stated_once_for_a_list_of_targets(fixture_bytes):
    proposals = propose_claims(read_article(fixture_bytes("list_horizon.txt"))).proposals
    targets = [p for p in proposals if p.kind == "target"]
    assert [p.quote for p in targets] == [
        "Raise the share of renewables in power generation to 40%",
        "Cut coal consumption by 10% from 2023 levels",
        "Build 30 new pumped-storage plants",
    ]
    assert {(p.deadline, p.deadline_text, p.claimant) for p in targets} == {
        (date(2028, 12, 31), "for 2028", "The plan")
    }
    assert targets[0].statement == (
        "The plan sets these goals for 2028 "
        "raise the share of renewables in power generation to 40%."
    )


def test_a_list_introduced_without_goals_does_not_lend_its_items_a_horizon():
    text = (
        "Title\nNews in brief:\n"
        "- The ministry issued a notice on steel.\n"
        "- The fund closed 12 deals by 2025.\n"
    )
    first = propose(text, published_on=date(2024, 1, 1))[0]
    assert (first.kind, first.deadline) == ("statistic", date(2024, 1, 1))


def test_a_sentence_with_claims_of_different_horizons_is_one_proposal_per_claim(fixture_bytes):
    proposals = propose_claims(read_article(fixture_bytes("multi_claim.txt"))).proposals
    assert [(p.quote, p.kind, p.deadline) for p in proposals] == [
        (
            "The central bank projects potential growth of 2.5% a year between 2026 and 2030",
            "forecast",
            date(2030, 12, 31),
        ),
        ("2.0% between 2031 and 2035.", "forecast", date(2035, 12, 31)),
        ("By 2027, exports are expected to reach $4 trillion", "forecast", date(2027, 12, 31)),
        ("imports have already passed $2.5 trillion.", "statistic", date(2025, 2, 10)),
    ]
    assert (
        proposals[1].statement
        == "The central bank projects potential growth of 2.0% between 2031 and 2035."
    )
    assert proposals[1].claimant == "The central bank"  # read with the first clause's subject


def test_a_sentence_with_one_horizon_is_one_proposal():
    assert len(propose("Title\nGrowth will be 2.5% a year between 2026 and 2030.\n")) == 1


def test_a_headline_restating_a_body_claim_is_proposed_once(fixture_bytes):
    proposals = propose_claims(read_article(fixture_bytes("headline.txt"))).proposals
    assert [p.quote[:30] for p in proposals] == ["The ministry says steel output"]


def test_a_headline_with_a_claim_of_its_own_is_proposed():
    proposals = propose(
        "Exports to hit $4 trillion by 2027, bank says\n2025-02-10\nThe weather was fine.\n"
    )
    assert [p.quote for p in proposals] == ["Exports to hit $4 trillion by 2027, bank says"]


def test_boilerplate_is_not_proposed(fixture_bytes):
    proposals = propose_claims(read_article(fixture_bytes("boilerplate.txt"))).proposals
    assert [p.quote for p in proposals] == [
        "Container volumes at Shanghai will grow 6% in 2025, according to the port authority."
    ]


def test_pure_opinion_is_not_proposed_and_the_result_says_so(fixture_bytes):
    result = propose_claims(read_article(fixture_bytes("opinion.txt")))
    assert result.proposals == []
    assert "No checkable claims were found in this text." in result.notes


def test_what_follows_the_end_of_the_article_is_not_proposed():
    text = (
        "Title\n"
        + "Output rose 5% in 2024.\n" * 3
        + "Further reading\nSales will double by 2030.\n"
    )
    assert all("double" not in p.quote for p in propose(text))


def test_questions_and_reader_instructions_are_not_claims():
    text = (
        "Title\n"
        "Will exports reach $4 trillion by 2027?\n"
        "Monitor how provinces respond, which could signal a shift.\n"
    )
    assert propose(text) == []


def test_quotes_are_verbatim_and_offsets_point_at_them(fixture_bytes):
    article = read_article(fixture_bytes("multi_claim.txt"))
    for proposal in propose_claims(article).proposals:
        assert article.text[proposal.start : proposal.end] == proposal.quote


def test_a_quote_already_in_the_registry_is_marked_and_not_proposed_again():
    text = "Title\nOutput rose 5% in 2024.\nExports will reach $4 trillion by 2027.\n"
    result = propose_claims(
        read_article(text, published_on=PUB), existing_quotes=["  Output rose   5% in 2024. "]
    )
    assert [p.already_recorded for p in result.proposals] == [True, False]
    assert [p["quote"] for p in result.as_dict()["proposals"]] == [
        "Exports will reach $4 trillion by 2027."
    ]


def test_a_markdown_table_row_gives_one_claim_per_figure_with_its_columns_year():
    text = (
        "Title\n| Segment | 2023 Size | Projected 2027 Size |\n|---|---|---|\n"
        "| Robots | $1.8B | $5B |\n"
    )
    proposals = propose(text, published_on=date(2026, 4, 1))
    assert [(p.kind, p.deadline) for p in proposals] == [
        ("statistic", date(2026, 4, 1)),
        ("forecast", date(2027, 12, 31)),
    ]
    assert {p.quote for p in proposals} == {"| Robots | $1.8B | $5B |"}
