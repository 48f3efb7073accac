"""Each endpoint reads a page in a fixed number of queries, however many rows the page holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import lifecycle
from claims.models import Claim, ClaimantType
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """40 claims across articles and outlets, each with claimant, entities, topics, evidence."""
    topics, entities = TopicFactory.create_batch(3), EntityFactory.create_batch(3)
    for n in range(40):
        claim = ClaimFactory(
            article=ArticleFactory(),
            claimant_type=ClaimantType.REPORTED,
            claimant=entities[n % 3],
        )
        claim.about.set(entities[:2])
        claim.topics.set(topics)
        EvidenceFactory.create_batch(2, claim=claim)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize(
    ("endpoint", "budget"),
    [
        # count, page (with article, outlet and claimant joined), entities, topics
        ("/api/v1/claims/", 4),
        ("/api/v1/evidence/", 2),
        ("/api/v1/articles/", 2),
        ("/api/v1/outlets/", 2),
        ("/api/v1/entities/", 2),
        ("/api/v1/topics/", 2),
    ],
)
def test_it_reads_a_list_in_a_fixed_number_of_queries(api, registry, endpoint, budget):
    small = queries_for(api, f"{endpoint}?page_size=2")
    large = queries_for(api, f"{endpoint}?page_size=40")

    assert small == large == budget


def test_it_reads_a_claim_with_its_evidence_and_transitions_in_five_queries(api, registry):
    claim = ClaimFactory()
    EvidenceFactory.create_batch(10, claim=claim)

    # claim (joined with its sources), entities, topics, evidence, transitions
    assert queries_for(api, f"/api/v1/claims/{claim.id}/") == 5


def test_it_adds_one_query_for_a_token(editor_api, registry):
    # The token and its user, in one query; listing reads no permissions.
    assert queries_for(editor_api, "/api/v1/claims/?page_size=40") == 5


def test_with_fragments_a_list_reads_its_page_by_id_then_nothing_once_stored(
    api, registry, fragments_on, django_capture_on_commit_callbacks
):
    url = "/api/v1/claims/?page_size=40"
    queries_for(api, url)  # the epoch; the claims' tags start
    # count, the page's ids; then the claims not stored yet, read again after their tags, with
    # their entities and topics
    assert queries_for(api, url) == 5
    # The list's shape (its page of ids and its count) and every claim are stored now.
    assert queries_for(api, url) == 0
    # An edit no filter or ordering of this list reads keeps its shape: only that claim is
    # read again, with its entities and topics.
    claim = Claim.objects.order_by("deadline", "id").first()
    claim.quote = "Quoted again."
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.edit_claim(claim=claim, by=None, via="api")
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert len(captured) == 3
    assert response.json()["results"][0]["quote"] == "Quoted again."


def test_with_fragments_a_stored_claim_reads_nothing(api, registry, fragments_on):
    claim = ClaimFactory()
    EvidenceFactory.create_batch(3, claim=claim)
    queries_for(api, f"/api/v1/claims/{claim.id}/")
    assert queries_for(api, f"/api/v1/claims/{claim.id}/") == 5  # made, stored now
    assert queries_for(api, f"/api/v1/claims/{claim.id}/") == 0
