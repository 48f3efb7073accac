from __future__ import annotations

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from tests.factories import EditorFactory, UserFactory


@pytest.fixture(autouse=True)
def fresh_throttle_counts(monkeypatch):
    # Throttle counts live in the default cache, which CI shares (Redis) between all tests:
    # give each test its own, so that no test is throttled by the requests of another.
    monkeypatch.setattr(AnonRateThrottle, "cache", LocMemCache(f"throttle-{uuid.uuid4()}", {}))


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api(db) -> APIClient:
    """An anonymous client."""
    return APIClient()


@pytest.fixture
def editor_api(editor) -> APIClient:
    return token_client(editor)


ROLES = ["anonymous", "signed_in", "staff_not_editor", "editor", "superuser"]


def client_for(role: str) -> APIClient:
    """A client signed in (with a token) as someone in `role`; "anonymous" sends no credentials."""
    if role == "anonymous":
        return APIClient()
    if role == "signed_in":
        return token_client(UserFactory(username="reader"))
    if role == "staff_not_editor":
        # Staff may open the admin, but write permission comes from the Editors group only.
        return token_client(UserFactory(username="staff", is_staff=True))
    if role == "editor":
        return token_client(EditorFactory(username="editor-of-the-day"))
    return token_client(UserFactory(username="root", is_staff=True, is_superuser=True))
