"""The pages of issue 15 are served by the response cache like the others, and a write shows
on them on the very next request (they use the same registry generation)."""

from __future__ import annotations

import pytest
from django.test import Client

from claims import lifecycle
from claims.models import Verdict
from tests.claims.test_response_cache import cache_on, uncached  # noqa: F401 (the fixture)
from tests.factories import ArticleFactory, DueClaimFactory, EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    article = ArticleFactory(slug="output-2026")
    return DueClaimFactory(
        article=article,
        slug="the-claim",
        statement="Output doubles by 2027.",
        claimant_type="reported",
        claimant=EntityFactory(slug="ministry"),
    )


NEW_PAGES = [
    "/outlets/",
    "/articles/?sort=hit_rate",
    "/claimants/",
    "/claims/the-claim/embed/",
    "/claims/the-claim/feed/",
    "/claims/the-claim/calendar.ics",
    "/claimants/ministry/feeds/verdicts/",
    "/claimants/ministry/calendar.ics",
    "/how-we-judge/",
    "/data/",
]
# The pages that show the verdict or the counts it changes (an outlet's counts are of its own
# claims, and this one is reported).
CHANGED_BY_A_VERDICT = NEW_PAGES[1:8]


def test_the_new_pages_are_cached(claim, django_assert_num_queries):
    anonymous = Client()
    for url in NEW_PAGES:
        assert anonymous.get(url).status_code == 200, url
        with django_assert_num_queries(0):
            assert anonymous.get(url).status_code == 200, url


def test_a_verdict_shows_on_the_new_pages_on_the_next_request(
    claim, editor, settings, django_capture_on_commit_callbacks
):
    anonymous = Client()
    before = {url: anonymous.get(url).content for url in NEW_PAGES}

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.resolve_claim(
            claim=claim, verdict=Verdict.INCORRECT, summary="It fell short.", by=editor, via="admin"
        )

    for url in NEW_PAGES:
        assert anonymous.get(url).content == uncached(settings, url), url
    for url in CHANGED_BY_A_VERDICT:
        assert anonymous.get(url).content != before[url], url


def test_the_downloads_are_streamed_and_never_stored(claim, django_assert_num_queries):
    anonymous = Client()
    first = b"".join(anonymous.get("/data/claims.csv").streaming_content)
    second = anonymous.get("/data/claims.csv")
    assert second.streaming and b"".join(second.streaming_content) == first
