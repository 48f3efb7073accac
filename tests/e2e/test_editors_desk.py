"""The editors' desk in a real browser: the due queue and the claim list fit a laptop and a
phone without sideways scrolling, in light and dark, with no serious axe-core finding, under
the Content-Security-Policy; the deadline preview shows the date before saving."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from claims import lifecycle
from claims.models import Claim
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.e2e.test_reader_site import serious_violations
from tests.e2e.test_security_headers import PASSWORD, WATCH, is_policy_error
from tests.factories import UserFactory

TODAY = datetime.date(2026, 11, 24)
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def seeded_desk(transactional_db, frozen_today):
    """The seed registry (long statements and titles, as editors see them), with the claims
    past their deadline flagged due, and an editor to sign in as."""
    call_command("seed_registry", verbosity=0)
    lifecycle.flag_due_claims(today=TODAY)
    assert Claim.objects.due().count() > 5
    # A superuser: the browser tests flush the database, the Editors group (a migration) too.
    UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def signed_in(browser, live_server):
    """signed_in(viewport, color_scheme) -> (page, problems): an editor's page, CSP watched."""
    contexts = []

    def open_(viewport=DESKTOP, color_scheme="light"):
        context = browser.new_context(
            viewport=viewport, color_scheme=color_scheme, base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        context.add_init_script(WATCH)
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if is_policy_error(m) else None)
        page.goto("/admin/login/")
        page.fill("#id_username", "root")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        return page, problems

    yield open_
    for context in contexts:
        context.close()


def overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


def widest_table(page) -> tuple[int, int]:
    """The widest table's own scroll width against its box: a table that scrolls inside a
    container fits the page but not the editor."""
    return page.evaluate(
        """[...document.querySelectorAll('#content table')]
           .map(t => [t.scrollWidth, t.parentElement.clientWidth])
           .reduce((a, b) => (b[0] - b[1] > a[0] - a[1] ? b : a), [0, 0])"""
    )


def serious_violations_outside_djangos_widgets(page, axe_script) -> list[str]:
    """axe-core on the claim page, leaving out the widgets Django ships as they are: select2
    (the autocomplete fields) and the two-box topic selector have serious findings of their
    own (unlabelled select2 combobox and search field, a tooltip's aria on a label), which are
    Django's, not this page's."""
    page.evaluate(axe_script.read_text())
    result = page.evaluate(
        "async () => await axe.run({exclude: [['.select2-container'], ['.selector']]})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def median_row_height(page, selector: str) -> float:
    heights = sorted(
        page.evaluate(
            f"[...document.querySelectorAll('{selector}')]"
            ".map(r => r.getBoundingClientRect().height)"
        )
    )
    return heights[len(heights) // 2]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("width_name", VIEWPORTS)
def test_the_desk_and_the_claim_list_fit_the_screen_and_pass_axe(
    seeded_desk, signed_in, axe_script, width_name, color_scheme
):
    page, problems = signed_in(VIEWPORTS[width_name], color_scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in [("desk", "/admin/"), ("claim-list", "/admin/claims/claim/")]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        scroll_width, inner_width = overflow(page)
        shot = SCREENSHOTS / f"admin-{name}-{width_name}-{color_scheme}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert scroll_width <= inner_width, (name, scroll_width, inner_width)
        table_width, box_width = widest_table(page)
        assert table_width <= box_width, (name, table_width, box_width)
        assert serious_violations(page, axe_script) == [], name
    # Rows an editor can scan: about 200 px tall before, in a 631 px wide list.
    assert median_row_height(page, "#result_list tbody tr") <= (
        70 if width_name == "desktop" else 130
    )
    assert page.evaluate("window.__cspViolations") == [] and problems == []


def test_the_claim_page_previews_the_deadline_as_the_words_are_typed(
    seeded_desk, signed_in, axe_script
):
    claim = (
        Claim.objects.select_related("article")
        .filter(article__published_precision="day", status="due")
        .first()
    )
    published = claim.article.published_on
    page, problems = signed_in(DESKTOP)
    page.goto(f"/admin/claims/claim/{claim.pk}/change/")
    preview = page.locator("#deadline-preview")
    preview.wait_for()

    page.fill("#id_deadline_text", "within two years")
    expected = published.replace(year=published.year + 2).isoformat()
    page.wait_for_function(
        "expected => document.getElementById('deadline-preview').textContent.includes(expected)",
        arg=expected,
    )
    assert preview.inner_text().startswith(f"Deadline on save: {expected} (")
    assert "to the day" in preview.inner_text()

    page.fill("#id_deadline_text", "whenever the market allows")
    page.wait_for_function(
        "() => document.getElementById('deadline-preview').textContent.includes('Cannot read')"
    )
    assert "registry-error" in preview.get_attribute("class")
    assert Claim.objects.get(pk=claim.pk).deadline == claim.deadline  # nothing was saved

    # The calendar's "Today" writes the one format the form reads (the jsi18n formats). The
    # browser's clock is its own (the frozen date is the server's).
    page.locator("#id_deadline").fill("")
    page.locator("#id_deadline ~ .datetimeshortcuts a", has_text="Today").click()
    browser_today = page.evaluate(
        "(() => { const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()]"
        ".map((n, i) => String(n).padStart(i ? 2 : 4, '0')).join('-'); })()"
    )
    assert page.locator("#id_deadline").input_value() == browser_today
    page.locator("#id_deadline_precision").select_option("day")
    page.wait_for_function(
        "day => document.getElementById('deadline-preview').textContent.includes(day)",
        arg=browser_today,
    )
    page.screenshot(path=str(SCREENSHOTS / "admin-claim-deadline-preview-desktop-light.png"))
    assert serious_violations_outside_djangos_widgets(page, axe_script) == []
    assert page.evaluate("window.__cspViolations") == [] and problems == []


def test_the_outlet_pop_up_starts_at_the_name_and_fills_the_slug(seeded_desk, signed_in):
    page, problems = signed_in(DESKTOP)
    page.goto("/admin/registry/outlet/add/?_popup=1")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "id_name"
    page.keyboard.type("The Daily Ledger")
    assert page.locator("#id_slug").input_value() == "the-daily-ledger"
    assert page.evaluate("window.__cspViolations") == [] and problems == []
