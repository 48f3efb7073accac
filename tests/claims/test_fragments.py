"""Fragments (claims.cache): a claim's row in the reader's list, its page and its API
representation are kept under the claim's tags and used only while those are current.

The response cache is off here (as it is for a miss): every request runs its view, and the
fragments are what it may reuse. Writes run inside the test's transaction;
`django_capture_on_commit_callbacks(execute=True)` stands for the commit, when tags move.
"""

from __future__ import annotations

import copy
import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import cache as response_cache
from claims import lifecycle
from claims.models import Claim, ClaimantType
from tests.claims.test_response_cache import WRITE_PATHS
from tests.claims.test_seed_registry import SMALL_SEED, write_seed
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

DAYS_LEFT = "%d\u00a0days left".encode()  # timesince keeps a number with its unit


@pytest.fixture(autouse=True)
def fragments_on_without_throttle(fragments_on, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute"},
    }


@pytest.fixture
def stored(monkeypatch):
    """The fragment keys each request stores, as a list that tests read and clear."""
    keys: list[str] = []
    backend = caches["default"]
    real_set_many = backend.set_many

    def set_many(data, *args, **kwargs):
        keys.extend(key for key in data if key.startswith(response_cache.FRAGMENT_KEY_PREFIX))
        return real_set_many(data, *args, **kwargs)

    monkeypatch.setattr(backend, "set_many", set_many)
    return keys


@pytest.fixture
def claim():
    claimant = EntityFactory(slug="the-ministry", name="The Ministry")
    article = ArticleFactory(slug="output-2026", title="Output in 2026")
    later = datetime.date(2031, 12, 31)  # not due in any test here
    ClaimFactory(article=article, slug="another-claim", statement="Another claim.", deadline=later)
    EvidenceFactory(
        claim=ClaimFactory(article=ArticleFactory(), slug="a-third-claim", deadline=later)
    )
    return ClaimFactory(
        article=article,
        slug="the-claim",
        statement="Output doubles by 2027.",
        claimant_type=ClaimantType.REPORTED,
        claimant=claimant,
        deadline=datetime.date(2029, 12, 31),
    )


def fragment_urls(claim: Claim) -> list[str]:
    """Every page type that uses fragments."""
    return [
        "/claims/",
        "/claims/?status=open",
        "/claims/?ordering=-updated_at",
        # Lists' shapes, each by what it reads (claims.cache.cached_shape).
        "/claims/?status=due",
        "/claims/?status=resolved&verdict=correct",
        "/claims/?ordering=-deadline",
        "/claims/?deadline_before=2028-12-31",
        "/claims/?search=triples",
        "/claims/?search=industry",
        "/claims/?entity=a-new-subject",
        "/claims/?topic=shipbuilding",
        "/claims/?outlet=" + claim.article.outlet.slug,
        f"/claims/{claim.slug}/",
        "/api/v1/claims/",
        "/api/v1/claims/?kind=forecast",
        "/api/v1/claims/?status=due",
        "/api/v1/claims/?status=resolved&verdict=correct",
        "/api/v1/claims/?ordering=-updated_at",
        "/api/v1/claims/?ordering=-resolved_at,id",
        "/api/v1/claims/?ordering=bogus",
        "/api/v1/claims/?deadline_before=2028-12-31&page_size=2",
        "/api/v1/claims/?search=triples",
        "/api/v1/claims/?search=industry",
        "/api/v1/claims/?claimant_type=reported",
        f"/api/v1/claims/?claimant={claim.claimant_id or ''}",
        f"/api/v1/claims/?outlet={claim.article.outlet_id}",
        f"/api/v1/claims/{claim.pk}/",
    ]


