"""Every kind of page works in Chromium under the site's Content-Security-Policy: the reader
site, the admin (signed in, with its scripts), DRF's browsable API and Swagger UI at /api/docs/.
A violation shows as a `securitypolicyviolation` event and a console error; both are watched."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI || "inline"}`);
});
"""
PASSWORD = "correct horse battery staple"


@pytest.fixture
def watched(browser, live_server):
    """watched() -> (page, problems): a page whose CSP violations and console errors are kept."""
    contexts = []

    def open_():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.add_init_script(WATCH)
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda message: problems.append(message.text) if is_policy_error(message) else None,
        )
        return page, problems

    yield open_
    for context in contexts:
        context.close()


def is_policy_error(message) -> bool:
    # Not a missing favicon: a refusal under the CSP, or a header Chromium could not read.
    return message.type in ("error", "warning") and any(
        words in message.text
        for words in (
            "Content Security Policy",
            "Refused to",
            "Permissions-Policy",
            "Permissions policy",
        )
    )


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 400, f"{path}: {response.status}"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/claims/?status=open",
        "/claims/output-grows-6-pct-2025/",
        "/articles/output-2026/",
        "/outlets/ledger/",
        "/admin/login/",
    ],
)
def test_reader_pages_run_under_the_policy(reader_registry, watched, path):
    page, problems = watched()
    visit(page, path)
    assert violations(page) == [] and problems == []


def test_the_admin_runs_under_the_policy_signed_in(reader_registry, watched):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    page, problems = watched()
    visit(page, "/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    claim = reader_registry["judged"]
    for path in [
        "/admin/",
        "/admin/claims/claim/",
        f"/admin/claims/claim/{claim.pk}/change/",
        "/admin/claims/claim/add/",
        "/admin/axes/accessattempt/",
    ]:
        visit(page, path)
        assert (path, violations(page), problems) == (path, [], [])
    # The admin's own scripts ran: the sidebar toggle and the date shortcuts exist.
    page.goto("/admin/claims/claim/add/")
    page.wait_for_selector(".datetimeshortcuts")
    assert violations(page) == [] and problems == []


def test_the_browsable_api_runs_under_the_policy(reader_registry, watched):
    page, problems = watched()
    visit(page, "/api/v1/claims/")
    assert page.locator(".response-info").count() == 1
    page.click("button[data-target='#filtersModal']")  # Bootstrap's script ran
    page.wait_for_selector("#filtersModal.in")
    assert violations(page) == [] and problems == []


def test_swagger_ui_runs_under_the_policy(reader_registry, watched):
    page, problems = watched()
    visit(page, "/api/docs/")
    page.wait_for_selector(".opblock-summary-path")  # Swagger UI rendered the schema
    assert page.locator(".opblock").count() > 5
    assert violations(page) == [] and problems == []
