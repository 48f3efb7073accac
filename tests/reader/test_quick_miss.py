"""What keeps an uncached claim list cheap at any size (issue 16): no count of every claim."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClaimFactory, DueClaimFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", ["/claims/", "/claims/?status=due", "/claims/?kind=forecast"])
def test_the_claim_list_counts_at_most_past_the_cap(client, address):
    ClaimFactory.create_batch(3)
    DueClaimFactory.create_batch(2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the list says how many claims match"
    for sql in counts:
        # The count is of a subquery stopped at COUNT_CAP + 1 rows, never of the whole table.
        assert re.search(r"LIMIT 1001\b", sql), sql
