"""The response cache (claims.cache): anonymous reads from the cache, and every write path
makes the change visible on the very next request.

Writes here run inside the test's transaction, so `django_capture_on_commit_callbacks(
execute=True)` stands for the commit: the generation is bumped when it would be in production.
"""

from __future__ import annotations

import copy
import datetime
import uuid

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import cache as response_cache
from claims import lifecycle
from claims.models import Claim
from tests.claims.test_admin import change_url, form_data
from tests.claims.test_seed_registry import SMALL_SEED, write_seed
from tests.factories import ArticleFactory, ClaimFactory, DueClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.RESPONSE_CACHE_SECONDS = 600
    # The database epoch is re-read once an interval; here never within a test, so that a hit
    # is always zero queries (tests/test_outages.py tests the interval itself).
    settings.RESPONSE_CACHE_EPOCH_SECONDS = 3600
    # A cache of this test's own: a Redis shared with another run would share its pages too.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"response-cache-{uuid.uuid4()}",
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute"},
    }


@pytest.fixture
def claim():
    article = ArticleFactory(slug="output-2026")
    DueClaimFactory(article=article, statement="Another claim, due.")
    EvidenceFactory(claim=DueClaimFactory(article=article))
    return ClaimFactory(article=article, slug="the-claim", statement="Output doubles by 2027.")


def reader_urls(claim: Claim) -> list[str]:
    return [
        f"/claims/{claim.slug}/",
        "/claims/",
        "/",
        f"/api/v1/claims/{claim.pk}/",
        "/claims/?kind=forecast&status=due",
        f"/articles/{claim.article.slug}/",
        "/api/v1/claims/",
        "/api/v1/claims/?status=due",
        f"/outlets/{claim.article.outlet.slug}/",
        f"/claims/{claim.slug}/embed/",
        "/articles/",
        "/outlets/",
    ]


def queries(request) -> int:
    """How many database queries `request()` makes."""
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured)


def uncached(settings, url: str) -> bytes:
    seconds, settings.RESPONSE_CACHE_SECONDS = settings.RESPONSE_CACHE_SECONDS, 0
    try:
        return Client().get(url).content
    finally:
        settings.RESPONSE_CACHE_SECONDS = seconds


def test_it_serves_a_second_anonymous_request_with_no_database_query(
    claim, client, django_assert_num_queries
):
    for url in reader_urls(claim):
        first = client.get(url)
        assert first.status_code == 200, url
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]


def test_it_keys_api_answers_by_accept_and_query_string(claim, client):
    json_answer = client.get("/api/v1/claims/", HTTP_ACCEPT="application/json")
    html_answer = client.get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    assert json_answer["Content-Type"].startswith("application/json")
    assert html_answer["Content-Type"].startswith("text/html")
    due = client.get("/api/v1/claims/?status=due", HTTP_ACCEPT="application/json")
    assert due.json()["count"] == 2 and json_answer.json()["count"] == 3


def test_it_answers_if_none_match_from_the_cached_etag(claim, client, django_assert_num_queries):
    url = f"/api/v1/claims/{claim.pk}/"
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        hit = client.get(url)
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert hit["ETag"] == etag
    assert not_modified.status_code == 304 and not_modified["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def _admin_resolve(claim, editor_client, api):
    data = form_data(editor_client.get(change_url(claim)))
    data.update(record_verdict="incorrect", verdict_rationale="The 2027 figures fall short.")
    assert editor_client.post(change_url(claim), data).status_code == 302


def _admin_evidence(claim, editor_client, api):
    data = form_data(editor_client.get(change_url(claim)))
    index = int(data["evidence-TOTAL_FORMS"])
    data["evidence-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"evidence-{index}-url": "https://example.org/new-figures",
            f"evidence-{index}-title": "New figures",
            f"evidence-{index}-stance": "refutes",
        }
    )
    assert editor_client.post(change_url(claim), data).status_code == 302


def _api_patch(claim, editor_client, api):
    response = api.patch(
        f"/api/v1/claims/{claim.pk}/", {"statement": "Output triples by 2027."}, format="json"
    )
    assert response.status_code == 200, response.content


def _api_resolve(claim, editor_client, api):
    response = api.post(
        f"/api/v1/claims/{claim.pk}/resolve/",
        {"verdict": "correct", "summary": "It did."},
        format="json",
    )
    assert response.status_code == 200, response.content


