"""Browser tests: Debian's Chromium driven by Playwright (from PyPI), axe-core from npm.

Locally a missing Chromium or node_modules skips these tests with the reason; under CI (the
CI variable set) it fails them, so a green CI run always means the browser tests ran.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from claims import lifecycle
from claims.models import ClaimantType, Evidence, Kind, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OutletFactory,
    TopicFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TODAY = datetime.date(2026, 11, 24)


def require(present: bool, reason: str) -> None:
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} CI must run the browser tests: see .ci/run.", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)


# Per module, not per session: while Playwright runs, the environment variable below is set,
# and it must not outlive the browser tests (a subprocess's `check --deploy` refuses it).
@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt installs it
        require(
            False, "The playwright package is not installed (pip install -r requirements-dev.txt)."
        )
    # Playwright's sync API keeps an event loop in this thread; the test's own database work
    # (factories) is still plain synchronous code, so Django's guard can stand down.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def axe_script() -> Path:
    require(AXE.exists(), f"{AXE.relative_to(ROOT)} is missing (run `npm ci`).")
    return AXE


@pytest.fixture
def open_page(browser, live_server):
    """open_page(path, viewport=..., color_scheme=...) -> a Playwright page at that path."""
    contexts = []

    def open_(path: str, *, viewport=DESKTOP, color_scheme="light"):
        context = browser.new_context(
            viewport=viewport, color_scheme=color_scheme, base_url=live_server.url
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(path)
        assert response is not None and response.status < 500, f"{path}: {response.status}"
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def reader_registry(transactional_db, frozen_today):
    """A small registry through the real lifecycle: judged, due and open claims."""
    # A plain user: the browser tests flush the database, Editors group (a data migration) too.
    editor = UserFactory(username="e2e-editor")
    outlet = OutletFactory(
        slug="ledger", name="The Daily Ledger", url="https://ledger.example.org/"
    )
    article = ArticleFactory(
        slug="output-2026",
        outlet=outlet,
        title="Output in 2026: what the ministry promised",
        authors="A. Writer",
        url="https://ledger.example.org/output-2026",
        published_on=datetime.date(2024, 4, 1),
        published_precision="month",
    )
    ministry = EntityFactory(slug="ministry", name="Ministry of Industry")
    topic = TopicFactory(slug="manufacturing", name="Manufacturing")

    def create(**values):
        claim = ClaimFactory.build(article=article, made_on=article.published_on, **values)
        lifecycle.create_claim(claim=claim, topics=[topic], via="seed", today=TODAY)
        return claim

    judged = create(
        slug="output-grows-6-pct-2025",
        statement="Industrial output grows by 6% in 2025.",
        quote="Output will grow by six per cent next year, the ministry said.",
        claimant_type=ClaimantType.REPORTED,
        claimant=ministry,
        kind=Kind.TARGET,
        deadline=datetime.date(2025, 12, 31),
        deadline_text="by 2025",
        deadline_precision="year",
        resolution_criteria="Correct if the statistics office reports growth of 6% or more.",
    )
    judged.about.add(ministry)
    for stance, title in [
        (Evidence.Stance.REFUTES, "Annual industrial statistics 2025: output up 4.1%"),
        (Evidence.Stance.SUPPORTS, "Ministry: the 6% target is within reach"),
        (Evidence.Stance.CONTEXT, "Why output statistics were revised in 2025"),
    ]:
        EvidenceFactory(claim=judged, stance=stance, title=title, publisher="Statistics office")
    lifecycle.resolve_claim(
        claim=judged,
        verdict=Verdict.INCORRECT,
        summary="Output grew by 4.1% in 2025 according to the statistics office, short of 6%.",
        by=editor,
        via="admin",
    )
    create(
        slug="robot-density-mid-2026",
        statement="Robot density passes 500 per 10,000 workers by mid-2026.",
        quote="We expect robot density to pass 500 by the middle of 2026.",
        deadline=datetime.date(2026, 6, 30),
        deadline_text="by mid-2026",
        deadline_precision="month",
    )
    for n, days in enumerate([20, 60, 200, 400, 800]):
        create(
            slug=f"open-claim-{n}",
            statement=f"Factory investment target number {n} is met on time.",
            quote="The plan sets a target for factory investment.",
            claimant_type=ClaimantType.REPORTED,
            claimant=ministry,
            deadline=TODAY + datetime.timedelta(days=days),
            deadline_text="within the plan period",
            deadline_precision="day",
        )
    return {"judged": judged, "article": article, "outlet": outlet, "claimant": ministry}
