"""ETags and conditional GETs, and the throttle on anonymous clients."""

from __future__ import annotations

import pytest
from rest_framework.throttling import AnonRateThrottle

from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def test_it_answers_a_conditional_get_with_304_until_the_claim_changes(api, editor_api):
    claim = ClaimFactory()
    url = f"/api/v1/claims/{claim.id}/"
    first = api.get(url)

    unchanged = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    editor_api.patch(url, {"statement": "Reworded."}, format="json")
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert "no-cache" in first["Cache-Control"]
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == first["ETag"]
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_it_changes_a_claims_etag_when_evidence_is_added(api):
    claim = ClaimFactory()
    url = f"/api/v1/claims/{claim.id}/"
    before = api.get(url)["ETag"]

    EvidenceFactory(claim=claim)

    assert api.get(url, HTTP_IF_NONE_MATCH=before).status_code == 200


def test_it_answers_conditional_gets_on_lists_too(api):
    ClaimFactory()
    etag = api.get("/api/v1/claims/?kind=forecast")["ETag"]

    assert api.get("/api/v1/claims/?kind=forecast", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get("/api/v1/claims/?kind=target", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_it_accepts_if_match_star_for_an_existing_claim(editor_api):
    claim = ClaimFactory()

    response = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"statement": "New."}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 200


def test_it_throttles_anonymous_clients_but_not_editors(api, editor_api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)

    answers = [api.get("/api/v1/outlets/").status_code for _ in range(4)]
    editor_answers = [editor_api.get("/api/v1/outlets/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert editor_answers == [200] * 4
    throttled = api.get("/api/v1/outlets/")
    assert int(throttled["Retry-After"]) > 0
    assert "throttled" in throttled.json()["detail"].lower()


def test_it_throttles_by_the_connecting_address_not_a_forwarded_header(api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)

    answers = [
        api.get("/api/v1/outlets/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]

    assert answers == [200, 200, 429]
