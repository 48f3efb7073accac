from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.views.defaults import server_error
from icalendar import Calendar

from claims import lifecycle
from claims.models import Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DueClaimFactory,
    OutletFactory,
    ResolvedClaimFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
        }
        for entry in feed.iter(f"{ATOM}entry")
    ]


def test_it_publishes_new_claims_as_an_atom_feed(client):
    claim = ClaimFactory(statement="Output doubles by 2027.")

    [entry] = entries(client.get("/feeds/claims/"))

    assert entry["title"] == "Output doubles by 2027."
    assert entry["link"] == f"http://testserver/claims/{claim.slug}/"


def test_it_publishes_claims_newly_due_and_verdicts(client):
    DueClaimFactory(statement="Waiting.")
    ResolvedClaimFactory(statement="Judged.", verdict=Verdict.INCORRECT)
    ClaimFactory(statement="Open.")

    assert [e["title"] for e in entries(client.get("/feeds/due/"))] == [
        "Due for a verdict: Waiting."
    ]
    assert [e["title"] for e in entries(client.get("/feeds/verdicts/"))] == ["Incorrect: Judged."]


def test_it_scopes_feeds_to_one_outlet(client):
    ledger = OutletFactory(slug="ledger")
    ResolvedClaimFactory(statement="Ledger's.", article=ArticleFactory(outlet=ledger))
    ResolvedClaimFactory(statement="Someone else's.")

    titles = [e["title"] for e in entries(client.get("/outlets/ledger/feeds/verdicts/"))]

    assert titles == ["Correct: Ledger's."]
    assert client.get("/outlets/nobody/feeds/verdicts/").status_code == 404


def test_it_puts_one_event_per_deadline_in_the_calendar(client):
    claim = ClaimFactory(statement="Output doubles.", deadline=datetime.date(2027, 12, 31))
    ClaimFactory(deadline=None, deadline_text="", deadline_precision="")

    response = client.get("/calendar.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"claim-{claim.pk}@claim-registry"
    assert event.decoded("DTSTART") == datetime.date(2027, 12, 31)
    assert event.decoded("DTEND") == datetime.date(2028, 1, 1)
    assert str(event["SUMMARY"]) == "Deadline: Output doubles."
    assert str(event["URL"]) == f"http://testserver/claims/{claim.slug}/"


def test_it_keeps_an_events_uid_when_the_deadline_moves(client, editor):
    claim = ClaimFactory(deadline=datetime.date(2027, 12, 31))
    [before] = Calendar.from_ical(client.get("/calendar.ics").content).walk("VEVENT")

    claim.deadline = datetime.date(2028, 6, 30)
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")
    [after] = Calendar.from_ical(client.get("/calendar.ics").content).walk("VEVENT")

    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART") == datetime.date(2028, 6, 30)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_it_lists_public_pages_in_the_sitemap(client):
    claim = ClaimFactory()

    page = client.get("/sitemap.xml").content.decode()

    assert f"<loc>http://testserver/claims/{claim.slug}/</loc>" in page
    assert f"<loc>http://testserver/articles/{claim.article.slug}/</loc>" in page
    assert f"<loc>http://testserver/outlets/{claim.article.outlet.slug}/</loc>" in page


def test_it_points_robots_at_the_sitemap_and_away_from_the_admin(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Sitemap: http://testserver/sitemap.xml",
    ]


def test_it_shows_server_errors_in_the_sites_style(rf):
    response = server_error(rf.get("/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page and "/static/site.css" in page
