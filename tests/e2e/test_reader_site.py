"""The reader site in a real browser: a reader's journey, accessibility, phone widths, looks."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS

PAGE_TYPES = {
    "home": "/",
    "claim list": "/claims/?status=open",
    "judged claim": "/claims/output-grows-6-pct-2025/",
    "due claim": "/claims/robot-density-mid-2026/",
    "article": "/articles/output-2026/",
    "outlet": "/outlets/ledger/",
    "claimant": "/claimants/ministry/",
    "not found": "/claims/no-such-claim/",
}


def test_it_takes_a_reader_from_home_through_a_filter_to_a_claim_and_its_article(
    reader_registry, open_page
):
    page = open_page("/")
    assert page.locator("h1").inner_text() == "The claim registry"
    assert page.locator("svg[role=img] title").text_content().startswith("Deadlines by year")

    page.get_by_role("link", name="Browse all 7 claims").click()
    page.wait_for_url("**/claims/")
    page.get_by_label("Status").select_option(label="Resolved")
    page.get_by_role("button", name="Show claims").click()
    page.wait_for_url("**/claims/?*status=resolved*")
    results = page.locator(".claim-list .claim-link")
    assert results.all_inner_texts() == ["Industrial output grows by 6% in 2025."]

    results.first.click()
    page.wait_for_url("**/claims/output-grows-6-pct-2025/")
    assert "31 December 2025, to the year" in page.locator(".facts").inner_text()
    review = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Industrial output grows by 6% in 2025."
    assert review["reviewRating"]["alternateName"] == "Incorrect"
    assert review["itemReviewed"]["author"]["name"] == "Ministry of Industry"
    assert review["itemReviewed"]["appearance"]["url"] == "https://ledger.example.org/output-2026"
    assert review["url"] == page.url and review["datePublished"] == "2026-11-24"
    # Each piece of evidence links its page (and, in its link-health line, the archive's copy).
    evidence = page.locator(".evidence-list > li > a")
    assert evidence.count() == 3
    assert {evidence.nth(i).get_attribute("rel") for i in range(3)} == {"nofollow noopener"}
    assert page.locator(".evidence-list .link-health").count() == 3

    page.get_by_role("link", name="Output in 2026: what the ministry promised").click()
    page.wait_for_url("**/articles/output-2026/")
    assert page.locator("h1").inner_text() == "Output in 2026: what the ministry promised"
    assert page.locator(".claim-list .claim-item").count() == 7


def serious_violations(page, axe_script) -> list[str]:
    # Evaluated by the browser's debugging protocol: a <script> tag would be inline script,
    # which the site's Content-Security-Policy refuses (tests/e2e/test_security_headers.py).
    page.evaluate(axe_script.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_it_is_accessible_and_fits_a_phone_in_light_and_dark(
    reader_registry, open_page, axe_script, name
):
    desktop_light = open_page(PAGE_TYPES[name], viewport=DESKTOP, color_scheme="light")
    assert serious_violations(desktop_light, axe_script) == []

    phone_dark = open_page(PAGE_TYPES[name], viewport=PHONE, color_scheme="dark")
    assert serious_violations(phone_dark, axe_script) == []
    # No sideways scrolling at 390 px.
    assert phone_dark.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_it_can_be_used_by_keyboard_from_the_skip_link(reader_registry, open_page):
    page = open_page("/")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_it_renders_screenshots_for_review_on_desktop_and_phone_in_light_and_dark(
    reader_registry, open_page
):
    """Writes var/screenshots/*.png, to look at after a change to templates or styles."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    backgrounds = {"light": "rgb(251, 250, 247)", "dark": "rgb(20, 21, 23)"}
    for color_scheme, background in backgrounds.items():
        for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = open_page("/", viewport=viewport, color_scheme=color_scheme)
            for name in ("home", "judged claim", "claim list", "outlet"):
                page.goto(PAGE_TYPES[name])
                path = SCREENSHOTS / f"{name.replace(' ', '-')}-{width_name}-{color_scheme}.png"
                page.screenshot(path=str(path), full_page=width_name == "desktop")
                assert path.stat().st_size > 10_000
                assert page.evaluate("getComputedStyle(document.body).backgroundColor") == (
                    background
                )
