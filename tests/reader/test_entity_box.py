"""The claim list's "Made by or about" filter is a text box with suggestions from a small JSON
endpoint, not a drop-down of every entity (issue 16: 2,000 options were 120 KB of every list
and most of its uncached render time)."""

from __future__ import annotations

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import ClaimantType
from reader.filters import ENTITY_SUGGESTIONS
from tests.factories import ClaimFactory, EntityFactory

pytestmark = pytest.mark.django_db


def test_the_list_renders_no_entity_however_many_there_are(client):
    EntityFactory.create_batch(30, name=factory_name("Ministry"))
    with CaptureQueriesContext(connection) as few:
        few_html = client.get("/claims/").content.decode()
    EntityFactory.create_batch(60, name=factory_name("Agency"))
    with CaptureQueriesContext(connection) as many:
        html = client.get("/claims/").content.decode()

    assert len(many) == len(few)
    assert "Ministry 1" not in few_html and "Agency 1" not in html
    assert 'list="entity-suggestions"' in html
    assert "reader-entity-suggestions.js" in html
    # No query lists the entities (claimants are joined to the claims, not listed).
    assert not any('FROM "registry_entity"' in q["sql"] for q in many.captured_queries)


def factory_name(prefix: str):
    return factory.Sequence(lambda n: f"{prefix} {n}")


def test_the_box_takes_a_slug_or_a_name_in_any_case(client):
    ministry = EntityFactory(slug="ministry", name="Ministry of Energy")
    other = EntityFactory(slug="agency", name="Agency")
    ClaimFactory(
        statement="The ministry's own target.",
        claimant_type=ClaimantType.REPORTED,
        claimant=ministry,
    )
    ClaimFactory(
        statement="The agency's forecast.", claimant_type=ClaimantType.REPORTED, claimant=other
    )

    for typed in ("ministry", "Ministry of Energy", "ministry of energy"):
        html = client.get("/claims/", {"entity": typed}).content.decode()
        assert "The ministry&#x27;s own target." in html, typed
        assert "The agency&#x27;s forecast." not in html, typed


def test_an_unknown_entity_is_reported_and_left_out(client):
    ClaimFactory(statement="Any claim at all.")
    html = client.get("/claims/", {"entity": "Nobody here"}).content.decode()
    assert "Made by or about “Nobody here” was ignored" in html
    assert "Any claim at all." in html


def test_suggestions_are_a_few_matching_entities(client):
    EntityFactory.create_batch(ENTITY_SUGGESTIONS + 5, name=factory_name("Ministry"))
    EntityFactory(slug="energy-agency", name="Energy Agency")
    EntityFactory(slug="agency-for-energy", name="The Agency for Energy")

    body = client.get("/claims/entities.json", {"q": "minis"}).json()
    assert len(body["entities"]) == ENTITY_SUGGESTIONS
    assert all(row["name"].startswith("Ministry") for row in body["entities"])

    # Names that start with the words come first, then names that contain them.
    body = client.get("/claims/entities.json", {"q": "energy"}).json()
    assert [row["slug"] for row in body["entities"]] == ["energy-agency", "agency-for-energy"]

    assert client.get("/claims/entities.json").json() == {"entities": []}
