"""The reader's site of issue 15: indexes, feeds and calendars to follow one claim, outlet or
claimant, open data, how we judge, the embeddable card, and the small things."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from icalendar import Calendar

from claims.choices import HedgeClass
from claims.models import Claim, ClaimantType, Evidence, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DueClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OutletFactory,
    ResolvedClaimFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    ledger = OutletFactory(slug="ledger", name="The Daily Ledger")
    almanac = OutletFactory(slug="almanac", name="Almanac Weekly")
    ministry = EntityFactory(slug="ministry", name="Ministry of Industry")
    article = ArticleFactory(slug="output-2026", outlet=ledger, title="Output in 2026")
    other = ArticleFactory(slug="almanac-1", outlet=almanac, title="A year of forecasts")
    judged = ResolvedClaimFactory(
        slug="judged",
        article=article,
        statement="Output grows 6% in 2025.",
        verdict=Verdict.INCORRECT,
        probability=Decimal("0.7"),
        hedge="will",
        hedge_class=HedgeClass.ASSERTED,
    )
    EvidenceFactory(claim=judged, title="Statistics 2025", stance=Evidence.Stance.REFUTES)
    EvidenceFactory(claim=judged, title="Ministry says", stance=Evidence.Stance.SUPPORTS)
    ResolvedClaimFactory(slug="right-1", article=other, statement="Almanac right once.")
    ResolvedClaimFactory(slug="right-2", article=other, statement="Almanac right twice.")
    DueClaimFactory(
        slug="reported-due",
        article=article,
        claimant_type=ClaimantType.REPORTED,
        claimant=ministry,
        statement="The ministry's target, due.",
    )
    ClaimFactory(
        slug="open-one",
        article=article,
        statement="An open one.",
        deadline=None,
        deadline_text="",
        deadline_precision="",
    )
    return {"ledger": ledger, "almanac": almanac, "ministry": ministry, "judged": judged}


# --- Indexes -----------------------------------------------------------------------------------


def rows(response) -> list:
    return [row for row, _record in response.context["rows"]]


def test_the_outlet_index_lists_outlets_with_their_own_track_record(client, registry):
    response = client.get("/outlets/")
    assert response.status_code == 200
    names = [row.name for row in rows(response)]
    assert names == ["Almanac Weekly", "The Daily Ledger"]
    records = {row.slug: record for row, record in response.context["rows"]}
    # The reported target (due) is not in the Ledger's own record, but in its claim count.
    ledger = records["ledger"]
    assert (ledger.total, ledger.judged, ledger.incorrect, ledger.due) == (2, 1, 1, 0)
    assert rows(response)[1].claim_count == 3
    assert records["almanac"].share_correct == 1.0
    page = response.content.decode()
    assert 'href="/outlets/ledger/"' in page and "(few)" in page


def test_the_indexes_sort_by_hit_rate_and_by_claims(client, registry):
    by_hit_rate = client.get("/outlets/?sort=hit_rate")
    assert [row.slug for row in rows(by_hit_rate)] == ["almanac", "ledger"]
    by_claims = client.get("/outlets/?sort=claims")
    assert [row.slug for row in rows(by_claims)] == ["ledger", "almanac"]
    # An unknown sort is the default, not an error.
    assert client.get("/outlets/?sort=bogus").context["sort"] == "name"


def test_the_article_and_claimant_indexes(client, registry):
    articles = client.get("/articles/")
    assert {row.slug for row in rows(articles)} == {"output-2026", "almanac-1"}
    assert {row.slug: row.claim_count for row in rows(articles)} == {
        "output-2026": 3,
        "almanac-1": 2,
    }
    claimants = client.get("/claimants/?sort=due")
    assert rows(claimants)[0].slug == "ministry"
    record = dict((row.slug, rec) for row, rec in claimants.context["rows"])["ministry"]
    assert (record.total, record.due) == (1, 1)


def test_the_indexes_are_in_the_navigation_and_cost_two_queries(
    client, registry, django_assert_max_num_queries
):
    home = client.get("/").content.decode()
    for url in ("/outlets/", "/articles/", "/claimants/", "/how-we-judge/", "/data/"):
        assert f'href="{url}"' in home
    for url in ("/outlets/", "/articles/", "/claimants/"):
        with django_assert_max_num_queries(2):  # the page's rows, and their count
            response = client.get(url)
        assert 'aria-current="page"' in response.content.decode()


def test_an_index_page_past_the_last_is_not_found(client, registry):
    assert client.get("/outlets/?page=2").status_code == 404


# --- Track records on the pages ------------------------------------------------------------------


def test_an_outlet_page_shows_hit_rate_with_n_coverage_and_the_small_sample_note(client, registry):
    page = client.get("/outlets/ledger/").content.decode()
    assert "0 correct of 1 judged" in page
    assert "1 resolved of 1 due" in page  # coverage of its own claims
    assert "Only 1 verdict so far" in page
    assert "Unresolvable (not in the hit rate)" in page
    assert "Hit rate by how sure the words were" in page and "Asserted" in page
    assert "Brier score: 0.490" in page  # (0.7 − 0)²
    assert "70% to under 80%" in page


# --- Following ------------------------------------------------------------------------------------


def test_a_claim_has_an_atom_feed_of_its_changes_and_a_calendar(client, registry):
    from claims import lifecycle

    claim = ClaimFactory.build(
        slug="followed",
        article=registry["judged"].article,
        deadline=datetime.date(2027, 6, 30),
        deadline_precision="month",
        deadline_text="by mid-2027",
    )
    lifecycle.create_claim(claim=claim, via="seed")
    feed = client.get("/claims/followed/feed/")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert b"<title>Created</title>" in feed.content
    calendar = Calendar.from_ical(client.get("/claims/followed/calendar.ics").content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and events[0]["dtstart"].dt == datetime.date(2027, 6, 30)
    assert client.get("/claims/nope/feed/").status_code == 404


def test_a_claimant_and_an_outlet_have_feeds_and_calendars(client, registry):
    for url in (
        "/claimants/ministry/feeds/claims/",
        "/claimants/ministry/feeds/due/",
        "/claimants/ministry/feeds/verdicts/",
        "/outlets/ledger/feeds/claims/",
    ):
        assert client.get(url).status_code == 200, url
    due = client.get("/claimants/ministry/feeds/due/").content.decode()
    assert "The ministry&#x27;s target, due." in due or "The ministry's target, due." in due
    calendar = Calendar.from_ical(client.get("/claimants/ministry/calendar.ics").content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [
        "Deadline: The ministry's target, due."
    ]
    outlet_calendar = Calendar.from_ical(client.get("/outlets/almanac/calendar.ics").content)
    assert len(outlet_calendar.walk("VEVENT")) == 2


@pytest.mark.parametrize(
    ("url", "feeds"),
    [
        ("/claims/judged/", ["/claims/judged/feed/", "/claims/judged/calendar.ics"]),
        ("/outlets/ledger/", ["/outlets/ledger/feeds/claims/", "/outlets/ledger/calendar.ics"]),
        (
            "/claimants/ministry/",
            ["/claimants/ministry/feeds/verdicts/", "/claimants/ministry/calendar.ics"],
        ),
        ("/", ["/calendar.ics"]),
    ],
)
def test_each_page_advertises_its_feeds_and_offers_webcal(client, registry, url, feeds):
    page = client.get(url).content.decode()
    head = page[: page.index("</head>")]
    for feed in feeds:
        assert f'href="{feed}"' in head, feed
    calendar = feeds[-1]
    assert f'webcal://testserver{calendar}"' in page


# --- Open data ------------------------------------------------------------------------------------


def test_the_csv_and_json_round_trip_every_claim(client, registry):
    from reader.open_data import COLUMN_NAMES

    csv_response = client.get("/data/claims.csv")
    assert csv_response.streaming
    text = b"".join(csv_response.streaming_content).decode()
    csv_rows = list(csv.DictReader(io.StringIO(text)))
    json_response = client.get("/data/claims.json")
    assert json_response.streaming
    data = json.loads(b"".join(json_response.streaming_content))

    assert list(csv_rows[0]) == COLUMN_NAMES == data["columns"]
    assert data["licence"].startswith("Creative Commons Attribution 4.0")
    claims = {claim.slug: claim for claim in Claim.objects.all()}
    assert [row["slug"] for row in csv_rows] == [r["slug"] for r in data["claims"]]
    assert {row["slug"] for row in csv_rows} == set(claims)
    for row, item in zip(csv_rows, data["claims"], strict=True):
        claim = claims[row["slug"]]
        for record in (row, item):
            assert record["statement"] == claim.statement
            assert record["made_by"] == claim.made_by
            assert record["article_slug"] == claim.article.slug
            assert record["status"] == claim.status and record["verdict"] == claim.verdict
            assert (record["deadline"] or None) == (claim.deadline and claim.deadline.isoformat())
            assert (record["probability"] or None) == (
                str(claim.probability) if claim.probability is not None else None
            )
        evidence = sorted(e.title for e in claim.evidence.all())
        assert sorted(e["title"] for e in json.loads(row["evidence"])) == evidence
        assert sorted(e["title"] for e in item["evidence"]) == evidence


def test_the_download_keeps_the_lists_filters(client, registry):
    page = client.get("/claims/?status=resolved&ordering=-deadline").content.decode()
    assert 'href="/data/claims.csv?status=resolved"' in page
    assert 'href="/data/claims.json?status=resolved"' in page
    text = b"".join(client.get("/data/claims.csv?status=resolved").streaming_content).decode()
    assert {row["slug"] for row in csv.DictReader(io.StringIO(text))} == {
        "judged",
        "right-1",
        "right-2",
    }


def test_the_download_reads_claims_in_chunks_not_all_at_once(client, registry, monkeypatch):
    monkeypatch.setattr("reader.open_data.CHUNK_SIZE", 2)
    calls = []
    original = Claim.objects.none().__class__.iterator

    def spy(self, chunk_size=None):
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(Claim.objects.none().__class__, "iterator", spy)
    text = b"".join(client.get("/data/claims.csv").streaming_content).decode()
    assert calls == [2] and text.count("\n") > 5


def test_the_open_data_page_documents_the_columns_licence_and_citation(client):
    from reader.open_data import COLUMN_NAMES

    page = client.get("/data/").content.decode()
    positions = [page.index(f"<code>{name}</code>") for name in COLUMN_NAMES]
    assert positions == sorted(positions)
    assert "CC BY 4.0" in page and "How to cite it" in page and "downloaded" in page


# --- How we judge, embedding -------------------------------------------------------------------


def test_how_we_judge_explains_the_method_and_every_verdict_links_to_it(client, registry):
    page = client.get("/how-we-judge/").content.decode()
    for anchor in ('id="kinds"', 'id="deadline"', 'id="verdicts"', 'id="who"', 'id="corrections"'):
        assert anchor in page
    assert "the last day of the period" in page
    claim_page = client.get("/claims/judged/").content.decode()
    verdict_box = claim_page[claim_page.index('id="verdict-heading"') :]
    assert 'href="/how-we-judge/#verdicts"' in verdict_box[: verdict_box.index("</section>")]
    assert 'href="/how-we-judge/#verdicts"' in client.get("/claims/judged/embed/").content.decode()


def test_only_the_embed_card_may_be_framed_by_other_sites(client, registry):
    card = client.get("/claims/judged/embed/")
    assert card.status_code == 200
    assert "frame-ancestors *" in card["Content-Security-Policy"]
    assert "X-Frame-Options" not in card
    content = card.content.decode()
    assert "Output grows 6% in 2025." in content and "Incorrect" in content
    page = client.get("/claims/judged/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    snippet = page.content.decode()
    assert "&lt;iframe src=&quot;http://testserver/claims/judged/embed/&quot;" in snippet or (
        '&lt;iframe src="http://testserver/claims/judged/embed/"' in snippet
    )
    assert client.get("/claims/nope/embed/").status_code == 404


# --- Small things -------------------------------------------------------------------------------


def test_due_and_recently_changed_highlight_themselves_not_all_claims(client, registry):
    def current(url):
        page = client.get(url).content.decode()
        nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
        return [line for line in nav.splitlines() if 'aria-current="page"' in line]

    assert "Due for a verdict" in current("/claims/?status=due")[0]
    assert "Recently changed" in current("/claims/?ordering=-updated_at")[0]
    assert "Due for a verdict" in current("/claims/?status=due&ordering=deadline")[0]
    assert "All claims" in current("/claims/")[0]
    assert "All claims" in current("/claims/?status=due&kind=forecast")[0]


def test_recently_changed_shows_when_each_claim_changed(client, registry):
    page = client.get("/claims/?ordering=-updated_at").content.decode()
    assert page.count("Changed <time") == Claim.objects.count()
    assert "Changed <time" not in client.get("/claims/").content.decode()


def test_the_favicon_address_answers(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_an_empty_filter_field_is_redirected_to_the_canonical_address(client, registry):
    response = client.get(
        "/claims/?search=&status=due&verdict=&kind=&deadline_after=&ordering=deadline"
    )
    assert response.status_code == 302
    assert response["Location"] == "/claims/?status=due&ordering=deadline"
    assert client.get("/claims/?search=&status=").headers["Location"] == "/claims/"
    assert client.get("/claims/?status=due").status_code == 200


def test_the_home_pages_due_column_shows_a_few_and_links_to_the_rest(client):
    DueClaimFactory.create_batch(6)
    response = client.get("/")
    assert len(response.context["due_claims"]) == 4
    assert 'href="/claims/?status=due">All 6 claims due for a verdict' in response.content.decode()


def test_a_claim_page_has_a_print_stylesheet(client, registry):
    page = client.get("/claims/judged/").content.decode()
    assert 'href="/static/print.css" media="print"' in page
