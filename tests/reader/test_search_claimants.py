"""Search finds a claimant by its whole name (issue 15): "Horizon Securities" finds every claim
it made, whether it is a claimant reported by an article or the outlet that publishes it."""

from __future__ import annotations

import pytest

from claims.models import Claim, ClaimantType
from claims.queries import search
from tests.factories import ArticleFactory, ClaimFactory, EntityFactory, OutletFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def horizon_claims():
    horizon_outlet = OutletFactory(slug="horizon", name="Horizon Securities")
    horizon_entity = EntityFactory(slug="horizon-securities", name="Horizon Securities")
    own = ClaimFactory(
        article=ArticleFactory(outlet=horizon_outlet, title="Equity strategy: the year ahead"),
        statement="The index ends the year above 4,000.",
    )
    reported = ClaimFactory(
        claimant_type=ClaimantType.REPORTED,
        claimant=horizon_entity,
        statement="Chip exports double by 2027.",
    )
    ClaimFactory(statement="Securities are unrelated.")  # one of the two words only
    ClaimFactory(statement="Unrelated.")
    return {own.slug, reported.slug}


def test_the_search_finds_every_claim_of_a_multi_word_name(horizon_claims):
    found = search(Claim.objects.all(), ["Horizon", "Securities"])
    assert {claim.slug for claim in found} == horizon_claims


def test_the_reader_list_finds_both_claims_of_horizon_securities(client, horizon_claims):
    response = client.get("/claims/?search=Horizon+Securities")
    slugs = {claim.slug for claim in response.context["page"].items}
    assert horizon_claims <= slugs
    assert "Unrelated." not in response.content.decode()


def test_the_api_search_finds_both_claims_too(client, horizon_claims):
    response = client.get("/api/v1/claims/", {"search": "Horizon Securities"})
    assert horizon_claims <= {row["slug"] for row in response.json()["results"]}
