"""A search is bounded in words and length, on the reader site and in the API alike: beyond
the limits it is a 400 that names the limit (claims.queries.validate_search_terms)."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from claims.queries import SEARCH_MAX_LENGTH, SEARCH_MAX_TERM_LENGTH, SEARCH_MAX_TERMS
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

WORD = "solar"
AT_THE_LIMIT = {
    "words": " ".join([WORD] * SEARCH_MAX_TERMS),
    "word length": "s" * SEARCH_MAX_TERM_LENGTH,
    "length": " ".join(["x" * 25] * 7 + ["x" * 18]),  # 8 words: 200 characters
}
OVER_THE_LIMIT = {
    "words": (" ".join([WORD] * (SEARCH_MAX_TERMS + 1)), "at most 8 words (this one has 9)"),
    "word length": ("s" * (SEARCH_MAX_TERM_LENGTH + 1), "at most 50 characters long (“"),
    "length": (
        " ".join(["x" * 25] * 7 + ["x" * 19]),
        "at most 200 characters long (this one has 201)",
    ),
    "a pasted article": (" ".join(["word"] * 1900), "at most 200 characters long"),
}


def test_the_limits_at_hand():
    assert len(AT_THE_LIMIT["length"]) == SEARCH_MAX_LENGTH
    assert len(OVER_THE_LIMIT["length"][0]) == SEARCH_MAX_LENGTH + 1


@pytest.mark.parametrize("search", AT_THE_LIMIT.values(), ids=AT_THE_LIMIT.keys())
def test_a_search_within_the_limits_is_answered(client, search):
    ClaimFactory(statement="Solar capacity triples.")
    assert client.get("/claims/", {"search": search}).status_code == 200
    assert client.get("/api/v1/claims/", {"search": search}).status_code == 200


@pytest.mark.parametrize(("search", "message"), OVER_THE_LIMIT.values(), ids=OVER_THE_LIMIT.keys())
def test_the_reader_site_refuses_a_search_over_the_limits_and_keeps_the_form(
    client, search, message
):
    response = client.get("/claims/", {"search": search, "status": "open"})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'name="search" id="id_search" value="{escape(search)}"' in page
    assert 'name="status"' in page and 'value="open" selected' in page


@pytest.mark.parametrize(("search", "message"), OVER_THE_LIMIT.values(), ids=OVER_THE_LIMIT.keys())
@pytest.mark.parametrize("endpoint", ["/api/v1/claims/", "/api/v1/evidence/", "/api/v1/articles/"])
def test_the_api_refuses_a_search_over_the_limits_naming_the_parameter(
    client, endpoint, search, message
):
    response = client.get(endpoint, {"search": search})
    assert response.status_code == 400
    (text,) = response.json()["search"]
    assert message in text


def test_spaces_around_a_search_do_not_count(client):
    padded = "   " + AT_THE_LIMIT["length"] + "   "
    assert client.get("/claims/", {"search": padded}).status_code == 200
    assert client.get("/api/v1/claims/", {"search": padded}).status_code == 200


def test_the_api_counts_comma_separated_words_as_its_search_splits_them(client):
    nine = ",".join(["sun"] * (SEARCH_MAX_TERMS + 1))
    assert client.get("/claims/", {"search": nine}).status_code == 200  # one word to the site
    assert client.get("/api/v1/claims/", {"search": nine}).status_code == 400


def test_a_search_the_api_cannot_read_is_a_400_naming_it(client):
    response = client.get("/api/v1/entities/", {"search": "a\x00"})
    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


def test_the_schema_documents_the_limit(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    (search,) = [
        p for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"] if p["name"] == "search"
    ]
    assert search["schema"]["maxLength"] == SEARCH_MAX_LENGTH
    assert "at most 8 words" in search["description"]
