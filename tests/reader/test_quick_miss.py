"""What keeps an uncached claim list cheap at any size (issue 16): no count of every claim."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClaimFactory, DueClaimFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", ["/claims/", "/claims/?status=due", "/claims/?kind=forecast"])
def test_a_claim_list_by_status_verdict_or_kind_counts_no_claims(client, address):
    """The claim tally says how many (claims.queries.TALLIED_FILTERS)."""
    ClaimFactory.create_batch(3)
    DueClaimFactory.create_batch(2)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    assert response.context["page"].count == {"/claims/": 5, "/claims/?status=due": 2}.get(
        address, 5
    )
    of_claims = [
        q["sql"] for q in queries.captured_queries if re.search(r'\bFROM "claims_claim"', q["sql"])
    ]
    assert not [sql for sql in of_claims if "COUNT(" in sql.upper()]


@pytest.mark.parametrize(
    "address",
    [
        "/claims/?search=statement",
        "/claims/?deadline_after=2020-01-01&status=due",
        "/claims/?deadline_before=2030-01-01",
    ],
)
def test_any_other_claim_list_counts_at_most_past_the_cap(client, address):
    ClaimFactory.create_batch(3)
    DueClaimFactory.create_batch(2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the list says how many claims match"
    for sql in counts:
        # The count is of a subquery stopped at COUNT_CAP + 1 rows, never of the whole table.
        assert re.search(r"LIMIT 1001\b", sql), sql


def test_the_home_page_counts_no_claims_it_only_reads_the_tally(client):
    """The track record and the timeline come from the claim tally: every query of the claims
    table itself is a short list (a LIMIT), whatever the size of the registry."""
    ClaimFactory.create_batch(3)
    DueClaimFactory.create_batch(2)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["record"].total == 5

    of_claims = [
        q["sql"] for q in queries.captured_queries if re.search(r'\bFROM "claims_claim"', q["sql"])
    ]
    assert of_claims, "the home page lists claims"
    for sql in of_claims:
        assert re.search(r"\bLIMIT \d+", sql), sql
    assert any('FROM "claims_claimtally"' in q["sql"] for q in queries.captured_queries)


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


def test_each_filterset_has_filters_of_its_own_without_deep_copies():
    """claims.queries._FiltersCopiedOnePerFilterSet: a copy of each filter per FilterSet, whose
    method filters (the search, the entity, the order) run on that FilterSet."""
    from django.http import QueryDict

    from claims.models import Claim
    from reader.filters import ClaimFilter

    ClaimFactory(statement="Output doubles by 2027.")
    ClaimFactory(statement="Exports fall.")
    first = ClaimFilter(QueryDict("search=doubles"), queryset=Claim.objects.all())
    second = ClaimFilter(QueryDict("search=exports"), queryset=Claim.objects.all())

    for name, filter_ in first.filters.items():
        assert filter_ is not ClaimFilter.base_filters[name]
        assert filter_ is not second.filters[name]
        assert filter_.parent is first
        assert not hasattr(ClaimFilter.base_filters[name], "parent")
    assert first.filters["search"].filter.method == first.filter_search
    assert [c.statement for c in first.qs] == ["Output doubles by 2027."]
    assert [c.statement for c in second.qs] == ["Exports fall."]
    # Not deep copies: what a filter's form field is made from is the class's, shared.
    assert first.filters["status"].extra is ClaimFilter.base_filters["status"].extra
    assert first.form.fields["status"] is not second.form.fields["status"]


def test_the_sites_fixed_links_are_reversed_once_per_script_prefix(client, monkeypatch):
    """reader.templatetags.reader.site_url: the header's and footer's links, without a
    reverse() per link per page, and still under the prefix the site is served at."""
    from django.urls import base, set_script_prefix

    from reader.templatetags import reader as tags

    tags._reversed.cache_clear()
    calls = []
    real = base.reverse
    monkeypatch.setattr(tags, "reverse", lambda name: calls.append(name) or real(name))
    assert client.get("/how-we-judge/").status_code == 200
    first = len(calls)
    page = client.get("/how-we-judge/").content.decode()
    assert first >= 10 and len(calls) == first  # none again
    assert 'href="/claims/?status=due"' in page
    set_script_prefix("/registry/")  # what Django's WSGI handler does (the test client does not)
    try:
        under_prefix = client.get("/how-we-judge/").content.decode()
    finally:
        set_script_prefix("/")
    assert 'href="/registry/claims/?status=due"' in under_prefix
    assert 'href="/claims/?status=due"' not in under_prefix
    tags._reversed.cache_clear()
