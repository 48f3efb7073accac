"""The intake pages in real Chromium at 1280 px, under the site's Content-Security-Policy:
paste an article, confirm what was read, review the proposals (Preview shows the deadline of
the words typed), accept two and reject one; axe-core finds nothing serious on the way."""

from __future__ import annotations

import pytest

from claims.models import Claim, Proposal, Transition
from registry.models import Article
from tests.e2e.conftest import DESKTOP
from tests.e2e.test_reader_site import serious_violations
from tests.e2e.test_security_headers import PASSWORD, WATCH, is_policy_error, violations
from tests.factories import OutletFactory, UserFactory

ENERGY_PLAN = """The national energy plan
2024-03-01
The plan sets these goals for 2028:
- Raise the share of renewables in power generation to 40%
- Cut coal consumption by 10% from 2023 levels
- Build 30 new pumped-storage plants
<script>document.title = "injected"</script> Officials said the goals were agreed in January.
"""


@pytest.fixture
def signed_in(browser, live_server, transactional_db):
    # The browser tests flush the database, the Editors group with it: a superuser edits here.
    editor = UserFactory(username="desk", is_staff=True, is_superuser=True)
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if is_policy_error(m) else None)
    page.goto("/admin/login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    yield page, problems, editor
    context.close()


def test_an_editor_brings_in_an_article_and_reviews_its_claims(signed_in, axe_script):
    page, problems, editor = signed_in
    outlet = OutletFactory(name="Energy Desk")

    page.goto("/admin/registry/article/")
    page.click("text=Add an article from its text")
    assert serious_violations(page, axe_script) == []
    page.fill("#id_text", ENERGY_PLAN)
    page.click("input[name=_read]")
    # What was read is shown to confirm: the title and date from the text.
    assert page.input_value("#id_title") == "The national energy plan"
    assert page.input_value("#id_published_on") == "2024-03-01"
    page.select_option("#id_outlet", str(outlet.pk))
    page.click("input[name=_create]")
    page.wait_for_url("**/proposals/")
    article = Article.objects.get()

    # The review: three proposals, each quote highlighted in the text, the text escaped.
    assert page.locator("fieldset.intake-proposal").count() == 3
    assert page.locator(".intake-text mark").count() == 3
    assert page.title() != "injected"
    assert "<script>" in page.locator(".intake-text").inner_text()
    assert serious_violations(page, axe_script) == []
    assert (violations(page), problems) == ([], [])

    renewables, coal, plants = article.proposals.order_by("position")
    page.fill(f"#id_p{coal.pk}-deadline_text", "within two years")
    page.click("input[name=_preview]")
    deadline = page.locator("#proposal-2 .intake-deadline")
    assert "1 March 2026" in deadline.inner_text()

    page.fill(f"#id_p{renewables.pk}-statement", "Renewables supply 40% of power by 2028.")
    page.check(f"#id_p{renewables.pk}-selected")
    page.check(f"#id_p{coal.pk}-selected")
    page.click("input[name=_accept]")
    page.wait_for_selector("text=2 claims created.")
    assert page.locator("fieldset.intake-proposal").count() == 1
    page.check(f"#id_p{plants.pk}-selected")
    page.click("input[name=_reject]")
    page.wait_for_selector("text=1 proposals rejected.")
    assert serious_violations(page, axe_script) == []

    claims = Claim.objects.filter(article=article)
    assert "Renewables supply 40% of power by 2028." in {c.statement for c in claims}
    assert claims.count() == 2
    assert {(t.via, t.by_id) for t in Transition.objects.filter(claim__in=claims)} == {
        ("intake", editor.pk)
    }
    assert Proposal.objects.get(pk=plants.pk).state == Proposal.State.REJECTED

    page.click("input[name=_propose]")  # a re-run proposes none of them again
    page.wait_for_selector("text=0 new claims proposed.")
    assert page.locator("fieldset.intake-proposal").count() == 0

    page.goto(f"/admin/registry/article/{article.pk}/change/")
    assert page.locator(".intake-claims tbody tr").count() == 2
    assert serious_violations(page, axe_script) == []
    assert (violations(page), problems) == ([], [])
