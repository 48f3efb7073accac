"""Who may write: the Editors group's model permissions (and superusers), never is_staff alone.
Everyone, signed in or not, may read."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.models import Claim, Evidence, Status
from tests.api.conftest import ROLES, client_for
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

REFUSAL = {"anonymous": 401, "signed_in": 403, "staff_not_editor": 403}

# Each write: (response, the status it gets when allowed, whether it took effect).


def create_claim(client):
    body = {
        "article": ArticleFactory().id,
        "statement": "A new claim.",
        "quote": "Quoted.",
        "kind": "forecast",
        "deadline_text": "by 2030",
    }
    response = client.post("/api/v1/claims/", body, format="json")
    return response, 201, Claim.objects.filter(statement="A new claim.").exists()


def edit_claim(client):
    claim = ClaimFactory(statement="Before.")
    response = client.patch(f"/api/v1/claims/{claim.id}/", {"statement": "After."}, format="json")
    claim.refresh_from_db()
    return response, 200, claim.statement == "After."


def resolve_claim(client):
    claim = ClaimFactory()
    body = {"verdict": "correct", "summary": "It happened."}
    response = client.post(f"/api/v1/claims/{claim.id}/resolve/", body, format="json")
    claim.refresh_from_db()
    return response, 200, claim.status == Status.RESOLVED


def reopen_claim(client):
    claim = ClaimFactory(
        status=Status.RESOLVED,
        verdict="correct",
        verdict_summary="It happened.",
        resolved_at="2026-01-01T00:00Z",
    )
    response = client.post(
        f"/api/v1/claims/{claim.id}/reopen/", {"reason": "Doubts."}, format="json"
    )
    claim.refresh_from_db()
    return response, 200, claim.status != Status.RESOLVED


def add_evidence(client):
    body = {
        "claim": ClaimFactory().id,
        "url": "https://e.example.org/",
        "title": "New",
        "stance": "supports",
    }
    response = client.post("/api/v1/evidence/", body, format="json")
    return response, 201, Evidence.objects.filter(title="New").exists()


def correct_evidence(client):
    evidence = EvidenceFactory(title="Before")
    response = client.patch(f"/api/v1/evidence/{evidence.id}/", {"title": "After"}, format="json")
    evidence.refresh_from_db()
    return response, 200, evidence.title == "After"


@pytest.mark.parametrize(
    "write",
    [create_claim, edit_claim, resolve_claim, reopen_claim, add_evidence, correct_evidence],
)
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_editors_and_superusers_write(role, write):
    response, success, took_effect = write(client_for(role))

    if role in ("editor", "superuser"):
        assert (response.status_code, took_effect) == (success, True), response.content
    else:
        assert (response.status_code, took_effect) == (REFUSAL[role], False), response.content


def test_it_tells_anonymous_writers_how_to_authenticate(api):
    response, _, _ = create_claim(api)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_refuses_an_invalid_token_with_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api.get("/api/v1/claims/").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_everyone_read(role):
    claim = ClaimFactory()
    client = client_for(role)

    assert client.get("/api/v1/claims/").status_code == 200
    assert client.get(f"/api/v1/claims/{claim.id}/").status_code == 200
    assert client.get("/api/v1/evidence/").status_code == 200


def test_it_needs_the_csrf_token_for_a_write_with_an_editors_session(editor):
    # The browsable API signs in with the session cookie, so a write must prove it came from us.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    claim = ClaimFactory(statement="Before.")
    url = f"/api/v1/claims/{claim.id}/"
    body = '{"statement": "After."}'

    without_token = browser.patch(url, body, content_type="application/json")
    browser.get("/api/v1/claims/", HTTP_ACCEPT="text/html")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    with_token = browser.patch(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert without_token.status_code == 403
    assert with_token.status_code == 200, with_token.content
    claim.refresh_from_db()
    assert claim.statement == "After."
