from __future__ import annotations

import datetime
import json
import re

import pytest

from claims import lifecycle
from claims.models import ClaimantType, Evidence, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DueClaimFactory,
    EditorFactory,
    EntityFactory,
    EvidenceFactory,
    OutletFactory,
    ResolvedClaimFactory,
)

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_it_shows_the_statement_quote_article_and_the_claimant(client):
    outlet = OutletFactory(name="The Daily Ledger")
    article = ArticleFactory(
        outlet=outlet, title="Output in 2026", published_on=datetime.date(2026, 4, 1)
    )
    article.published_precision = "month"
    article.save()
    ministry = EntityFactory(name="Ministry of Industry", slug="miit")
    claim = ClaimFactory(
        article=article,
        claimant_type=ClaimantType.REPORTED,
        claimant=ministry,
        statement="Output doubles by 2027.",
        quote="We will double output by 2027.",
        deadline=datetime.date(2027, 12, 31),
    )

    page = client.get(claim.get_absolute_url()).content.decode()

    assert '<h1 id="claim-statement">Output doubles by 2027.</h1>' in page
    assert "<p>We will double output by 2027.</p>" in page
    assert f'href="/articles/{article.slug}/">Output in 2026</a>' in page
    assert "April 2026" in page  # the article's date to the precision it gives
    assert (
        'href="/claimants/miit/">Ministry of Industry</a>, as reported by The Daily Ledger' in page
    )


def test_it_shows_the_deadline_with_the_articles_words_precision_and_time_left(
    client, frozen_today
):
    claim = ClaimFactory(
        deadline=datetime.date(2027, 12, 31), deadline_text="by 2027", deadline_precision="year"
    )

    page = client.get(claim.get_absolute_url()).content.decode()

    assert '<time datetime="2027-12-31">31 December 2027, to the year</time>' in page
    assert "The article says “by 2027”" in page
    assert "<dt>Time left</dt>" in page and "1\xa0year, 1\xa0month left" in page


def test_it_shows_how_long_a_due_claim_is_overdue(client, frozen_today):
    claim = DueClaimFactory()

    page = client.get(claim.get_absolute_url()).content.decode()

    assert "<dt>Time overdue</dt>" in page
    assert "Overdue by 10\xa0months, 3\xa0weeks" in page
    assert "waiting for an editor's verdict" in page


def test_it_groups_evidence_by_stance_with_safe_outbound_links(client):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, stance=Evidence.Stance.CONTEXT, title="Background note")
    EvidenceFactory(claim=claim, stance=Evidence.Stance.REFUTES, title="Counter figures")
    EvidenceFactory(
        claim=claim,
        stance=Evidence.Stance.SUPPORTS,
        title="Official release",
        url="https://stats.example.org/release",
        publisher="Statistics office",
        published_on=datetime.date(2026, 3, 1),
    )

    page = client.get(claim.get_absolute_url()).content.decode()

    supports, refutes, context = (page.index(f">{h} <") for h in ("Supports", "Refutes", "Context"))
    assert supports < page.index("Official release") < refutes < page.index("Counter figures")
    assert context < page.index("Background note")
    assert (
        '<a href="https://stats.example.org/release" rel="nofollow noopener">Official release</a>'
        in page
    )
    assert 'Statistics office, <time datetime="2026-03-01">1 March 2026</time>' in page


def test_it_shows_the_public_change_log_without_editors_details(client):
    editor = EditorFactory(username="jo", email="jo@example.org")
    claim = DueClaimFactory()
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.INCORRECT, summary="Output fell short.", by=editor, via="admin"
    )
    lifecycle.reopen_claim(claim=claim, reason="A revised series came out.", by=editor, via="admin")

    page = client.get(claim.get_absolute_url()).content.decode()

    log = page[page.index('id="log-heading"') :]
    assert "<strong>Resolved</strong>: Incorrect" in log
    assert "Output fell short." in log
    assert "<strong>Reopened</strong>" in log and "A revised series came out." in log
    assert "jo@example.org" not in page and ">jo<" not in page


def test_it_embeds_a_claim_review_once_the_claim_is_judged(client):
    outlet = OutletFactory(name="The Daily Ledger", url="https://ledger.example.org/")
    article = ArticleFactory(
        outlet=outlet, title="Output in 2026", url="https://ledger.example.org/output"
    )
    claim = ResolvedClaimFactory(
        article=article,
        statement="Output doubles by 2027.",
        verdict=Verdict.PARTLY_CORRECT,
        resolved_at=datetime.datetime(2026, 6, 2, 9, tzinfo=datetime.UTC),
    )

    response = client.get(claim.get_absolute_url())

    [review] = json_ld(response.content.decode())
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Output doubles by 2027."
    assert review["url"] == f"http://testserver/claims/{claim.slug}/"
    assert review["datePublished"] == "2026-06-02"
    assert review["author"]["name"] == "The claim registry"
    assert review["reviewRating"]["alternateName"] == "Partly correct"
    assert review["reviewRating"]["ratingValue"] == 2
    item = review["itemReviewed"]
    assert item["author"] == {
        "@type": "Organization",
        "name": "The Daily Ledger",
        "url": "https://ledger.example.org/",
    }
    assert item["appearance"]["url"] == "https://ledger.example.org/output"
    assert item["appearance"]["headline"] == "Output in 2026"


def test_it_embeds_no_claim_review_while_the_claim_is_pending(client):
    claim = DueClaimFactory()
    assert json_ld(client.get(claim.get_absolute_url()).content.decode()) == []


def test_it_cannot_be_made_to_run_script_by_a_statement(client):
    statement = 'Output </script><script>alert("x")</script> & more'
    claim = ResolvedClaimFactory(statement=statement, verdict_summary="</script><b>bold</b>")

    page = client.get(claim.get_absolute_url()).content.decode()

    assert "<script>alert" not in page and "<b>bold</b>" not in page
    [review] = json_ld(page)
    assert review["claimReviewed"] == statement


def test_it_carries_open_graph_tags(client):
    claim = ResolvedClaimFactory(statement="Output doubles by 2027.", verdict=Verdict.INCORRECT)

    page = client.get(claim.get_absolute_url()).content.decode()

    assert '<meta property="og:title" content="Output doubles by 2027.">' in page
    assert f'<meta property="og:url" content="http://testserver/claims/{claim.slug}/">' in page
    assert '<meta property="og:description" content="Incorrect: ' in page


def test_it_answers_an_unknown_claim_with_the_sites_404_page(client):
    response = client.get("/claims/no-such-claim/")
    assert response.status_code == 404
    assert "There is no page at this address" in response.content.decode()
