"""Precise invalidation (issue 16): a write retires the pages that show what it changed, and
leaves every other stored page a hit (no database query).

Writes run inside the test's transaction; `django_capture_on_commit_callbacks(execute=True)`
stands for the commit, when the cache's tags move.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import cache as response_cache
from claims import lifecycle
from claims.models import Claim, ClaimantType, Evidence, LinkCheck, Notification
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EntityFactory,
    EvidenceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.RESPONSE_CACHE_SECONDS = 600
    settings.RESPONSE_CACHE_EPOCH_SECONDS = 3600  # a hit is then always zero queries
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"precise-invalidation-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def claims():
    """Claim A and claim B in one article; claim C in another outlet's article."""
    claimant = EntityFactory(slug="the-claimant")
    article = ArticleFactory(slug="shared-article")
    a = ClaimFactory(
        article=article, slug="claim-a", claimant=claimant, claimant_type=ClaimantType.REPORTED
    )
    b = ClaimFactory(article=article, slug="claim-b")
    c = ClaimFactory(article=ArticleFactory(slug="other-article"), slug="claim-c")
    return a, b, c


def queries(url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        content = Client().get(url).content
    return len(captured), content


def is_hit(url: str) -> bool:
    return queries(url)[0] == 0


def warm(*urls: str) -> None:
    for url in urls:
        Client().get(url)
        assert is_hit(url), url


def uncached(settings, url: str) -> bytes:
    seconds, settings.RESPONSE_CACHE_SECONDS = settings.RESPONSE_CACHE_SECONDS, 0
    try:
        return Client().get(url).content
    finally:
        settings.RESPONSE_CACHE_SECONDS = seconds


LISTS = ["/", "/claims/", "/articles/", "/articles/shared-article/", "/claimants/the-claimant/"]


def test_a_claim_edit_retires_its_pages_and_the_lists_not_another_claims_page(
    claims, settings, django_capture_on_commit_callbacks
):
    a, b, c = claims
    warm("/claims/claim-a/", "/claims/claim-b/", "/claims/claim-c/", *LISTS)

    with django_capture_on_commit_callbacks(execute=True):
        a.statement = "Output triples by 2028."
        a.save()

    assert is_hit("/claims/claim-b/") and is_hit("/claims/claim-c/")
    for url in ["/claims/claim-a/", *LISTS]:
        count, content = queries(url)
        assert count > 0, url
        assert content == uncached(settings, url), url
    assert b"Output triples by 2028." in queries("/claims/claim-a/")[1]


def test_a_renamed_slug_retires_the_page_it_left(claims, django_capture_on_commit_callbacks):
    a, _b, _c = claims
    warm("/claims/claim-a/")
    with django_capture_on_commit_callbacks(execute=True):
        a.slug = "claim-a-renamed"
        a.save()
    assert Client().get("/claims/claim-a/").status_code == 404
    assert Client().get("/claims/claim-a-renamed/").status_code == 200


def test_evidence_added_to_a_claim_retires_that_claims_page_only(
    claims, django_capture_on_commit_callbacks
):
    a, _b, _c = claims
    warm("/claims/claim-a/", "/claims/claim-b/", *LISTS)

    with django_capture_on_commit_callbacks(execute=True):
        EvidenceFactory(claim=a, title="A report that settles it")

    assert b"A report that settles it" in queries("/claims/claim-a/")[1]
    assert is_hit("/claims/claim-b/")
    for url in LISTS:
        assert is_hit(url), url


def test_flagging_retires_the_flagged_claims_pages_and_the_lists_only(
    claims, settings, django_capture_on_commit_callbacks
):
    a, b, _c = claims
    due = ClaimFactory(article=a.article, slug="claim-due", deadline=datetime.date(2025, 12, 31))
    warm("/claims/claim-due/", "/claims/claim-b/", "/", "/claims/?status=due")

    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.flag_due_claims(today=datetime.date(2026, 1, 1)) == 1
    assert Claim.objects.get(pk=due.pk).status == "due"

    assert is_hit("/claims/claim-b/")
    for url in ["/claims/claim-due/", "/", "/claims/?status=due"]:
        count, content = queries(url)
        assert count > 0, url
        assert content == uncached(settings, url), url


def test_flagging_more_claims_than_the_cache_names_retires_every_page(
    claims, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(response_cache, "BULK_TAG_LIMIT", 1)
    a, _b, _c = claims
    for slug in ("claim-due-1", "claim-due-2"):
        ClaimFactory(article=a.article, slug=slug, deadline=datetime.date(2025, 12, 31))
    warm("/claims/claim-b/")

    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.flag_due_claims(today=datetime.date(2026, 1, 1)) == 2

    assert not is_hit("/claims/claim-b/")


def test_renaming_an_article_retires_its_claims_pages_not_others(
    claims, settings, django_capture_on_commit_callbacks
):
    a, _b, c = claims
    warm("/claims/claim-a/", "/claims/claim-b/", "/claims/claim-c/", "/articles/shared-article/")

    with django_capture_on_commit_callbacks(execute=True):
        a.article.title = "A title fixed by an editor"
        a.article.save()

    for url in ["/claims/claim-a/", "/claims/claim-b/", "/articles/shared-article/"]:
        count, content = queries(url)
        assert count > 0 and b"A title fixed by an editor" in content, url
    assert is_hit("/claims/claim-c/")


def test_renaming_an_entity_retires_the_pages_of_claims_it_is_about(
    claims, django_capture_on_commit_callbacks
):
    a, b, c = claims
    subject = EntityFactory(slug="the-subject", name="Old Name Ltd")
    with django_capture_on_commit_callbacks(execute=True):
        c.about.add(subject)
    warm("/claims/claim-a/", "/claims/claim-b/", "/claims/claim-c/")

    with django_capture_on_commit_callbacks(execute=True):
        subject.name = "New Name Plc"
        subject.save()

    assert b"New Name Plc" in queries("/claims/claim-c/")[1]
    assert is_hit("/claims/claim-a/") and is_hit("/claims/claim-b/")


FEEDS = ["/feeds/claims/", "/feeds/due/", "/calendar.ics", "/api/v1/claims/"]


def test_a_claim_edit_retires_its_api_detail_the_feeds_and_api_lists_not_another_claims(
    claims, settings, django_capture_on_commit_callbacks, frozen_today
):
    # The clock stands still: an empty feed is dated now.
    a, b, _c = claims
    warm(f"/api/v1/claims/{a.pk}/", f"/api/v1/claims/{b.pk}/", f"/claims/{b.slug}/feed/", *FEEDS)

    with django_capture_on_commit_callbacks(execute=True):
        a.statement = "Output triples by 2028."
        a.save()

    assert is_hit(f"/api/v1/claims/{b.pk}/") and is_hit(f"/claims/{b.slug}/feed/")
    for url in [f"/api/v1/claims/{a.pk}/", *FEEDS]:
        count, content = queries(url)
        assert count > 0, url
        assert content == uncached(settings, url), url


def test_evidence_retires_its_claims_api_detail_not_the_lists_or_feeds(
    claims, django_capture_on_commit_callbacks
):
    a, b, _c = claims
    warm(f"/api/v1/claims/{a.pk}/", f"/api/v1/claims/{b.pk}/", *FEEDS)

    with django_capture_on_commit_callbacks(execute=True):
        EvidenceFactory(claim=a, title="A report the API shows")

    assert b"A report the API shows" in queries(f"/api/v1/claims/{a.pk}/")[1]
    assert is_hit(f"/api/v1/claims/{b.pk}/")
    for url in FEEDS:  # no list or feed shows evidence
        assert is_hit(url), url


def test_flagging_retires_the_flagged_claims_api_details(
    claims, settings, django_capture_on_commit_callbacks, frozen_today
):
    a, b, _c = claims
    due = ClaimFactory(article=a.article, slug="claim-due", deadline=datetime.date(2025, 12, 31))
    warm(f"/api/v1/claims/{due.pk}/", f"/api/v1/claims/{b.pk}/", "/feeds/due/")

    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.flag_due_claims(today=datetime.date(2026, 1, 1)) == 1

    assert is_hit(f"/api/v1/claims/{b.pk}/")
    for url in [f"/api/v1/claims/{due.pk}/", "/feeds/due/"]:
        count, content = queries(url)
        assert count > 0, url
        assert content == uncached(settings, url), url
    assert b'"status":"due"' in queries(f"/api/v1/claims/{due.pk}/")[1]


def test_a_bookkeeping_write_retires_nothing(claims, django_capture_on_commit_callbacks):
    a, _b, _c = claims
    evidence = EvidenceFactory(claim=a)
    urls = ["/claims/claim-a/", *LISTS, f"/api/v1/claims/{a.pk}/"]
    warm(*urls)
    before = response_cache.generation()

    with django_capture_on_commit_callbacks(execute=True):
        LinkCheck.objects.create(
            evidence=evidence, url=evidence.url, checked_at=timezone.now(), outcome="ok"
        )
        Notification.objects.create(
            recipient=EditorFactory(), claim=a, event="reminder_30", event_date=timezone.localdate()
        )
        evidence.link_next_check_at = timezone.now() + datetime.timedelta(days=7)
        evidence.save(update_fields=["link_next_check_at"])
        Evidence.objects.filter(pk=evidence.pk).update(link_next_check_at=timezone.now())

    assert response_cache.generation() == before
    for url in urls:
        assert is_hit(url), url


def test_a_page_that_declares_no_tags_is_retired_by_every_write(
    claims, django_capture_on_commit_callbacks
):
    a, _b, _c = claims
    warm(f"/api/v1/claims/{a.pk}/", "/api/v1/evidence/")
    with django_capture_on_commit_callbacks(execute=True):
        EvidenceFactory(claim=a, title="Evidence the API shows")
    assert not is_hit("/api/v1/evidence/")
    assert b"Evidence the API shows" in Client().get(f"/api/v1/claims/{a.pk}/").content


def test_registry_changed_without_tags_retires_every_page(
    claims, django_capture_on_commit_callbacks
):
    warm("/claims/claim-a/", "/claims/claim-b/", "/")
    with django_capture_on_commit_callbacks(execute=True):
        response_cache.registry_changed()
    for url in ["/claims/claim-a/", "/claims/claim-b/", "/"]:
        assert not is_hit(url), url


def test_a_hit_is_one_cache_round_trip(claims, monkeypatch):
    warm("/claims/claim-a/")
    calls = []
    backend = caches["default"]
    real_get_many = backend.get_many
    monkeypatch.setattr(backend, "get_many", lambda keys: calls.append(keys) or real_get_many(keys))
    assert is_hit("/claims/claim-a/")
    assert len(calls) == 1 and len(calls[0]) == 3  # the page, "all", "claim:claim-a"


def test_a_claim_moved_to_another_article_by_a_raw_count_of_claims_over_the_limit_retires_all(
    claims, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(response_cache, "BULK_TAG_LIMIT", 1)
    warm("/claims/claim-c/")
    with django_capture_on_commit_callbacks(execute=True):
        response_cache.claims_changed(Claim.objects.filter(slug__in=["claim-a", "claim-b"]))
    assert not is_hit("/claims/claim-c/")
