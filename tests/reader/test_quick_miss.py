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


def test_the_lists_drop_downs_are_written_as_djangos_select_writes_them():
    from django import forms
    from django.http import QueryDict

    from claims.models import Claim
    from reader.filters import ClaimFilter, QuickSelect
    from tests.factories import OutletFactory, TopicFactory

    OutletFactory(slug="ledger", name="The Ledger & <Co>")
    OutletFactory(slug="post", name='"Post"')
    TopicFactory(slug="energy", name="Energy")
    claim_filter = ClaimFilter(
        QueryDict("outlet=ledger&status=due&ordering=-deadline"), queryset=Claim.objects.all()
    )
    form = claim_filter.form
    drop_downs = [field for field in form if isinstance(field.field.widget, QuickSelect)]
    assert {field.name for field in drop_downs} == {
        "status",
        "verdict",
        "kind",
        "outlet",
        "topic",
        "ordering",
    }
    for field in drop_downs:
        django_select = forms.Select(attrs=field.field.widget.attrs)
        django_select.choices = field.field.widget.choices
        assert str(field) == django_select.render(
            field.html_name, field.value(), attrs=field.build_widget_attrs({"id": field.auto_id})
        ), field.name
    assert "The Ledger &amp; &lt;Co&gt;</option>" in str(form["outlet"])
    assert '<option value="ledger" selected>' in str(form["outlet"])
