"""The operators' probes (config/health.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


@pytest.mark.django_db
def test_readyz_answers_200_when_the_database_and_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"ready": True}


@pytest.mark.django_db
def test_readyz_answers_503_naming_what_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(cache, "set", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["cache: ConnectionError: refused"]
