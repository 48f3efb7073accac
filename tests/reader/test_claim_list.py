from __future__ import annotations

import datetime

import pytest

from claims.models import ClaimantType, Kind, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DueClaimFactory,
    EntityFactory,
    OutletFactory,
    ResolvedClaimFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    """The statements the list shows, in order."""
    return [claim.statement for claim in response.context["page"].items]


def test_it_filters_by_status_kind_and_verdict(client):
    due = DueClaimFactory(statement="Due one.")
    ResolvedClaimFactory(statement="Right one.", verdict=Verdict.CORRECT)
    wrong = ResolvedClaimFactory(statement="Wrong one.", verdict=Verdict.INCORRECT)
    target = ClaimFactory(statement="A target.", kind=Kind.TARGET)

    assert listed(client.get("/claims/?status=due")) == [due.statement]
    assert listed(client.get("/claims/?verdict=incorrect")) == [wrong.statement]
    assert listed(client.get("/claims/?kind=target")) == [target.statement]


def test_it_filters_by_outlet_and_article_slugs(client):
    outlet = OutletFactory(slug="ledger")
    article = ArticleFactory(outlet=outlet, slug="output-2026", title="Output in 2026")
    in_article = ClaimFactory(article=article, statement="In the article.")
    same_outlet = ClaimFactory(article=ArticleFactory(outlet=outlet), statement="Same outlet.")
    ClaimFactory(statement="Elsewhere.")

    assert sorted(listed(client.get("/claims/?outlet=ledger"))) == sorted(
        [in_article.statement, same_outlet.statement]
    )
    response = client.get("/claims/?article=output-2026")
    assert listed(response) == [in_article.statement]
    assert "Only claims from" in response.content.decode()


def test_it_filters_by_an_entity_making_or_concerned_by_a_claim(client):
    ministry = EntityFactory(slug="ministry")
    made = ClaimFactory(
        statement="Made by it.", claimant_type=ClaimantType.REPORTED, claimant=ministry
    )
    about = ClaimFactory(statement="About it.")
    about.about.add(ministry)
    ClaimFactory(statement="Unrelated.")

    assert sorted(listed(client.get("/claims/?entity=ministry"))) == sorted(
        [made.statement, about.statement]
    )


def test_it_filters_by_topic_and_deadline_range(client):
    energy = TopicFactory(slug="energy")
    tagged = ClaimFactory(statement="Tagged.", deadline=datetime.date(2030, 12, 31))
    tagged.topics.add(energy)
    ClaimFactory(statement="Early.", deadline=datetime.date(2026, 6, 30))

    assert listed(client.get("/claims/?topic=energy")) == [tagged.statement]
    assert listed(client.get("/claims/?deadline_after=2030-01-01&deadline_before=2030-12-31")) == [
        tagged.statement
    ]


def test_it_searches_statements_quotes_and_article_titles(client):
    ClaimFactory(statement="Solar capacity triples.")
    ClaimFactory(statement="Other.", quote="…and solar panels…")
    ClaimFactory(statement="Third.", article=ArticleFactory(title="The SOLAR boom"))
    ClaimFactory(statement="Wind grows.")

    assert len(listed(client.get("/claims/?search=solar"))) == 3
    assert listed(client.get("/claims/?search=solar+triples")) == ["Solar capacity triples."]


def test_it_searches_the_same_fields_as_the_api(client):
    ministry = EntityFactory(name="Ministry of Industry")
    ClaimFactory(
        statement="Output doubles.", claimant_type=ClaimantType.REPORTED, claimant=ministry
    )
    ClaimFactory(statement="Exports fall.", slug="exports-fall-zephyr")
    ClaimFactory(statement="Wind grows.")

    for term, expected in [("ministry", ["Output doubles."]), ("zephyr", ["Exports fall."])]:
        assert listed(client.get(f"/claims/?search={term}")) == expected
        api = client.get("/api/v1/claims/", {"search": term}).json()["results"]
        assert [item["statement"] for item in api] == expected


