"""The headers that tell browsers what a page may do: a strict Content-Security-Policy and a
Permissions-Policy on every answer (cached ones too), framing refused unless a view opts in
(config.security.allow_framing), and signed-in sessions that end when left idle."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone

from config.security import allow_framing
from tests.config.test_settings import manage
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def card(request):
    return HttpResponse("<p>A claim, embedded.</p>")


urlpatterns = [path("card/", allow_framing(card)), path("plain/", card)]


@pytest.fixture
def claim():
    return ClaimFactory(slug="the-claim")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/claims/",
        "/claims/the-claim/",
        "/claims/no-such-claim/",
        "/admin/login/",
        "/api/v1/claims/",
        "/api/docs/",
        "/api/docs/?script=",
        "/healthz",
        "/static/site.css",
    ],
)
def test_every_answer_carries_the_strict_policy(client, claim, url):
    response = client.get(url)
    assert response.status_code < 500
    assert response["Content-Security-Policy"] == STRICT
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_pages_refuse_to_be_framed(client, claim):
    response = client.get("/claims/the-claim/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_swagger_page_loads_its_script_from_a_file(client):
    page = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in page
    assert "<script>" not in page and "<style>" not in page
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_browsable_api_allows_style_attributes_only(client, claim):
    response = client.get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    policy = response["Content-Security-Policy"]
    assert policy == STRICT + "; style-src-attr 'unsafe-inline'"
    assert "<style>" not in response.content.decode()


def test_a_view_meant_to_be_embedded_may_be_framed_by_any_site(client, settings):
    settings.ROOT_URLCONF = __name__
    framed = client.get("/card/")
    assert "X-Frame-Options" not in framed
    assert "frame-ancestors *" in framed["Content-Security-Policy"]
    assert "script-src 'self'" in framed["Content-Security-Policy"]  # the rest stays strict
    plain = client.get("/plain/")
    assert plain["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in plain["Content-Security-Policy"]


def test_an_answer_from_the_response_cache_carries_the_policies(client, claim, settings):
    settings.RESPONSE_CACHE_SECONDS = 600
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"security-headers-{uuid.uuid4()}",
        }
    }
    for accept in ("text/html", "application/json"):
        client.get("/api/v1/claims/", HTTP_ACCEPT=accept)
        stored = client.get("/api/v1/claims/", HTTP_ACCEPT=accept)
        assert stored["Content-Security-Policy"].startswith(STRICT)
        assert "camera=()" in stored["Permissions-Policy"]
    assert stored["Content-Security-Policy"] == STRICT  # the JSON answer
    html = client.get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    assert html["Content-Security-Policy"] == STRICT + "; style-src-attr 'unsafe-inline'"


@pytest.mark.parametrize(
    ("idle", "signed_in"),
    [
        (datetime.timedelta(hours=3, minutes=59), True),
        (datetime.timedelta(hours=4, minutes=1), False),
    ],
)
def test_a_signed_in_editor_left_idle_past_the_limit_is_signed_out(
    editor_client, settings, idle, signed_in
):
    assert settings.SESSION_IDLE_HOURS == 4
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert editor_client.get("/admin/").status_code == 200
        clock.move_to(start + idle)
        response = editor_client.get("/admin/")
        assert (response.status_code == 200) is signed_in
        if not signed_in:
            assert response["Location"].startswith("/admin/login/")


def test_an_editor_at_work_stays_signed_in(editor_client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for hour in range(0, 12, 3):  # a request every three hours, for twelve hours
            clock.move_to(start + datetime.timedelta(hours=hour))
            assert editor_client.get("/admin/").status_code == 200


def test_hsts_subdomains_and_preload_are_opt_in_and_the_deploy_check_stays_clean():
    deploy = {
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "claims.example.org",
        "EMAIL_URL": "smtp+tls://registry:secret@mail.example.org:587",
    }
    show = (
        "from django.conf import settings; "
        "print(settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD)"
    )
    assert manage("shell", "-c", show, **deploy).stdout.split()[-2:] == ["False", "False"]
    opted_in = {**deploy, "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true", "SECURE_HSTS_PRELOAD": "true"}
    assert manage("shell", "-c", show, **opted_in).stdout.split()[-2:] == ["True", "True"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", **opted_in)
    assert result.returncode == 0 and "no issues" in result.stdout, result.stderr + result.stdout
