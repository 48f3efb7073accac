from __future__ import annotations

import datetime
import re

import pytest

from claims.models import Verdict
from reader.timeline import deadline_timeline
from tests.factories import ClaimFactory, DueClaimFactory, ResolvedClaimFactory

pytestmark = pytest.mark.django_db


def test_it_shows_counts_by_status_and_verdict(client):
    ClaimFactory()
    DueClaimFactory.create_batch(2)
    ResolvedClaimFactory(verdict=Verdict.INCORRECT)

    response = client.get("/")

    record = response.context["record"]
    assert (record.total, record.open, record.due, record.incorrect) == (4, 1, 2, 1)
    page = response.content.decode()
    assert "Browse all 4 claims" in page
    assert re.search(r"Incorrect</th><td class=\"num\">1</td>", page)


def test_it_lists_claims_due_coming_due_and_recently_judged(client, frozen_today):
    DueClaimFactory(statement="Waiting for a verdict.")
    ClaimFactory(statement="Due next month.", deadline=frozen_today + datetime.timedelta(days=30))
    ClaimFactory(statement="Due in a year.", deadline=frozen_today + datetime.timedelta(days=365))
    ResolvedClaimFactory(statement="Just judged.")

    response = client.get("/")

    assert [c.statement for c in response.context["due_claims"]] == ["Waiting for a verdict."]
    assert [c.statement for c in response.context["coming_due"]] == ["Due next month."]
    assert [c.statement for c in response.context["recent_verdicts"]] == ["Just judged."]


def test_it_draws_the_deadline_timeline_as_accessible_svg(client, frozen_today):
    ClaimFactory(deadline=datetime.date(2027, 12, 31))
    ClaimFactory(deadline=datetime.date(2027, 6, 30))
    DueClaimFactory(deadline=datetime.date(2025, 12, 31))

    page = client.get("/").content.decode()

    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img" aria-labelledby="timeline-title timeline-desc"' in svg
    assert '<title id="timeline-title">Deadlines by year, 2025 to 2027</title>' in svg
    assert "2027: 2 (2 open)" in svg and "2025: 1 (1 due for a verdict)" in svg
    assert svg.count('class="seg-open"') == 1 and svg.count('class="seg-due"') == 1
    assert "The timeline as a table" in page


def test_it_scales_the_timeline_bars_to_the_busiest_year(frozen_today):
    ClaimFactory.create_batch(4, deadline=datetime.date(2027, 12, 31))
    ClaimFactory(deadline=datetime.date(2028, 12, 31))

    timeline = deadline_timeline(frozen_today)

    heights = {bar.year: sum(s.height for s in bar.segments) for bar in timeline.bars}
    assert [bar.year for bar in timeline.bars] == [2026, 2027, 2028]
    assert heights[2026] == 0 and heights[2027] == pytest.approx(4 * heights[2028], abs=0.2)
    assert timeline.bars[0].x < timeline.today_x < timeline.bars[1].x


def test_it_shows_no_timeline_for_an_empty_registry(client):
    page = client.get("/").content.decode()
    assert "<svg" not in page and "Browse all 0 claims" in page