def test_it_keeps_its_filter_labels_after_the_api_schema_is_built(client):
    # Building the schema reads the API filters' form fields; the reader's must not change.
    assert client.get("/api/schema/").status_code == 200

    page = client.get("/claims/?status=bogus&deadline_after=2025-13-45").content.decode()

    assert "Status “bogus” was ignored" in page
    assert "Deadline from “2025-13-45” was ignored" in page


def test_it_sorts_by_deadline_with_undated_claims_last_or_by_recent_change(client):
    late = ClaimFactory(statement="Late.", deadline=datetime.date(2030, 12, 31))
    ClaimFactory(statement="Undated.", deadline=None, deadline_text="", deadline_precision="")
    ClaimFactory(statement="Early.", deadline=datetime.date(2026, 12, 31))
    late.save()  # changed most recently

    assert listed(client.get("/claims/")) == ["Early.", "Late.", "Undated."]
    assert listed(client.get("/claims/?ordering=-deadline")) == ["Late.", "Early.", "Undated."]
    assert listed(client.get("/claims/?ordering=-updated_at"))[0] == late.statement


def test_it_keeps_the_filter_state_in_links_to_other_pages(client):
    ClaimFactory.create_batch(30, kind=Kind.TARGET)

    page = client.get("/claims/?kind=target").content.decode()

    assert 'href="?kind=target&amp;page=2"' in page
    assert "Showing 1–25 of 30 claims matching these filters." in page
    second = client.get("/claims/?kind=target&page=2")
    assert len(second.context["page"].items) == 5
    assert 'href="?kind=target&amp;page=1"' in second.content.decode()


def test_it_ignores_malformed_filters_and_says_so(client):
    ClaimFactory(statement="Still listed.")

    response = client.get(
        "/claims/?status=bogus&deadline_after=2025-13-45&outlet=nowhere&ordering=x&page=abc"
    )

    assert response.status_code == 200
    assert listed(response) == ["Still listed."]
    page = response.content.decode()
    assert "Status “bogus” was ignored" in page
    assert "Deadline from “2025-13-45” was ignored: Enter a valid date." in page
    assert "Outlet “nowhere” was ignored" in page


@pytest.mark.parametrize("page", ["0", "-3", "1"])
def test_it_answers_any_page_number_without_an_error(client, page):
    ClaimFactory()
    response = client.get(f"/claims/?page={page}")
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["2", "99", "99999999999999999999999999"])
def test_a_page_past_the_last_is_not_found_and_offers_no_empty_previous_page(client, page):
    # Issue 15: /claims/?page=99 offered a "Previous page" that was empty too.
    ClaimFactory()
    response = client.get(f"/claims/?page={page}")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Previous page" not in content
    assert "Go to the first page" in content


def test_the_last_page_still_offers_the_previous_one(client, monkeypatch):
    monkeypatch.setattr("reader.views.CLAIMS_PER_PAGE", 2)
    ClaimFactory.create_batch(3)
    response = client.get("/claims/?page=2")
    assert response.status_code == 200
    assert "Previous page" in response.content.decode()
    assert client.get("/claims/?page=3").status_code == 404


def test_it_caps_the_count_of_matches_instead_of_counting_everything(client, monkeypatch):
    monkeypatch.setattr("reader.pagination.COUNT_CAP", 10)
    ClaimFactory.create_batch(12)

    # A search is counted over the claims, up to the cap.
    page = client.get("/claims/?search=checkable").content.decode()

    assert "Showing 1–12 of more than 10 claims matching these filters." in page


def test_a_list_by_status_verdict_and_kind_says_exactly_how_many_from_the_tally(
    client, monkeypatch
):
    monkeypatch.setattr("reader.pagination.COUNT_CAP", 10)
    ClaimFactory.create_batch(12)
    ClaimFactory.create_batch(2, kind="target")

    assert "Showing 1–14 of 14 claims." in client.get("/claims/").content.decode()
    page = client.get("/claims/?kind=forecast").content.decode()
    assert "Showing 1–12 of 12 claims matching these filters." in page
