"""The editors' desk and the claim page as an editor works them (issue 15): only the actions
that apply, a reason for every moved deadline, dates that cannot be misread, editors told when
they get no email, short claim slugs."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from claims import lifecycle
from claims.models import Claim, Status, Transition
from tests.claims.test_admin import ADD_URL, change_url, form_data, new_claim_data
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTION_INPUTS = {
    "verdict": 'name="record_verdict"',
    "rationale": 'name="verdict_rationale"',
    "reopen": 'name="reopen_reason"',
}


def resolved_claim(**values) -> Claim:
    return ClaimFactory(
        status=Status.RESOLVED,
        verdict="correct",
        verdict_summary="Yes.",
        resolved_at="2026-01-01T00:00Z",
        **values,
    )


# --- The claim page shows only what applies -----------------------------------------------


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Status.OPEN, {"verdict", "rationale"}),
        (Status.DUE, {"verdict", "rationale"}),
        (Status.RESOLVED, {"reopen"}),
    ],
)
def test_the_claim_page_offers_only_the_lifecycle_actions_that_apply(editor_client, status, shown):
    claim = resolved_claim() if status == Status.RESOLVED else ClaimFactory(status=status)
    html = editor_client.get(change_url(claim)).content.decode()
    assert {name for name, tag in ACTION_INPUTS.items() if tag in html} == shown


def test_the_add_page_offers_no_lifecycle_action(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert not any(tag in html for tag in ACTION_INPUTS.values())


def test_a_verdict_typed_on_a_claim_resolved_meanwhile_is_refused_and_kept(editor_client, editor):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")
    data = form_data(editor_client.get(change_url(claim)))
    lifecycle.resolve_claim(
        claim=claim, verdict="correct", summary="Another editor's verdict.", by=None, via="admin"
    )
    data.update(record_verdict="incorrect", verdict_rationale="IFR 2025 report: 470 per 10,000.")

    response = editor_client.post(change_url(claim), data)

    # Refused as a stale save, with the verdict fields still shown with what was typed.
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Someone else changed this claim" in " ".join(form.non_field_errors())
    assert form["verdict_rationale"].value() == "IFR 2025 report: 470 per 10,000."
    assert 'name="verdict_rationale"' in response.content.decode()

    # Saving again on top: the verdict does not apply any more, and the field says so.
    response = editor_client.post(change_url(claim), form_data(response))
    form = response.context["adminform"].form
    assert "already resolved" in " ".join(form.errors["record_verdict"])
    assert form["verdict_rationale"].value() == "IFR 2025 report: 470 per 10,000."
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_summary) == ("correct", "Another editor's verdict.")


def test_a_reopen_reason_posted_for_a_claim_not_resolved_is_refused_at_the_field(editor_client):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")
    data = form_data(editor_client.get(change_url(claim)))
    data["reopen_reason"] = "The figure was revised."
    response = editor_client.post(change_url(claim), data)
    form = response.context["adminform"].form
    assert "Only a resolved claim can be reopened." in form.errors["reopen_reason"]
    assert form["reopen_reason"].value() == "The figure was revised."
    claim.refresh_from_db()
    assert claim.status == Status.DUE


# --- A moved deadline needs a reason --------------------------------------------------------


def test_moving_a_deadline_without_a_reason_is_refused_at_the_reason_field(editor_client):
    claim = ClaimFactory(deadline=datetime.date(2027, 12, 31))
    data = form_data(editor_client.get(change_url(claim)))
    data.update(deadline="2028-06-30", deadline_precision="day", statement="Edited wording.")

    response = editor_client.post(change_url(claim), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    [message] = form.errors["change_reason"]
    assert "moves from 2027-12-31 to 2028-06-30" in message and "say why" in message
    assert form["statement"].value() == "Edited wording."  # nothing typed is lost
    claim.refresh_from_db()
    assert (claim.deadline, claim.statement) == (datetime.date(2027, 12, 31), claim.statement)
    assert not Transition.objects.exists()
    assert "Required when the deadline moves" in form.fields["change_reason"].help_text


def test_horizon_words_that_move_the_deadline_need_a_reason_too(editor_client):
    article = ArticleFactory(published_on=datetime.date(2026, 3, 1))
    claim = ClaimFactory(article=article, deadline=datetime.date(2027, 12, 31))
    data = form_data(editor_client.get(change_url(claim)))
    data["deadline_text"] = "by 2028"
    response = editor_client.post(change_url(claim), data)
    assert "change_reason" in response.context["adminform"].form.errors

    data["change_reason"] = "The ministry moved the target to 2028."
    assert editor_client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.deadline == datetime.date(2028, 12, 31)
    assert "moved the target to 2028" in claim.transitions.get().reason


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (datetime.date(2027, 12, 31), {"deadline_text": "by the end of 2027"}),  # same date
        (None, {"deadline": "2027-12-31", "deadline_precision": "day"}),  # a first deadline
    ],
)
def test_a_deadline_that_does_not_move_needs_no_reason(editor_client, stored, typed):
    claim = ClaimFactory(
        article=ArticleFactory(published_on=datetime.date(2026, 3, 1)),
        deadline=stored,
        deadline_text="by 2027" if stored else "",
        deadline_precision="year" if stored else "",
    )
    data = form_data(editor_client.get(change_url(claim)))
    data.update(typed)
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert claim.deadline == datetime.date(2027, 12, 31)


# --- An editor who gets no email is told ----------------------------------------------------


def test_the_desk_names_the_editors_who_get_no_email(editor_client, editor):
    EditorFactory(username="noemail-colleague", email="")
    EditorFactory(username="reachable", email="reachable@example.org")
    UserFactory(username="not-an-editor", email="")
    assert editor.email == ""

    html = editor_client.get(reverse("admin:index")).content.decode()

    assert "Editors who get no notices (2)" in html
    assert "Your account has no email address" in html
    assert "noemail-colleague" in html and "editor" in html
    assert "reachable" not in html and "not-an-editor" not in html
    assert "create_editor USERNAME --email ADDRESS" in html


def test_the_desk_says_nothing_of_email_when_every_editor_has_an_address(editor_client, editor):
    editor.email = "editor@example.org"
    editor.save()
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "get no notices" not in html


# --- Dates cannot be misread -----------------------------------------------------------------


def test_dates_on_the_claim_page_are_shown_as_iso_with_the_format_beside_them(editor_client):
    claim = ClaimFactory(deadline=datetime.date(2026, 11, 12), deadline_precision="day")
    html = editor_client.get(change_url(claim)).content.decode()
    assert 'name="deadline" value="2026-11-12"' in html
    assert "12/11/2026" not in html
    assert 'placeholder="YYYY-MM-DD"' in html
    assert '<span class="registry-date-format">YYYY-MM-DD</span>' in html


@pytest.mark.parametrize("typed", ["12/11/2026", "11/12/2026", "12/11/26", "2026-13-01"])
def test_a_date_not_typed_as_iso_is_refused_with_the_format_and_nothing_is_lost(
    editor_client, typed
):
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))
    response = editor_client.post(
        ADD_URL, new_claim_data(article, deadline_text="", deadline=typed)
    )
    form = response.context["adminform"].form
    assert form.errors["deadline"] == [
        "Enter a valid date as YYYY-MM-DD: 2026-11-12 is 12 November 2026."
    ]
    assert form["deadline"].value() == typed and form["statement"].value()
    assert not Claim.objects.exists()


def test_an_iso_date_is_read_as_typed_on_the_claim_and_its_evidence(editor_client):
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))
    data = new_claim_data(article, deadline_text="", deadline="2026-11-12", made_on="2023-03-02")
    assert editor_client.post(ADD_URL, data).status_code == 302
    claim = Claim.objects.get()
    assert (claim.deadline, claim.made_on) == (
        datetime.date(2026, 11, 12),
        datetime.date(2023, 3, 2),
    )

    from tests.claims.test_admin import evidence_row

    data = evidence_row(
        form_data(editor_client.get(change_url(claim))),
        url="https://example.org/stats",
        title="Statistics",
        stance="supports",
        published_on="12/11/2026",
    )
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 200 and not claim.evidence.exists()
    data["evidence-0-published_on"] = "2026-11-12"
    assert editor_client.post(change_url(claim), data).status_code == 302
    assert claim.evidence.get().published_on == datetime.date(2026, 11, 12)


# --- The deadline preview ------------------------------------------------------------------

PREVIEW_URL = reverse("admin:claims_claim_deadline_preview")


def preview(client, **query):
    params = {"words": "", "date": "", "precision": "", "article": "", **query}
    return client.get(PREVIEW_URL, params)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"words": "by 2025", "words_changed": "1"}, "2025-12-31 (31 December 2025), to the year."),
        (
            {"words": "within two years", "words_changed": "1"},
            "2025-03-01 (1 March 2025), to the day.",
        ),
        (  # a date the editor typed wins over the words
            {"words": "by 2025", "date": "2024-06-30", "date_changed": "1"},
            "2024-06-30 (30 June 2024), to the day.",
        ),
        ({}, "No deadline."),
    ],
)
def test_the_deadline_preview_reads_the_words_as_a_save_would(editor_client, query, says):
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))
    response = preview(editor_client, article=str(article.pk), **query)
    assert response.status_code == 200, response.content
    assert response.json()["says"] == says
    assert not Claim.objects.exists() and not Transition.objects.exists()


def test_the_deadline_preview_matches_the_saved_deadline(editor_client):
    article = ArticleFactory(published_on=datetime.date(2026, 4, 30))
    shown = preview(
        editor_client,
        article=str(article.pk),
        words="over the next four quarters",
        words_changed="1",
    ).json()
    editor_client.post(
        ADD_URL, new_claim_data(article, deadline_text="over the next four quarters")
    )
    claim = Claim.objects.get()
    assert (shown["deadline"], shown["precision"]) == (
        claim.deadline.isoformat(),
        claim.deadline_precision,
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"words": "whenever the market allows", "words_changed": "1"}, 'Cannot read "whenever'),
        ({"words": "within two years", "words_changed": "1", "article": ""}, "publication date"),
        ({"date": "12/11/2026", "date_changed": "1"}, "Enter a valid date as YYYY-MM-DD"),
    ],
)
def test_the_deadline_preview_explains_what_it_cannot_read(editor_client, query, message):
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))
    response = preview(editor_client, **{"article": str(article.pk), **query})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_deadline_preview_is_for_editors_only(client):
    assert preview(client, words="by 2025").status_code == 302  # to the sign-in page
    client.force_login(UserFactory(username="staff-only", is_staff=True))
    assert preview(client, words="by 2025").status_code == 403


def test_the_claim_page_loads_the_preview_script_and_its_address(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert "claims-deadline-preview.js" in html
    assert f'data-preview-url="{PREVIEW_URL}"' in html


def test_create_editor_sets_the_address_notices_go_to(tmp_path):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from claims.jobs.notifications import editors, editors_without_email

    out = StringIO()
    call_command("create_editor", "local", stdout=out)
    user = get_user_model().objects.get(username="local")
    assert user.email == "" and "has no email address, so gets no notices" in out.getvalue()
    assert list(editors_without_email()) == [user] and not editors().exists()

    # Run again, as `make run` does on every start, now with an address: the account gets it.
    out = StringIO()
    call_command("create_editor", "local", "--email", "local@localhost", stdout=out)
    user.refresh_from_db()
    assert user.email == "local@localhost" and "no email address" not in out.getvalue()
    assert list(editors()) == [user] and not editors_without_email().exists()

    call_command("create_editor", "local", stdout=StringIO())  # no --email: the address stays
    user.refresh_from_db()
    assert user.email == "local@localhost"


def test_make_run_gives_the_local_editor_an_address():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    commands = subprocess.run(
        ["make", "-n", "run"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.replace("\\\n", " ")
    [line] = [line for line in commands.splitlines() if "create_editor editor" in line]
    assert '--email "editor@localhost"' in line


# --- Short claim slugs, one rule for the admin and the API ------------------------------------

LONG_STATEMENT = (
    "By the end of 2020, China builds a national quality infrastructure based on measurement, "
    "standards and certification."
)


def test_a_claim_slug_is_short_and_made_of_the_statements_words():
    from claims.slugs import MAX_LENGTH, claim_slug

    slug = claim_slug(LONG_STATEMENT)
    assert slug == "end-2020-china-builds-national-quality"
    assert len(slug) <= MAX_LENGTH
    assert claim_slug("Chip output doubles.") == "chip-output-doubles"
    assert claim_slug("The end.") == "end"
    assert claim_slug("Of the.") == "of-the"  # nothing but little words: keep them
    assert claim_slug("¿?") == "claim"
    assert claim_slug("x" * 80) == "x" * MAX_LENGTH


def test_the_admin_makes_the_slug_of_a_claim_left_without_one_by_the_apis_rule(editor_client):
    from claims.slugs import claim_slug

    article = ArticleFactory(published_on=datetime.date(2017, 9, 1))
    ClaimFactory(slug=claim_slug(LONG_STATEMENT))
    html = editor_client.get(ADD_URL).content.decode()
    assert "prepopulated" not in html.split('id="id_slug"')[1][:200]  # no script copies it
    data = new_claim_data(article, statement=LONG_STATEMENT, slug="")

    assert editor_client.post(ADD_URL, data).status_code == 302

    claim = Claim.objects.get(statement=LONG_STATEMENT)
    assert claim.slug == "end-2020-china-builds-national-quality-2"


def test_the_api_makes_the_same_slug(editor):
    from tests.api.conftest import token_client

    article = ArticleFactory(published_on=datetime.date(2017, 9, 1))
    response = token_client(editor).post(
        "/api/v1/claims/",
        {
            "article": article.id,
            "statement": LONG_STATEMENT,
            "quote": "By 2020, China intends to build a national quality infrastructure.",
            "kind": "target",
            "deadline_text": "by 2020",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "end-2020-china-builds-national-quality"


# --- Outlets: the name first, and editors' notes apart from it --------------------------------


def test_the_outlet_form_asks_for_the_name_first_and_fills_the_slug_from_it(editor_client):
    import json
    import re

    html = editor_client.get(reverse("admin:registry_outlet_add") + "?_popup=1").content.decode()
    assert html.index('name="name"') < html.index('name="slug"') < html.index('name="note"')
    [config] = re.findall(r'data-prepopulated-fields="([^"]*)"', html)
    [slug] = json.loads(config.replace("&quot;", '"'))
    assert (slug["id"], slug["dependency_ids"]) == ("#id_slug", ["#id_name"])


def test_the_seed_outlets_have_their_notes_apart_from_their_names():
    from claims.seeding import load_registry
    from registry.models import Outlet

    load_registry()
    briefing = Outlet.objects.get(slug="the-robotics-briefing")
    assert briefing.name == "The Robotics Briefing"
    assert "the site's name is not given in the text" in briefing.note
    pivot = Outlet.objects.get(slug="stale-pivot")
    assert (pivot.name, pivot.url) == ("Stale Pivot", "https://stalepivot.com/")
    assert "stalepivot.com" in pivot.note
    assert not Outlet.objects.filter(name__contains="not given").exists()


def test_the_migration_splits_the_notes_from_the_names_loaded_from_the_earlier_seed():
    import importlib

    from django.apps import apps

    from registry.models import Outlet

    migration = importlib.import_module("registry.migrations.0004_outlet_note")
    for slug, (seeded, _name, _note) in migration.SPLIT.items():
        Outlet.objects.create(slug=slug, name=seeded)
    Outlet.objects.create(slug="renamed", name="An editor's own name (kept)")

    migration.split_notes_from_names(apps, None)

    assert dict(Outlet.objects.values_list("slug", "name")) == {
        "the-robotics-briefing": "The Robotics Briefing",
        "stale-pivot": "Stale Pivot",
        "renamed": "An editor's own name (kept)",
    }
    migration.join_notes_to_names(apps, None)
    assert Outlet.objects.get(slug="stale-pivot").name == "Stale Pivot (stalepivot.com)"
