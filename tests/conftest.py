from __future__ import annotations

import pytest

from tests.factories import EditorFactory


@pytest.fixture
def editor(db):
    return EditorFactory(username="editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def test_settings(settings):
    # The real hasher is slow on purpose; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Off by default: inside a test's transaction nothing commits, so no write would bump the
    # registry generation. tests/claims/test_response_cache.py turns it on, with real commits.
    settings.RESPONSE_CACHE_SECONDS = 0
    # Off too, for the same reason: tests/claims/test_fragments.py turns them on.
    settings.FRAGMENT_CACHE_SECONDS = 0
    # Production settings otherwise (DEBUG off), but plain http and no collectstatic manifest.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def fragments_on(settings):
    """Fragments kept (claims.cache), in a local-memory cache of the test's own; off otherwise,
    as the response cache is (nothing commits inside a test's transaction)."""
    import uuid

    settings.FRAGMENT_CACHE_SECONDS = 3600
    settings.RESPONSE_CACHE_EPOCH_SECONDS = 3600  # the epoch is read once, then from memory
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"fragments-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def frozen_today():
    """Pins the clock to noon on 24 November 2026, for pages that say how long is left."""
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 24, 12, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2026, 11, 24)


@pytest.fixture(scope="session", autouse=True)
def plain_http_for_live_server():
    # pytest-django's live server lives for the whole session and its SecurityMiddleware reads
    # SECURE_SSL_REDIRECT once, when it starts: before any function-scoped override applies.
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True, scope="session")
def celery_publishes_in_memory():
    """Tasks that the code under test publishes go to an in-process queue, never to a broker
    that `make run` may be using (tests/jobs/ starts real workers on a Redis of its own)."""
    from config.celery import app

    app.conf.broker_url = "memory://localhost/"