def get(url: str, **extra) -> bytes:
    response = Client().get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def without_fragments(settings, url: str, **extra) -> bytes:
    """The page made from the database alone: no fragment, no stored page."""
    kept = settings.FRAGMENT_CACHE_SECONDS, settings.RESPONSE_CACHE_SECONDS
    settings.FRAGMENT_CACHE_SECONDS = settings.RESPONSE_CACHE_SECONDS = 0
    try:
        return get(url, **extra)
    finally:
        settings.FRAGMENT_CACHE_SECONDS, settings.RESPONSE_CACHE_SECONDS = kept


def warm(stored: list[str], *urls: str) -> None:
    """Each page until its fragments are all stored: the first request starts the claims'
    tags, the second stores, the third makes nothing."""
    for url in urls:
        get(url)
        get(url)
        stored.clear()
        get(url)
        assert stored == [], url


def editor_clients(editor) -> tuple[Client, APIClient]:
    editor_client = Client()
    editor_client.force_login(editor)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return editor_client, api


def _rename_article(claim, editor_client, api):
    claim.article.title = "A title an editor fixed"
    claim.article.save()


def _rename_claimant(claim, editor_client, api):
    claim.claimant.name = "The Ministry of Industry"
    claim.claimant.save()


def _rename_outlet(claim, editor_client, api):
    claim.article.outlet.name = "The Renamed Ledger"
    claim.article.outlet.save()


def _change_what_it_is_about(claim, editor_client, api):
    response = api.patch(
        f"/api/v1/claims/{claim.pk}/",
        {"about": [EntityFactory(name="A New Subject").pk]},
        format="json",
    )
    assert response.status_code == 200, response.content


def _move_the_deadline(claim, editor_client, api):
    response = api.patch(
        f"/api/v1/claims/{claim.pk}/", {"deadline": "2026-06-30"}, format="json"
    )  # past: the lifecycle makes it due
    assert response.status_code == 200, response.content


def _add_to_a_topic(claim, editor_client, api):
    TopicFactory(slug="shipbuilding", name="Shipbuilding").claims.add(claim)


FRAGMENT_WRITE_PATHS = {
    **WRITE_PATHS,
    "API PATCH of the deadline": _move_the_deadline,
    "a topic's claims added to": _add_to_a_topic,
    "article rename": _rename_article,
    "claimant rename": _rename_claimant,
    "outlet rename": _rename_outlet,
    "API PATCH of what it is about": _change_what_it_is_about,
}


@pytest.mark.parametrize("response_cache_seconds", [0, 600], ids=["pages not stored", "stored"])
@pytest.mark.parametrize("write", FRAGMENT_WRITE_PATHS.values(), ids=FRAGMENT_WRITE_PATHS.keys())
def test_a_change_is_on_the_very_next_request_of_every_page_with_fragments(
    write,
    response_cache_seconds,
    claim,
    editor,
    stored,
    settings,
    django_capture_on_commit_callbacks,
):
    urls = fragment_urls(claim)
    warm(stored, *urls)
    # With whole pages stored too (made from those fragments): a write must retire every
    # stored page and every fragment that shows it, each by its own tags.
    settings.RESPONSE_CACHE_SECONDS = response_cache_seconds
    before = {url: get(url) for url in urls}

    with django_capture_on_commit_callbacks(execute=True):
        write(claim, *editor_clients(editor))

    for url in urls:
        assert get(url) == without_fragments(settings, url), url
    assert get(f"/claims/{claim.slug}/") != before[f"/claims/{claim.slug}/"]  # shows them all


@pytest.mark.parametrize("change", ["created", "deleted"])
def test_a_claim_created_or_deleted_is_in_every_lists_shape_at_once(
    change, claim, stored, settings, django_capture_on_commit_callbacks
):
    other = ClaimFactory(article=claim.article, slug="a-later-claim", statement="Industry grows.")
    if change == "created":
        with django_capture_on_commit_callbacks(execute=True):
            other.delete()
    urls = [
        url for url in fragment_urls(claim) if url.startswith(("/claims/?", "/api/v1/claims/?"))
    ]
    warm(stored, *urls)
    with django_capture_on_commit_callbacks(execute=True):
        if change == "created":
            ClaimFactory(article=claim.article, slug="a-new-claim", statement="Industry grows.")
        else:
            other.transitions.all().delete()
            other.delete()
    for url in urls:
        assert get(url) == without_fragments(settings, url), url
    assert (b"a-new-claim" in get("/claims/")) is (change == "created")


