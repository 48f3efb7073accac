"""POST /api/v1/intake/: editors send an article, get its proposed claims; nothing is stored."""

from __future__ import annotations

import pytest
import yaml

from claims.models import Claim, Proposal
from registry.models import Article
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/"
PLAN = """The national energy plan
2024-03-01
The plan sets these goals for 2028:
- Raise the share of renewables in power generation to 40%
- Cut coal consumption by 10% from 2023 levels
- Build 30 new pumped-storage plants
Officials said the goals were agreed in January.
"""


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("signed_in", 403), ("staff_not_editor", 403), ("editor", 200)],
)
def test_only_editors_may_propose_claims(role, status):
    assert client_for(role).post(URL, {"text": PLAN}, format="json").status_code == status


def test_it_answers_the_proposals_in_the_commands_shape_and_stores_nothing(editor_api):
    response = editor_api.post(URL, {"text": PLAN, "outlet": "Energy Desk"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["article"] == {
        "title": "The national energy plan",
        "published_on": "2024-03-01",
        "published_precision": "day",
        "outlet": "Energy Desk",
    }
    first = body["proposals"][0]
    assert set(first) == {
        "quote",
        "kind",
        "statement",
        "claimant",
        "deadline",
        "deadline_text",
        "deadline_precision",
        "hedge",
        "hedge_class",
    }
    assert [(p["quote"], p["kind"], p["deadline"]) for p in body["proposals"]] == [
        ("Raise the share of renewables in power generation to 40%", "target", "2028-12-31"),
        ("Cut coal consumption by 10% from 2023 levels", "target", "2028-12-31"),
        ("Build 30 new pumped-storage plants", "target", "2028-12-31"),
    ]
    assert isinstance(body["notes"], list)
    assert not (Article.objects.exists() or Claim.objects.exists() or Proposal.objects.exists())


def test_it_reads_a_saved_page_and_the_editors_date_wins(editor_api, fixture_page):
    response = editor_api.post(
        URL, {"html": fixture_page, "published_on": "2024-06-05"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["article"]["title"] == "Wind power to double by 2030"
    assert body["article"]["published_on"] == "2024-06-05"
    assert "SCRIPTTEXT" not in response.content.decode()


@pytest.fixture
def fixture_page():
    from tests.claims.intake.conftest import FIXTURES

    return (FIXTURES / "page.html").read_text()


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"text": "  \n "}, "text", "empty"),
        ({"text": "x" * (2 * 1024 * 1024 + 1)}, "text", "2 MB"),
        ({"text": "\x01\x02\x03\x04binary" * 100}, "text", "binary"),
        ({"text": "PNG\x00IHDR"}, "text", "Null characters"),
        ({"text": PLAN, "published_on": "2999-01-01"}, "published_on", "future"),
        ({}, "text", "either"),
        ({"text": PLAN, "html": "<html></html>"}, "text", "either"),
        ({"html": PLAN}, "html", "not an HTML page"),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(editor_api, payload, field, words):
    response = editor_api.post(URL, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert words in str(body), body
    assert field in str(body)


def test_text_in_another_language_finds_no_claims_and_says_so(editor_api):
    from tests.claims.intake.conftest import FIXTURES

    text = (FIXTURES / "german.txt").read_text()
    body = editor_api.post(URL, {"text": text}, format="json").json()
    assert body["proposals"] == []
    assert any("does not read as English" in note for note in body["notes"])


def test_it_is_in_the_openapi_schema(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)
    operation = schema["paths"]["/api/v1/intake/"]["post"]
    assert operation["operationId"] == "intake_propose"
    assert "200" in operation["responses"] and "400" in operation["responses"]
