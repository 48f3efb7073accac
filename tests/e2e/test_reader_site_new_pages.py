"""The pages of issue 15 in real Chromium: at 1,280 and 390 px, light and dark, axe-core with no
serious finding, no sideways scrolling; screenshots under var/screenshots/."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.e2e.test_reader_site import serious_violations

NEW_PAGES = {
    "outlets": "/outlets/",
    "articles": "/articles/",
    "claimants": "/claimants/",
    "how-we-judge": "/how-we-judge/",
    "open-data": "/data/",
    "embed": "/claims/output-grows-6-pct-2025/embed/",
    "claim-extras": "/claims/output-grows-6-pct-2025/",
    "due-list": "/claims/?status=due",
}
LOOKS = [
    ("desktop", DESKTOP, "light"),
    ("desktop", DESKTOP, "dark"),
    ("phone", PHONE, "light"),
    ("phone", PHONE, "dark"),
]


@pytest.mark.parametrize("name", NEW_PAGES)
def test_each_new_page_is_accessible_and_fits_in_light_and_dark(
    reader_registry, open_page, axe_script, name
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width_name, viewport, color_scheme in LOOKS:
        page = open_page(NEW_PAGES[name], viewport=viewport, color_scheme=color_scheme)
        assert serious_violations(page, axe_script) == [], (name, width_name, color_scheme)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (name, width_name, width)
        path = SCREENSHOTS / f"new-{name}-{width_name}-{color_scheme}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5_000


def test_a_reader_reports_an_error_without_an_account(reader_registry, open_page):
    from claims.models import ErrorReport

    page = open_page("/claims/output-grows-6-pct-2025/")
    # The honeypot is there for robots, not on screen for people.
    box = page.locator("#id_website").bounding_box()
    assert box is None or box["x"] < -1000
    page.get_by_label("What is wrong?").fill("The growth figure was revised to 4.3%.")
    page.get_by_label("Your email address (optional)").fill("reader@example.org")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_selector("text=Thank you")
    report = ErrorReport.objects.get()
    assert report.email == "reader@example.org" and "4.3%" in report.message


def test_the_filter_form_leaves_no_empty_fields_in_the_address(reader_registry, open_page):
    page = open_page("/claims/")
    page.get_by_label("Status").select_option(label="Due for a verdict")
    page.get_by_role("button", name="Show claims").click()
    page.wait_for_url("**/claims/?status=due*")
    assert page.url.endswith("/claims/?status=due&ordering=deadline")
    current = page.locator('nav[aria-label="Main"] [aria-current="page"]')
    assert current.inner_text() == "Due for a verdict"


def test_a_claim_page_prints_without_navigation_or_forms(reader_registry, open_page):
    page = open_page("/claims/output-grows-6-pct-2025/")
    page.emulate_media(media="print")
    assert page.locator(".claim-extras").is_hidden()
    assert page.locator(".site-header nav").is_hidden()
    assert page.locator(".verdict-box").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SCREENSHOTS / "claim-print.pdf"))