def _api_evidence(claim, editor_client, api):
    response = api.post(
        "/api/v1/evidence/",
        {"claim": claim.pk, "url": "https://example.org/a", "title": "A", "stance": "supports"},
        format="json",
    )
    assert response.status_code == 201, response.content


def _flag_due_claims(claim, editor_client, api):
    assert lifecycle.flag_due_claims(today=datetime.date(2030, 1, 1)) == 1
    assert Claim.objects.get(pk=claim.pk).status == "due"


WRITE_PATHS = {
    "admin verdict": _admin_resolve,
    "admin evidence": _admin_evidence,
    "API PATCH": _api_patch,
    "API resolve": _api_resolve,
    "API evidence": _api_evidence,
    "flag_due_claims": _flag_due_claims,
}


@pytest.mark.parametrize("write", WRITE_PATHS.values(), ids=WRITE_PATHS.keys())
def test_a_change_is_on_the_very_next_request_of_every_page(
    write, claim, editor, django_capture_on_commit_callbacks, settings
):
    anonymous = Client()
    urls = reader_urls(claim)
    before = {url: anonymous.get(url).content for url in urls}
    editor_client = Client()
    editor_client.force_login(editor)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")

    with django_capture_on_commit_callbacks(execute=True):
        write(claim, editor_client, api)

    for url in urls:
        assert anonymous.get(url).content == uncached(settings, url), url
    for url in urls[:1] + urls[3:4]:  # the claim's page and its API detail show every change
        assert anonymous.get(url).content != before[url], url


def test_a_change_by_the_seed_loader_is_on_the_very_next_request(
    tmp_path, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_registry", "--file", str(write_seed(tmp_path, SMALL_SEED)))
    claim = Claim.objects.get(slug="foundry-merger")
    anonymous = Client()
    urls = reader_urls(claim)
    before = {url: anonymous.get(url).content for url in urls}

    changed = copy.deepcopy(SMALL_SEED)
    changed["claims"][1]["statement"] = "A foundry merger is announced within two years."
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_registry", "--file", str(write_seed(tmp_path, changed)))

    for url in urls:
        assert anonymous.get(url).content == uncached(settings, url), url
    assert b"within two years" in anonymous.get(f"/claims/{claim.slug}/").content
    assert anonymous.get(f"/claims/{claim.slug}/").content != before[f"/claims/{claim.slug}/"]


def test_a_rolled_back_write_does_not_bump_the_generation(
    claim, django_capture_on_commit_callbacks
):
    generation = response_cache.generation()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Claim.objects.filter(pk=claim.pk).first().save()
        EvidenceFactory(claim=claim)
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert response_cache.generation() == generation

    with django_capture_on_commit_callbacks(execute=True):
        EvidenceFactory(claim=claim)
    assert response_cache.generation() > generation


def test_signed_in_readers_and_token_clients_bypass_the_cache(claim, editor):
    url = f"/claims/{claim.slug}/"
    Client().get(url)
    signed_in = Client()
    signed_in.force_login(editor)
    signed_in.get(url)
    assert queries(lambda: signed_in.get(url)) > 0  # session, user, the page

    api_url = f"/api/v1/claims/{claim.pk}/"
    APIClient().get(api_url)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    api.get(api_url)
    assert queries(lambda: api.get(api_url)) > 0


def test_non_get_requests_bypass_the_cache(claim):
    client = APIClient()
    assert client.get("/api/v1/claims/").status_code == 200
    refused = client.post("/api/v1/claims/", {"statement": "x"}, format="json")
    assert refused.status_code in (401, 403)
    assert client.head(f"/claims/{claim.slug}/").status_code == 200


def test_it_does_not_store_the_admin_or_errors(client, claim):
    client.get("/claims/no-such-claim/")
    assert queries(lambda: client.get("/claims/no-such-claim/")) > 0
    stored = len(caches["default"]._cache)
    assert client.get("/admin/login/").status_code == 200
    assert len(caches["default"]._cache) == stored


def test_a_new_day_is_a_new_page(claim, client):
    url = f"/claims/{claim.slug}/"
    client.get(url)
    assert queries(lambda: client.get(url)) == 0
    with time_machine.travel(datetime.datetime(2031, 1, 1, 12, tzinfo=datetime.UTC)):
        assert queries(lambda: client.get(url)) > 0
