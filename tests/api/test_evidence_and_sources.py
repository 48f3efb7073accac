"""Evidence (read and written by editors) and the read-only sources: articles, outlets, entities,
topics."""

from __future__ import annotations

import datetime

import pytest

from claims.models import Evidence
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OutletFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def test_it_adds_evidence_to_a_claim_recording_who_added_it(editor_api, editor):
    claim = ClaimFactory()

    response = editor_api.post(
        "/api/v1/evidence/",
        {
            "claim": claim.id,
            "url": "https://stats.example.org/2025/robots",
            "title": "Robot density, 2025",
            "publisher": "IFR",
            "published_on": "2025-09-30",
            "stance": "refutes",
            "note": "470 per 10,000.",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    assert (evidence.claim, evidence.stance, evidence.added_by) == (claim, "refutes", editor)
    assert evidence.history.get().history_user == editor
    assert response.json()["id"] == evidence.id
    assert "added_by" not in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example.org/report.pdf",
        "stats.example.org/report",
        "data:text/html,hi",
        "https://",
    ],
)
def test_it_refuses_evidence_with_an_unsafe_or_incomplete_url(editor_api, url):
    claim = ClaimFactory()

    response = editor_api.post(
        "/api/v1/evidence/",
        {"claim": claim.id, "url": url, "title": "Report", "stance": "supports"},
        format="json",
    )

    assert response.status_code == 400
    assert "url" in response.json()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stance": "neutral"}, "stance"),
        ({"published_on": "2025-02-29"}, "published_on"),
        ({"claim": 999999}, "claim"),
        ({"title": ""}, "title"),
    ],
)
def test_it_refuses_evidence_with_a_bad_field(editor_api, body, field):
    claim = ClaimFactory()
    valid = {"claim": claim.id, "url": "https://e.example.org/", "title": "R", "stance": "context"}

    response = editor_api.post("/api/v1/evidence/", {**valid, **body}, format="json")

    assert response.status_code == 400 and field in response.json()
    assert not Evidence.objects.exists()


def test_it_corrects_evidence(editor_api):
    evidence = EvidenceFactory(title="Draft title")

    response = editor_api.patch(
        f"/api/v1/evidence/{evidence.id}/", {"title": "Final title"}, format="json"
    )

    assert response.status_code == 200
    evidence.refresh_from_db()
    assert evidence.title == "Final title"


def test_it_refuses_a_stale_evidence_correction_with_412(editor_api):
    evidence = EvidenceFactory(title="Draft title")
    etag = editor_api.get(f"/api/v1/evidence/{evidence.id}/")["ETag"]
    Evidence.objects.filter(pk=evidence.pk).update(title="Someone else's")

    response = editor_api.patch(
        f"/api/v1/evidence/{evidence.id}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    evidence.refresh_from_db()
    assert evidence.title == "Someone else's"


def test_it_lists_and_filters_evidence(api):
    claim = ClaimFactory()
    supports = EvidenceFactory(claim=claim, stance="supports")
    EvidenceFactory(claim=claim, stance="refutes")
    EvidenceFactory(stance="supports")

    response = api.get(f"/api/v1/evidence/?claim={claim.id}&stance=supports")

    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [supports.id]
    assert api.get("/api/v1/evidence/?stance=neutral").status_code == 400
    assert api.get(f"/api/v1/evidence/{supports.id}/").json()["claim"] == claim.id


def test_it_lists_articles_with_their_outlet_and_dates(api):
    outlet = OutletFactory(name="The Economist")
    article = ArticleFactory(
        outlet=outlet,
        title="Robots",
        published_on=datetime.date(2026, 4, 1),
        published_precision="month",
    )
    ArticleFactory()

    response = api.get(f"/api/v1/articles/?outlet={outlet.id}")
    detail = api.get(f"/api/v1/articles/{article.id}/")

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert (item["id"], item["title"], item["outlet"]) == (article.id, "Robots", outlet.id)
    assert (item["published_on"], item["published_precision"]) == ("2026-04-01", "month")
    assert detail.json() == item
    assert api.get("/api/v1/articles/?outlet=abc").status_code == 400
    assert api.get("/api/v1/articles/424242/").status_code == 404


def test_it_lists_outlets_entities_and_topics(api):
    outlet = OutletFactory(name="Caixin")
    entity = EntityFactory(name="MIIT", kind="government")
    topic = TopicFactory(name="Robotics")

    outlets = api.get("/api/v1/outlets/").json()["results"]
    entities = api.get("/api/v1/entities/?kind=government").json()["results"]
    topics = api.get("/api/v1/topics/").json()["results"]

    assert [(o["id"], o["name"]) for o in outlets] == [(outlet.id, "Caixin")]
    assert [(e["id"], e["name"], e["kind"]) for e in entities] == [
        (entity.id, "MIIT", "government")
    ]
    assert [(t["id"], t["name"]) for t in topics] == [(topic.id, "Robotics")]
    assert api.get(f"/api/v1/outlets/{outlet.id}/").json()["name"] == "Caixin"


def test_it_keeps_sources_read_only(editor_api):
    outlet = OutletFactory()

    created = editor_api.post("/api/v1/outlets/", {"slug": "x", "name": "X"}, format="json")
    changed = editor_api.patch(f"/api/v1/outlets/{outlet.id}/", {"name": "Y"}, format="json")

    assert (created.status_code, changed.status_code) == (405, 405)
