"""Each reader page makes a fixed number of queries, however many claims or evidence it shows."""

from __future__ import annotations

import pytest

from claims.models import ClaimantType
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DueClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OutletFactory,
    ResolvedClaimFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# page: (address, queries). The list's 4 are two drop-downs (outlets, topics), the page of claims
# and the capped count (the entity box is a text box: no query for 2,000 options); each filter by
# slug adds its own lookup.
BUDGETS = {
    "home": ("/", 5),
    "claim list": ("/claims/", 4),
    "filtered claim list": (
        "/claims/?outlet=ledger&topic=energy&entity=ministry&status=due&search=output",
        7,
    ),
    "article": ("/articles/output-2026/", 4),
    "outlet": ("/outlets/ledger/", 6),
    "claimant": ("/claimants/ministry/", 4),
    "feed": ("/feeds/claims/", 1),
    "outlet feed": ("/outlets/ledger/feeds/verdicts/", 2),
    "calendar": ("/calendar.ics", 1),
}


@pytest.fixture
def add_claims():
    """Adds claims of every status, reported and own, each with topics, entities and evidence."""
    article = ArticleFactory(slug="output-2026", outlet=OutletFactory(slug="ledger"))
    ministry = EntityFactory(slug="ministry")
    energy = TopicFactory(slug="energy")
    factories = [ClaimFactory, DueClaimFactory, ResolvedClaimFactory]

    def add(count: int) -> None:
        for i in range(count):
            reported = i % 2 == 1
            claim = factories[i % 3](
                article=article,
                statement=f"Output claim {i}.",
                claimant_type=ClaimantType.REPORTED if reported else ClaimantType.OUTLET,
                claimant=ministry if reported else None,
            )
            claim.about.add(ministry, EntityFactory())
            claim.topics.add(energy)
            EvidenceFactory(claim=claim)

    return add


def test_it_keeps_every_page_to_its_query_budget_with_5_or_50_claims(
    client, django_assert_num_queries, add_claims, subtests
):
    for total, more in ((5, 5), (50, 45)):
        add_claims(more)
        for page, (url, budget) in BUDGETS.items():
            with subtests.test(page=page, claims=total):
                with django_assert_num_queries(budget):
                    response = client.get(url)
                assert response.status_code == 200
                if response["Content-Type"].startswith("text/html"):
                    assert "Output claim" in response.content.decode()


def test_it_shows_a_claim_in_6_queries_with_1_or_30_evidence_items(
    client, django_assert_num_queries
):
    claim = ResolvedClaimFactory(
        claimant_type=ClaimantType.REPORTED, claimant=EntityFactory(), statement="One claim."
    )
    for evidence in (1, 29):
        EvidenceFactory.create_batch(evidence, claim=claim)
        claim.about.add(EntityFactory())
        claim.topics.add(TopicFactory())
        # The claim with its sources; then its entities, topics, evidence, the evidence's
        # latest snapshots and the change log.
        with django_assert_num_queries(6):
            response = client.get(claim.get_absolute_url())
        assert response.context["evidence_count"] == {1: 1, 29: 30}[evidence]


def test_with_fragments_a_list_reads_its_page_by_id_then_nothing_once_stored(
    client, django_assert_num_queries, add_claims, fragments_on
):
    add_claims(30)
    client.get("/claims/")  # the epoch; the claims' tags start
    # The page's ids and slugs, the count; then the 25 claims not stored yet, read again after
    # their tags. The drop-downs' outlets and topics were stored by the first request (the
    # test's outlets and topics started their tag), so they are not read.
    with django_assert_num_queries(3):
        client.get("/claims/")
    # The list's shape (its page of ids and its count) and every row are stored now: nothing.
    with django_assert_num_queries(0):
        response = client.get("/claims/")
    assert "Output claim" in response.content.decode()


def test_with_fragments_a_stored_claim_page_reads_nothing(
    client, django_assert_num_queries, fragments_on
):
    claim = ResolvedClaimFactory(statement="One claim.")
    EvidenceFactory.create_batch(3, claim=claim)
    client.get(claim.get_absolute_url())
    with django_assert_num_queries(6):  # its tags were missing: made, stored now
        client.get(claim.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(claim.get_absolute_url())
    assert "One claim." in response.content.decode()
