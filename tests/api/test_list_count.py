"""The claim list's `count` (issue 16): from the claim tally when the list is filtered by
status, verdict and kind alone, from a COUNT of the claims otherwise; the same number either way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Kind, Verdict
from tests.factories import ClaimFactory, DueClaimFactory, ResolvedClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims():
    ClaimFactory.create_batch(3)
    ClaimFactory.create_batch(2, kind=Kind.TARGET, statement="Targets a steel output cap.")
    DueClaimFactory.create_batch(2, kind=Kind.TARGET)
    ResolvedClaimFactory(verdict=Verdict.INCORRECT)


def listed(client, query: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/claims/?{query}")
    assert response.status_code == 200, response.content
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    return response.json(), counts


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 8),
        ("status=due", 2),
        ("kind=target", 4),
        ("status=due&kind=target", 2),
        ("status=open&kind=forecast&ordering=-made_on&page_size=2", 3),
        ("verdict=incorrect", 1),
        ("status=resolved&kind=target", 0),
        ("status=", 8),  # an empty value filters nothing
    ],
)
def test_a_list_filtered_by_tallied_fields_is_counted_from_the_tally(
    claims, client, query, expected
):
    body, counts = listed(client, query)

    assert body["count"] == expected
    assert not [sql for sql in counts if '"claims_claim"' in sql.replace("claimtally", "")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("search=steel", 2), ("deadline_before=2026-01-01", 2), ("search=steel&kind=target", 2)],
)
def test_any_other_filter_is_counted_over_the_claims(claims, client, query, expected):
    body, counts = listed(client, query)

    assert body["count"] == expected
    assert any('FROM "claims_claim"' in sql for sql in counts)


def test_pages_follow_the_tallys_count(claims, client):
    body, _ = listed(client, "page_size=3&page=3")
    assert (body["count"], len(body["results"]), body["next"]) == (8, 2, None)
    assert "page=2" in body["previous"]
    assert client.get("/api/v1/claims/?page_size=3&page=4").status_code == 404
