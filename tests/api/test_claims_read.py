"""Reading claims through the API: the contract's fields, pagination, filters, search, ordering."""

from __future__ import annotations

import datetime

import pytest

from claims import lifecycle
from claims.models import ClaimantType, Status, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OutletFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {
    "id",
    "statement",
    "quote",
    "kind",
    "status",
    "verdict",
    "deadline",
    "deadline_text",
    "deadline_precision",
    "made_on",
    "article",
    "claimant",
    "page_url",
}


def test_it_lists_claims_with_the_contract_fields(api):
    entity = EntityFactory(name="Ministry of Industry")
    claim = ClaimFactory(
        statement="Robot density reaches 492.",
        claimant_type=ClaimantType.REPORTED,
        claimant=entity,
        deadline=datetime.date(2025, 12, 31),
        deadline_text="by 2025",
        deadline_precision="year",
    )

    response = api.get("/api/v1/claims/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    [item] = body["results"]
    assert set(item) >= CONTRACT_FIELDS
    assert item["id"] == claim.id
    assert item["statement"] == "Robot density reaches 492."
    assert item["deadline"] == "2025-12-31"
    assert item["deadline_text"] == "by 2025"
    assert item["deadline_precision"] == "year"
    assert item["made_on"] == claim.made_on.isoformat()
    assert item["article"] == claim.article_id
    assert item["outlet"] == claim.article.outlet_id
    assert item["claimant"] == entity.id
    assert item["made_by"] == "Ministry of Industry"
    assert item["status"] == "open" and item["verdict"] == ""
    assert item["page_url"] == f"http://testserver/claims/{claim.slug}/"
    assert "evidence" not in item  # the list stays light; the detail carries it


def test_it_gives_a_null_deadline_for_a_claim_without_one(api):
    ClaimFactory(deadline=None, deadline_text="", deadline_precision="")

    [item] = api.get("/api/v1/claims/").json()["results"]

    assert item["deadline"] is None


def test_it_shows_a_claim_with_its_evidence_and_transitions(api, editor):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")
    evidence = EvidenceFactory(claim=claim, url="https://stats.example.org/robots")
    lifecycle.resolve_claim(
        claim=claim, verdict=Verdict.CORRECT, summary="Reached 470.", by=editor, via="admin"
    )

    response = api.get(f"/api/v1/claims/{claim.id}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS
    assert (body["status"], body["verdict"], body["verdict_summary"]) == (
        "resolved",
        "correct",
        "Reached 470.",
    )
    assert [e["id"] for e in body["evidence"]] == [evidence.id]
    assert body["evidence"][0]["url"] == "https://stats.example.org/robots"
    [transition] = body["transitions"]
    assert (transition["action"], transition["from_status"], transition["to_status"]) == (
        "resolved",
        "due",
        "resolved",
    )
    assert transition["via"] == "admin"
    assert "by" not in transition  # editors' accounts are not published


def test_it_answers_404_for_an_unknown_or_malformed_id(api):
    assert api.get("/api/v1/claims/999999/").status_code == 404
    assert api.get("/api/v1/claims/abc/").status_code == 404
    assert api.get("/api/v1/claims/99999999999999999999999/").status_code == 404


def test_it_pages_with_a_page_size_of_at_most_100(api):
    ClaimFactory.create_batch(105)

    first = api.get("/api/v1/claims/?page_size=10").json()
    largest = api.get("/api/v1/claims/?page_size=100").json()
    default = api.get("/api/v1/claims/").json()

    assert (first["count"], len(first["results"])) == (105, 10)
    assert first["previous"] is None and "page=2" in first["next"]
    assert len(largest["results"]) == 100
    assert len(default["results"]) == 25


@pytest.mark.parametrize("page_size", ["101", "0", "-5", "ten", "true", "2.5"])
def test_it_refuses_a_page_size_it_would_not_honour(api, page_size):
    ClaimFactory()

    response = api.get("/api/v1/claims/", {"page_size": page_size})

    assert response.status_code == 400
    assert response.json() == {"page_size": ["A whole number from 1 to 100."]}


def test_it_answers_404_for_a_page_past_the_end_or_not_a_number(api):
    ClaimFactory()

    assert api.get("/api/v1/claims/?page=2").status_code == 404
    assert api.get("/api/v1/claims/?page=two").status_code == 404


def test_it_filters_claims_by_status_kind_and_verdict(api, editor):
    open_forecast = ClaimFactory(kind="forecast")
    ClaimFactory(kind="target")
    resolved = ClaimFactory(kind="target", status=Status.DUE, due_since="2026-01-01T00:00Z")
    lifecycle.resolve_claim(
        claim=resolved, verdict=Verdict.INCORRECT, summary="Missed.", by=editor, via="admin"
    )

    def ids(query: str) -> set[int]:
        response = api.get(f"/api/v1/claims/?{query}")
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    assert ids("status=open&kind=forecast") == {open_forecast.id}
    assert ids("verdict=incorrect") == {resolved.id}
    assert ids("status=resolved&kind=target") == {resolved.id}


def test_it_filters_claims_by_article_outlet_and_deadline(api):
    outlet = OutletFactory()
    article = ArticleFactory(outlet=outlet)
    early = ClaimFactory(article=article, deadline=datetime.date(2025, 12, 31))
    late = ClaimFactory(article=ArticleFactory(outlet=outlet), deadline=datetime.date(2030, 6, 30))
    elsewhere = ClaimFactory(deadline=datetime.date(2027, 12, 31))

    def ids(query: str) -> set[int]:
        return {item["id"] for item in api.get(f"/api/v1/claims/?{query}").json()["results"]}

    assert ids(f"article={article.id}") == {early.id}
    assert ids(f"outlet={outlet.id}") == {early.id, late.id}
    assert ids("deadline_before=2027-12-31") == {early.id, elsewhere.id}
    assert ids("deadline_after=2026-01-01") == {late.id, elsewhere.id}
    assert ids("deadline_after=2026-01-01&deadline_before=2029-01-01") == {elsewhere.id}


def test_it_searches_statements_quotes_and_sources(api):
    robots = ClaimFactory(statement="Robot density reaches 492.")
    by_quote = ClaimFactory(quote="chip output will double")
    by_article = ClaimFactory(article=ArticleFactory(title="The semiconductor plan"))
    ClaimFactory(statement="Unrelated.")

    def ids(term: str) -> set[int]:
        return {
            item["id"] for item in api.get("/api/v1/claims/", {"search": term}).json()["results"]
        }

    assert ids("robot") == {robots.id}
    assert ids("double") == {by_quote.id}
    assert ids("semiconductor") == {by_article.id}


def test_it_orders_claims_as_asked_with_the_id_breaking_ties(api):
    article = ArticleFactory()
    a = ClaimFactory(article=article, made_on=datetime.date(2024, 3, 1))
    b = ClaimFactory(article=article, made_on=datetime.date(2024, 2, 1))
    c = ClaimFactory(article=article, made_on=datetime.date(2024, 3, 1))

    def ids(ordering: str) -> list[int]:
        response = api.get("/api/v1/claims/", {"ordering": ordering})
        return [item["id"] for item in response.json()["results"]]

    assert ids("made_on") == [b.id, a.id, c.id]
    assert ids("-made_on") == [a.id, c.id, b.id]
    assert ids("-id") == [c.id, b.id, a.id]
    # An unknown ordering field is ignored rather than refused or crashing.
    assert api.get("/api/v1/claims/", {"ordering": "password"}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "status=closed",
        "kind=rumour",
        "verdict=maybe",
        "article=abc",
        "article=999999",
        "outlet=-1",
        "outlet=99999999999999999999999",
        "deadline_before=2025-02-30",
        "deadline_after=yesterday",
        "deadline_after=99999-01-01",
        "search=%00",
    ],
)
def test_it_refuses_an_invalid_filter_with_400(api, query):
    ClaimFactory()

    response = api.get(f"/api/v1/claims/?{query}")

    assert response.status_code == 400
    assert response.json()  # says which parameter, and why


def test_it_lists_topics_and_entities_by_id(api):
    claim = ClaimFactory()
    topic, entity = TopicFactory(), EntityFactory()
    claim.topics.add(topic)
    claim.about.add(entity)

    [item] = api.get("/api/v1/claims/").json()["results"]

    assert (item["topics"], item["about"]) == ([topic.id], [entity.id])
