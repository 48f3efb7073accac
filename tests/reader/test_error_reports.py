"""The "Report an error" form on a claim's page (issue 15): no account, a honeypot and a rate
limit against spam, a queue on the editors' desk, and the reader emailed the reply (a real
SMTP server on loopback)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from claims.models import ErrorReport, ErrorReportState
from tests.factories import ClaimFactory
from tests.jobs.test_delivery import MailServer, mail_server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings):
    # The rate limit counts in the cache: a cache of this test's own.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"error-reports-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def claim():
    return ClaimFactory(slug="the-claim", statement="Output doubles by 2027.")


def report(client, remote_addr="127.0.0.1", **data):
    return client.post(
        "/claims/the-claim/report/",
        {"message": "The quote is wrong.", **data},
        REMOTE_ADDR=remote_addr,
    )


def test_the_claim_page_has_the_form_with_no_csrf_cookie(client, claim):
    response = client.get("/claims/the-claim/")
    page = response.content.decode()
    assert 'action="/claims/the-claim/report/"' in page
    assert 'name="website"' in page and 'class="field hp"' in page
    assert not response.cookies  # the page stays cacheable


def test_a_report_lands_in_the_queue(client, claim):
    response = report(client, email="reader@example.org")
    assert response.status_code == 200
    assert "We will write to you" in response.content.decode()
    stored = ErrorReport.objects.get()
    assert (stored.claim, stored.message, stored.email, stored.state) == (
        claim,
        "The quote is wrong.",
        "reader@example.org",
        ErrorReportState.NEW,
    )


def test_a_bad_report_is_refused_with_the_reason_and_stores_nothing(client, claim):
    response = client.post("/claims/the-claim/report/", {"message": "", "email": "not-an-address"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "Enter a valid email address." in page
    assert not ErrorReport.objects.exists()
    assert client.get("/claims/the-claim/report/").status_code == 405
    assert client.post("/claims/nope/report/", {"message": "x"}).status_code == 404


def test_a_filled_honeypot_is_thanked_and_stored_nowhere(client, claim):
    response = report(client, website="http://spam.example")
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not ErrorReport.objects.exists()


def test_the_rate_limit_takes_the_limit_and_refuses_the_next(client, claim, settings):
    settings.ERROR_REPORTS_PER_HOUR = 3
    assert [report(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = report(client)
    assert refused.status_code == 429 and "Too many reports" in refused.content.decode()
    assert ErrorReport.objects.count() == 3
    # Another address has its own count.
    assert report(client, remote_addr="192.0.2.7").status_code == 200


def test_the_post_is_never_cached(claim, settings):
    settings.RESPONSE_CACHE_SECONDS = 600
    anonymous = Client()
    for _ in range(2):
        assert report(anonymous).status_code == 200
    assert ErrorReport.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_editor_marks_it_handled_and_the_reader_gets_the_reply_once(
    mail_server,  # noqa: F811
    settings,
):
    from django.contrib.auth.models import Group, Permission

    from tests.factories import UserFactory

    server, _port = mail_server
    claim = ClaimFactory(slug="the-claim", statement="Output doubles by 2027.")
    editor = UserFactory(username="desk", is_staff=True)
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(codename__in=["view_errorreport", "change_errorreport"])
    )
    editor.groups.add(group)
    filed = ErrorReport.objects.create(claim=claim, message="Wrong year.", email="r@example.org")
    desk = Client()
    desk.force_login(editor)

    queue = desk.get("/admin/claims/errorreport/")
    assert queue.status_code == 200 and "Wrong year." in queue.content.decode()
    url = f"/admin/claims/errorreport/{filed.pk}/change/"
    assert desk.get(url).status_code == 200
    response = desk.post(url, {"state": "handled", "reply": "Corrected to 2027, thank you."})
    assert response.status_code == 302, response.content.decode()[:2000]

    filed.refresh_from_db()
    assert filed.state == ErrorReportState.HANDLED and filed.handled_by == editor
    assert filed.reply_sent_at is not None
    assert len(server.messages) == 1
    message = server.messages[0]
    assert message["To"] == "r@example.org"
    assert "Corrected to 2027, thank you." in message.get_payload(decode=True).decode()
    # Saving again sends nothing more.
    desk.post(url, {"state": "handled", "reply": "Corrected to 2027, thank you."})
    assert len(server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_reply_the_mail_server_refuses_is_shown_as_not_sent(mail_server, settings):  # noqa: F811
    from claims import error_reports

    server, _port = mail_server
    server.refuse = True
    filed = ErrorReport.objects.create(
        claim=ClaimFactory(), message="Wrong.", email="r@example.org"
    )
    filed.state, filed.reply = ErrorReportState.HANDLED, "Fixed."
    error_reports.save_handling(filed, by=None)  # outside a transaction: sent at once
    filed.refresh_from_db()
    assert filed.reply_sent_at is None
    server.refuse = False
    assert error_reports.send_reply(filed.pk) is True
    assert len(server.messages) == 1


def test_a_report_without_an_address_is_handled_without_email(claim, mailoutbox):
    from claims import error_reports

    filed = ErrorReport.objects.create(claim=claim, message="Wrong.")
    filed.state, filed.reply = ErrorReportState.HANDLED, "Fixed."
    error_reports.save_handling(filed, by=None)
    assert mailoutbox == []