def test_a_change_by_the_seed_loader_is_on_the_very_next_request(
    tmp_path, stored, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_registry", "--file", str(write_seed(tmp_path, SMALL_SEED)))
    claim = Claim.objects.get(slug="foundry-merger")
    urls = fragment_urls(claim)
    warm(stored, *urls)

    changed = copy.deepcopy(SMALL_SEED)
    changed["claims"][1]["statement"] = "A foundry merger is announced within two years."
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_registry", "--file", str(write_seed(tmp_path, changed)))

    for url in urls:
        assert get(url) == without_fragments(settings, url), url
    assert b"within two years" in get("/claims/")


def test_a_new_day_makes_the_rows_and_pages_that_say_how_long_is_left_again(
    claim, stored, settings
):
    claim.deadline = datetime.date(2026, 11, 30)
    claim.save()
    urls = ["/claims/", f"/claims/{claim.slug}/"]
    with time_machine.travel(datetime.datetime(2026, 11, 24, 23, 59, tzinfo=datetime.UTC)):
        warm(stored, *urls)
        assert DAYS_LEFT % 6 in get("/claims/")
    with time_machine.travel(datetime.datetime(2026, 11, 25, 0, 1, tzinfo=datetime.UTC)):
        for url in urls:
            page = get(url)
            assert DAYS_LEFT % 5 in page and DAYS_LEFT % 6 not in page, url
            assert page == without_fragments(settings, url), url


def test_a_write_to_one_claim_makes_only_that_claims_fragments_again(
    claim, stored, django_capture_on_commit_callbacks
):
    other = Claim.objects.get(slug="another-claim")
    urls = ["/claims/", "/api/v1/claims/", f"/claims/{other.slug}/", f"/claims/{claim.slug}/"]
    warm(stored, *urls)

    with django_capture_on_commit_callbacks(execute=True):
        claim.statement = "Output triples by 2027."
        claim.save()

    for url in urls:
        stored.clear()
        get(url)
        made = [key.rsplit(":", 1)[1] for key in stored]
        expected = {
            "/claims/": [str(claim.pk)],
            "/api/v1/claims/": [str(claim.pk)],
            f"/claims/{other.slug}/": [],
            f"/claims/{claim.slug}/": [claim.slug],
        }[url]
        assert made == expected, url


def test_evidence_makes_its_claims_page_again_not_its_rows(
    claim, stored, django_capture_on_commit_callbacks
):
    warm(stored, "/claims/", "/api/v1/claims/", f"/claims/{claim.slug}/")
    with django_capture_on_commit_callbacks(execute=True):
        EvidenceFactory(claim=claim, title="A report that settles it")
    stored.clear()
    assert b"A report that settles it" in get(f"/claims/{claim.slug}/")
    assert len(stored) == 1
    # Its tag moved, so its row is made again too: a row shows no evidence, but evidence moves
    # the one tag a claim's fragments have (one row made again, not the page's 25).
    stored.clear()
    get("/claims/")
    assert len(stored) == 1


def test_a_new_topic_is_in_the_lists_drop_down_on_the_next_request(
    claim, stored, django_capture_on_commit_callbacks
):
    warm(stored, "/claims/")
    with django_capture_on_commit_callbacks(execute=True):
        TopicFactory(slug="shipbuilding", name="Shipbuilding")
    assert b'<option value="shipbuilding">Shipbuilding</option>' in get("/claims/")


def test_the_filter_form_is_stored_per_set_of_values_it_shows(claim, stored):
    warm(stored, "/claims/?search=doubles", "/claims/?status=due")
    assert b'value="doubles"' in get("/claims/?search=doubles")
    due = get("/claims/?status=due")
    assert b'value="doubles"' not in due
    assert b'<option value="due" selected>' in due
    assert b'<option value="due" selected>' not in get("/claims/?search=doubles")


def test_a_new_entity_makes_the_filter_form_and_list_that_name_it_again(
    claim, stored, settings, django_capture_on_commit_callbacks
):
    # Until it exists, the name is ignored, and no filter narrows the list.
    url = "/claims/?entity=A+Later+Agency"
    warm(stored, url)
    assert b"Clear all filters" not in get(url)
    assert b"Output doubles by 2027." in get(url)
    with django_capture_on_commit_callbacks(execute=True):
        EntityFactory(name="A Later Agency")
    assert b"Clear all filters" in get(url)
    # And the list's shape: now a filter that no claim matches.
    assert get(url) == without_fragments(settings, url)
    assert b"Output doubles by 2027." not in get(url)


def test_a_fragment_is_used_only_for_the_host_and_scheme_it_was_made_for(claim, stored):
    url = f"/api/v1/claims/{claim.pk}/"
    warm(stored, url, f"/claims/{claim.slug}/", "/api/v1/claims/")
    for address in (url, f"/claims/{claim.slug}/", "/api/v1/claims/"):
        elsewhere = get(address, HTTP_HOST="localhost")
        assert b"http://localhost/claims/the-claim/" in elsewhere, address
        assert b"testserver" not in elsewhere, address
        assert b"https://testserver/" in get(address, secure=True), address


def test_the_browsable_api_and_json_are_made_from_the_same_representation(claim, stored):
    url = f"/api/v1/claims/{claim.pk}/"
    warm(stored, url)
    browsable = Client().get(f"{url}?format=api")
    assert browsable["Content-Type"].startswith("text/html")
    assert b"Output doubles by 2027." in browsable.content
    assert Client().get(url).json()["statement"] == "Output doubles by 2027."


def test_a_detail_read_with_a_filter_is_read_afresh(claim, stored):
    url = f"/api/v1/claims/{claim.pk}/"
    warm(stored, url)
    # DRF filters a detail read too: a claim that is open is not found among the due ones.
    assert Client().get(f"{url}?status=due").status_code == 404


def test_a_list_reads_its_page_and_its_rows_each_in_one_round_trip(claim, stored, monkeypatch):
    warm(stored, "/claims/")
    calls = []
    backend = caches["default"]
    real_get_many = backend.get_many
    monkeypatch.setattr(backend, "get_many", lambda keys: calls.append(keys) or real_get_many(keys))
    get("/claims/")
    # The list's page but its rows, and its tags ("all", "shapes", "sources", "shape:deadline");
    # three claims' rows, their tags and "all".
    assert [len(keys) for keys in calls] == [1 + 4, 3 + 3 + 1]


def test_a_warm_claim_page_reads_nothing_from_the_database(claim, stored):
    warm(stored, f"/claims/{claim.slug}/", f"/api/v1/claims/{claim.pk}/")
    for url in (f"/claims/{claim.slug}/", f"/api/v1/claims/{claim.pk}/"):
        with CaptureQueriesContext(connection) as captured:
            get(url)
        assert len(captured) == 0, url


def test_a_deleted_claims_page_is_not_found_at_once(
    claim, stored, django_capture_on_commit_callbacks
):
    warm(stored, f"/claims/{claim.slug}/", f"/api/v1/claims/{claim.pk}/", "/claims/")
    with django_capture_on_commit_callbacks(execute=True):
        claim.transitions.all().delete()
        claim.delete()
    assert Client().get(f"/claims/{claim.slug}/").status_code == 404
    assert Client().get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert b"Output doubles" not in get("/claims/")


def test_an_evicted_tag_retires_what_was_made_under_it(claim, stored, settings):
    url = f"/claims/{claim.slug}/"
    warm(stored, url)
    caches["default"].delete(response_cache.tag_key(f"claim:{claim.slug}"))
    # Changed behind the cache's back (no signal): only a retired fragment shows it.
    Claim.objects.filter(pk=claim.pk).update(statement="Changed with no signal.")
    assert b"Changed with no signal." in get(url)


def test_a_fragment_made_while_its_tag_was_missing_is_not_stored(
    claim, stored, django_capture_on_commit_callbacks
):
    url = f"/claims/{claim.slug}/"
    warm(stored, url)
    tag = response_cache.tag_key(f"claim:{claim.slug}")
    caches["default"].delete(tag)  # evicted
    get(url)  # made while the tag was missing: stored, it would say so
    with django_capture_on_commit_callbacks(execute=True):
        claim.statement = "Output triples by 2027."
        claim.save()
    caches["default"].delete(tag)  # evicted again, with the write's bump
    assert b"Output triples by 2027." in get(url)


def test_a_lost_bump_retires_fragments_through_the_database_epoch(
    claim, stored, settings, django_capture_on_commit_callbacks
):
    url = f"/claims/{claim.slug}/"
    warm(stored, url)
    Claim.objects.filter(pk=claim.pk).update(statement="Changed while the cache was away.")
    response_cache._bump_epoch()  # what a write does when the cache does not take its bump
    assert b"Changed while the cache was away." in get(url)


def test_with_the_cache_unreachable_pages_are_rendered_as_without_fragments(claim, settings):
    settings.CACHES = {
        "default": {
            # Nothing listens on port 9: every call fails at once, as a Redis that is down.
            "BACKEND": "config.cache_backend.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1, "pause_seconds": 5},
        }
    }
    for url in fragment_urls(claim):
        assert get(url) == without_fragments(settings, url), url


def test_off_means_no_fragment_is_read_or_stored(claim, settings, monkeypatch):
    settings.FRAGMENT_CACHE_SECONDS = 0
    backend = caches["default"]
    for name in ("get_many", "set_many"):
        monkeypatch.setattr(backend, name, lambda *args, **kwargs: pytest.fail("cache used"))
    for url in fragment_urls(claim):
        get(url)


def _shapes_made(stored: list[str]) -> list[str]:
    return [
        key for key in stored if key.startswith(f"{response_cache.FRAGMENT_KEY_PREFIX}:claim-list:")
    ]


def test_a_write_keeps_the_shapes_of_the_lists_it_does_not_move(
    claim, editor, stored, django_capture_on_commit_callbacks
):
    """claims.cache.cached_shape: a list's page of ids and count outlive a write that changes
    no column the list reads; its rows are still each claim's own (made again where it shows)."""
    lists = ["/claims/", "/claims/?status=due", "/claims/?search=doubles"]
    warm(stored, *lists)
    _editor_client, api = editor_clients(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/v1/claims/{claim.pk}/", {"resolution_criteria": "Official data."}, format="json"
        )
    assert response.status_code == 200, response.content
    stored.clear()
    get("/claims/")
    assert len(stored) == 1 and not _shapes_made(stored)  # the claim's row only: its tag moved
    stored.clear()
    get("/claims/?search=doubles")  # searched in the statement: the same shape, the same row
    assert stored == []
    stored.clear()
    get("/claims/?status=due")  # the claim is not in it: nothing to make again
    assert stored == []

    # Flagging moves the status: the lists by status are read again, the rest stand.
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.flag_due_claims(today=datetime.date(2030, 1, 1)) == 1
    stored.clear()
    get("/claims/")
    assert _shapes_made(stored) == []
    stored.clear()
    assert b"Output doubles by 2027." in get("/claims/?status=due")
    assert len(_shapes_made(stored)) == 1


def test_each_filter_of_the_list_names_the_columns_it_reads():
    from django.http import QueryDict

    from reader.filters import list_shape_tags

    def tags(query: str) -> set[str]:
        return list_shape_tags(QueryDict(query)) - {"shapes", "sources"}

    assert {"shapes", "sources"} <= list_shape_tags(QueryDict(""))
    assert tags("") == {"shape:deadline"}
    assert tags("ordering=-updated_at") == {"shape:updated_at"}
    assert tags("ordering=bogus") == {"shape:deadline"}
    assert tags("status=due&kind=target") == {"shape:deadline", "shape:status", "shape:kind"}
    assert tags("entity=someone") == {"shape:deadline", "shape:claimant_id", "shape:about"}
    assert tags("topic=steel&page=3") == {"shape:deadline", "shape:topics"}
    assert {"shape:statement", "shape:article_id", "shape:claimant_id"} <= tags("search=steel")


@pytest.mark.parametrize("audience", ["reader", "api"])
def test_every_filter_of_a_list_says_which_columns_it_reads(audience):
    """A filter added to a list without its columns in its FilterSet's columns_read would keep
    a stored list's page through the writes that move it."""
    from api.filters import ClaimFilter as APIClaimFilter
    from reader.filters import ClaimFilter as ReaderClaimFilter

    claim_filter = {"reader": ReaderClaimFilter, "api": APIClaimFilter}[audience]
    assert set(claim_filter.base_filters) - {"ordering"} == set(claim_filter.columns_read)
    read = {column for columns in claim_filter.columns_read.values() for column in columns}
    assert read - {"about", "topics"} <= set(response_cache.SHAPE_COLUMNS)


def test_each_filter_search_and_ordering_of_the_api_list_names_the_columns_it_reads(rf):
    from rest_framework.request import Request

    from api.claims import ClaimViewSet

    def tags(query: str) -> set[str]:
        view = ClaimViewSet(action="list", format_kwarg=None)
        view.request = Request(rf.get(f"/api/v1/claims/?{query}"))
        return view._list_shape_tags(view.request) - {"shapes", "sources", "shape:id"}

    assert tags("") == {"shape:deadline"}
    assert tags("ordering=-updated_at") == {"shape:updated_at"}
    assert tags("ordering=bogus") == {"shape:deadline"}
    assert tags("ordering=made_on,-resolved_at") == {"shape:made_on", "shape:resolved_at"}
    assert tags("status=due&kind=target&page=2") == {"shape:deadline", "shape:status", "shape:kind"}
    assert tags("claimant=3") == {"shape:deadline", "shape:claimant_id"}
    assert tags("outlet=3&claimant_type=reported") == {
        "shape:deadline",
        "shape:article_id",
        "shape:claimant_type",
    }
    assert {"shape:statement", "shape:article_id", "shape:claimant_id"} <= tags("search=steel")


@pytest.mark.parametrize(
    ("kind", "kept", "not_kept"),
    [
        (
            "claim-list",
            "/claims/?status=due&page=1",
            ["/claims/?status=due&utm_source=feed", "/claims/?status=due&status=open"],
        ),
        (
            "api-claim-list",
            "/api/v1/claims/?status=due&page_size=2",
            [
                "/api/v1/claims/?status=due&junk=1",
                "/api/v1/claims/?status=due&search=",
                "/api/v1/claims/?page_size=2&page_size=3",
            ],
        ),
    ],
)
def test_a_lists_shape_is_kept_only_for_a_query_of_the_parameters_it_reads(
    kind, kept, not_kept, claim, stored
):
    """As whole pages are (claims.cache.cache_query_params): junk query strings cannot fill the
    cache with shapes, each answered and then forgotten."""

    def shapes_stored(url: str) -> int:
        stored.clear()
        response = Client().get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
        return sum(
            key.startswith(f"{response_cache.FRAGMENT_KEY_PREFIX}:{kind}:") for key in stored
        )

    Client().get(kept)  # the tags start: every query below has the same
    assert shapes_stored(kept) == 1
    assert shapes_stored(kept) == 0  # stored already
    for url in not_kept:
        assert shapes_stored(url) == 0, url
        assert shapes_stored(url) == 0, url  # nor the next time
    assert (
        b"Output doubles by 2027." in Client().get("/claims/?status=open&utm_source=feed").content
    )
