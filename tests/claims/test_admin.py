"""The editors' admin, driven through real requests as an editor of the Editors group."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from claims.models import Claim, Evidence, Status, Transition
from tests.factories import ArticleFactory, ClaimFactory, EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:claims_claim_add")


def change_url(claim: Claim) -> str:
    return reverse("admin:claims_claim_change", args=[claim.pk])


def form_data(response) -> dict:
    """The POST body a browser would send for the admin form in `response`, unchanged."""
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(value, datetime.date):
                data[key] = value.isoformat()
            else:
                data[key] = str(value) if value is not True else "on"

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    return data


def evidence_row(data: dict, **fields) -> dict:
    index = int(data["evidence-TOTAL_FORMS"])
    data["evidence-TOTAL_FORMS"] = str(index + 1)
    data.update({f"evidence-{index}-{name}": value for name, value in fields.items()})
    return data


def new_claim_data(article, **overrides) -> dict:
    data = {
        "statement": "China reaches 492 industrial robots per 10,000 manufacturing workers.",
        "slug": "robot-density-492",
        "kind": "target",
        "quote": "reach 492 robots per ten thousand manufacturing workers by 2025",
        "article": article.pk,
        "made_on": "",
        "claimant_type": "outlet",
        "deadline_text": "by 2025",
        "deadline": "",
        "deadline_precision": "",
        "change_reason": "",
        "loaded_version": "",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_the_first_page_an_editor_sees_is_the_queue_of_claims_due(editor_client):
    due = ClaimFactory(
        statement="Foundry merger announced.", status=Status.DUE, due_since="2026-01-01T00:00Z"
    )
    ClaimFactory(statement="Still open claim.")
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Due for a verdict (1)" in html
    assert change_url(due) in html
    assert "Still open claim." not in html


def test_an_editor_adds_a_claim_and_the_horizon_words_become_its_deadline(editor_client, editor):
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))
    response = editor_client.post(
        ADD_URL, new_claim_data(article, deadline_text="within two years")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim = Claim.objects.get(slug="robot-density-492")
    assert (claim.deadline, claim.deadline_precision, claim.made_on) == (
        datetime.date(2025, 3, 1),
        "day",
        datetime.date(2023, 3, 1),
    )
    assert claim.status == Status.DUE  # its deadline has passed already
    created = claim.transitions.get()
    assert (created.action, created.by, created.via) == ("created", editor, "admin")


def test_a_typed_date_wins_over_the_horizon_words(editor_client):
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))
    data = new_claim_data(article, deadline_text="soon, says the ministry", deadline="2024-06-30")
    assert editor_client.post(ADD_URL, data).status_code == 302
    claim = Claim.objects.get()
    assert (claim.deadline, claim.deadline_precision, claim.deadline_text) == (
        datetime.date(2024, 6, 30),
        "day",
        "soon, says the ministry",
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"deadline_text": "whenever the market allows"},
            "deadline_text",
            'Cannot read "whenever the market allows"',
        ),
        (
            {"deadline_text": "", "deadline": "2022-01-01", "made_on": "2023-03-01"},
            None,
            "deadline cannot be before",
        ),
        ({"deadline_text": "", "deadline": "2025-02-30"}, "deadline", "Enter a valid date"),
        ({"statement": ""}, "statement", "This field is required"),
        ({"claimant_type": "reported"}, None, "reported claim names its claimant"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(
    editor_client, overrides, field, message
):
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))
    response = editor_client.post(ADD_URL, new_claim_data(article, **overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(field or "__all__", [])), errors
    assert not Claim.objects.exists() and not Transition.objects.exists()
    # What the editor typed is still in the form.
    assert response.context["adminform"].form["quote"].value() == new_claim_data(article)["quote"]


def test_the_unknown_phrase_message_lists_what_is_understood(editor_client):
    response = editor_client.post(ADD_URL, new_claim_data(ArticleFactory(), deadline_text="anon"))
    [message] = response.context["adminform"].form.errors["deadline_text"]
    assert (
        '"by 2025"' in message
        and '"within two years"' in message
        and "type the deadline date" in message
    )


def test_an_editor_records_a_verdict_with_its_rationale_from_the_claim_page(editor_client, editor):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")
    data = form_data(editor_client.get(change_url(claim)))
    data.update(record_verdict="incorrect", verdict_rationale="IFR 2025 report: 470 per 10,000.")
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.verdict, claim.verdict_summary, claim.resolved_by) == (
        "resolved",
        "incorrect",
        "IFR 2025 report: 470 per 10,000.",
        editor,
    )
    assert claim.transitions.get().action == "resolved"


def test_a_verdict_without_rationale_is_refused_and_the_claim_is_untouched(editor_client):
    claim = ClaimFactory(status=Status.DUE, due_since="2026-01-01T00:00Z")
    data = form_data(editor_client.get(change_url(claim)))
    data.update(record_verdict="correct", verdict_rationale="  ", statement="Edited wording.")
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "needs a written rationale" in str(response.context["adminform"].form.errors)
    claim.refresh_from_db()
    assert (claim.status, claim.statement) != ("resolved", "Edited wording.")
    assert claim.status == Status.DUE and claim.statement != "Edited wording."


def test_an_editor_reopens_a_resolved_claim_with_a_reason(editor_client):
    claim = ClaimFactory(
        deadline=datetime.date(2030, 12, 31),
        status=Status.RESOLVED,
        verdict="correct",
        verdict_summary="Yes.",
        resolved_at="2026-01-01T00:00Z",
    )
    data = form_data(editor_client.get(change_url(claim)))
    data["reopen_reason"] = "The ministry revised the figure."
    assert editor_client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.verdict) == ("open", "")
    assert "The ministry revised the figure." in claim.transitions.get().reason


def test_moving_a_due_claims_deadline_into_the_future_from_the_admin_opens_it(editor_client):
    claim = ClaimFactory(
        deadline=datetime.date(2026, 1, 31), status=Status.DUE, due_since="2026-02-01T00:00Z"
    )
    data = form_data(editor_client.get(change_url(claim)))
    data.update(
        deadline="2031-06-30", deadline_precision="day", change_reason="Plan extended to 2031"
    )
    assert editor_client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.deadline) == ("open", datetime.date(2031, 6, 30))
    moved = claim.transitions.get()
    assert moved.action == "deadline_moved" and "Plan extended to 2031" in moved.reason


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "www.miit.gov.cn/report",
        "ftp://example.org/file",
        "https://",
    ],
)
def test_unsafe_or_malformed_evidence_links_are_refused(editor_client, url):
    claim = ClaimFactory()
    data = evidence_row(
        form_data(editor_client.get(change_url(claim))), url=url, title="Report", stance="supports"
    )
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "starting with http:// or https://" in str(inline_errors)
    assert not Evidence.objects.exists()


def test_evidence_added_on_the_claim_page_records_who_added_it(editor_client, editor):
    claim = ClaimFactory()
    data = evidence_row(
        form_data(editor_client.get(change_url(claim))),
        url="https://ifr.org/world-robotics",
        title="World Robotics 2026",
        stance="refutes",
        published_on="2026-09-25",
    )
    assert editor_client.post(change_url(claim), data).status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.claim, evidence.added_by, evidence.stance) == (claim, editor, "refutes")


def test_a_save_from_a_stale_form_is_refused_and_keeps_what_the_editor_typed(editor_client, editor):
    claim = ClaimFactory(statement="Original wording.")
    stale = form_data(editor_client.get(change_url(claim)))
    # Someone else saves in the meantime.
    fresh = form_data(editor_client.get(change_url(claim)))
    fresh["statement"] = "Colleague's wording."
    assert editor_client.post(change_url(claim), fresh).status_code == 302
    stale["statement"] = "My wording."
    response = editor_client.post(change_url(claim), stale)
    assert response.status_code == 200
    assert "Someone else changed this claim" in str(
        response.context["adminform"].form.non_field_errors()
    )
    assert response.context["adminform"].form["statement"].value() == "My wording."
    assert Claim.objects.get(pk=claim.pk).statement == "Colleague's wording."


def test_each_edit_is_in_the_claims_history(editor_client, editor):
    claim = ClaimFactory(statement="Original wording.")
    data = form_data(editor_client.get(change_url(claim)))
    data.update(statement="Sharper wording.", change_reason="Clarified scope")
    editor_client.post(change_url(claim), data)
    history = editor_client.get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert history.status_code == 200
    record = claim.history.first()
    assert (record.statement, record.history_user, record.history_change_reason) == (
        "Sharper wording.",
        editor,
        "Clarified scope",
    )


def test_the_claim_list_makes_the_same_number_of_queries_for_5_or_50_claims(
    editor_client, django_assert_num_queries
):
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(reverse("admin:claims_claim_changelist")).status_code == 200
        return len(ctx)

    entity = EntityFactory()
    ClaimFactory.create_batch(5, claimant_type="reported", claimant=entity)
    few = count_queries()
    ClaimFactory.create_batch(45, claimant_type="reported", claimant=entity)
    assert count_queries() == few


def test_the_claim_list_filters_by_deadline_year_status_and_outlet(editor_client):
    ClaimFactory(statement="Due in 2025.", deadline=datetime.date(2025, 12, 31))
    ClaimFactory(statement="Due in 2027.", deadline=datetime.date(2027, 12, 31))
    response = editor_client.get(
        reverse("admin:claims_claim_changelist"), {"deadline_year": "2025"}
    )
    html = response.content.decode()
    assert "Due in 2025." in html and "Due in 2027." not in html


def test_article_autocomplete_answers_editors(editor_client):
    ArticleFactory(title="China Industries March 2023")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Industries",
            "app_label": "claims",
            "model_name": "claim",
            "field_name": "article",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["China Industries March 2023"]


def test_editors_can_resolve_but_not_delete_claims_or_manage_users(client):
    from tests.factories import EditorFactory

    editor = EditorFactory(username="desk")
    assert editor.has_perm("claims.resolve_claim") and editor.has_perm("claims.change_claim")
    assert editor.has_perm("claims.add_evidence") and editor.has_perm("claims.delete_evidence")
    assert not editor.has_perm("claims.delete_claim")
    assert not editor.has_perm("auth.change_user")
    assert not editor.has_perm("claims.change_transition")
    client.force_login(editor)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_a_staff_user_outside_the_editors_group_sees_no_claims(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:claims_claim_changelist")).status_code == 403


def test_the_editors_desk_shows_failed_notifications_with_a_link_to_them(editor_client, editor):
    from claims.models import Notification

    response = editor_client.get(reverse("admin:index"))
    assert "Notifications that failed" not in response.content.decode()

    for day in (1, 2):
        Notification.objects.create(
            recipient=editor,
            event="digest",
            event_date=datetime.date(2026, 11, day),
            state="failed",
        )
    Notification.objects.create(
        recipient=editor, event="digest", event_date=datetime.date(2026, 11, 3), state="sent"
    )
    html = editor_client.get(reverse("admin:index")).content.decode()

    assert "Notifications that failed (2)" in html
    failed_list = reverse("admin:claims_notification_changelist") + "?state__exact=failed"
    assert failed_list in html
    assert editor_client.get(failed_list).status_code == 200


def test_a_probability_out_of_range_is_a_field_error_on_the_claim_page(editor_client):
    article = ArticleFactory(published_on=datetime.date(2023, 3, 1))

    response = editor_client.post(ADD_URL, new_claim_data(article, probability="1.5"))

    form = response.context["adminform"].form
    assert response.status_code == 200
    assert "less than or equal to 1" in " ".join(form.errors["probability"])
    assert "__all__" not in form.errors  # no "Constraint claim_probability_range is violated"
    assert 'min="0"' in str(form["probability"]) and 'max="1"' in str(form["probability"])
    assert not Claim.objects.exists()


def test_an_evidence_link_typed_in_capitals_is_saved_in_lower_case(editor_client):
    claim = ClaimFactory()
    data = evidence_row(
        form_data(editor_client.get(change_url(claim))),
        url="HTTP://EXAMPLE.ORG/Report",
        title="Report",
        stance="supports",
    )

    assert editor_client.post(change_url(claim), data).status_code == 302
    assert Evidence.objects.get().url == "http://example.org/Report"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://editor:secret@example.org/", "user name and password"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://192.168.0.10/report", "private-network"),
    ],
)
def test_an_evidence_link_that_is_not_a_public_page_is_refused_on_the_evidence_page(
    editor_client, url, reason
):
    claim = ClaimFactory()
    data = {"claim": claim.pk, "url": url, "title": "Report", "stance": "supports"}

    response = editor_client.post(reverse("admin:claims_evidence_add"), data)

    assert response.status_code == 200
    assert reason in " ".join(response.context["adminform"].form.errors["url"])
    assert not Evidence.objects.exists()


def test_text_direction_controls_in_a_statement_are_refused(editor_client):
    response = editor_client.post(
        ADD_URL, new_claim_data(ArticleFactory(), statement="Exports \u202erise by 5%")
    )

    assert response.status_code == 200
    assert "U+202E" in " ".join(response.context["adminform"].form.errors["statement"])
    assert not Claim.objects.exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_a_sign_in_whose_next_is_refused_lands_on_the_editors_desk(client, next_url):
    UserFactory(username="ed", password="correct horse", is_staff=True)

    response = client.post(
        reverse("admin:login") + (f"?next={next_url}" if next_url else ""),
        {"username": "ed", "password": "correct horse", "next": next_url},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
