"""The admin's sign-in is throttled: a username from one address is locked after a few failures
for a cool-off (django-axes), which a superuser can see and lift."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from tests.factories import EditorFactory, UserFactory

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/?next=/admin/"
ATTACKER = "203.0.113.7"


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    return settings


def sign_in(client, username: str, password: str, address: str = ATTACKER, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(client, username: str, times: int, address: str = ATTACKER, **headers) -> None:
    for _ in range(times):
        response = sign_in(client, username, "wrong", address, **headers)
        assert response.status_code in (200, 429)


@pytest.fixture
def editor_account(db):
    return EditorFactory(username="ed")


def test_it_refuses_the_right_password_after_five_wrong_ones(client, limits, editor_account):
    fail(client, "ed", 4)
    assert signed_in(sign_in(client, "ed", PASSWORD))  # four failures: still allowed
    client.logout()
    fail(client, "ed", 5)
    response = sign_in(client, "ed", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(response)
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and "15 minutes" in page
    assert "Try again after" in page
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_one_username_from_one_address_only(client, limits, editor_account):
    UserFactory(username="other", is_staff=True)
    fail(client, "ed", 5)
    assert sign_in(client, "ed", PASSWORD).status_code == 429
    assert signed_in(sign_in(client, "ed", PASSWORD, address="198.51.100.1"))
    client.logout()
    assert signed_in(sign_in(client, "other", PASSWORD))


def test_a_forged_forwarded_for_header_does_not_pick_a_fresh_address(
    client, limits, editor_account
):
    for n in range(5):
        sign_in(client, "ed", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = sign_in(client, "ed", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_behind_a_configured_proxy_the_forwarded_address_is_the_clients(
    client, limits, editor_account
):
    limits.REST_FRAMEWORK = {**limits.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.2"
    fail(client, "ed", 5, address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert (
        sign_in(client, "ed", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
    )
    assert signed_in(sign_in(client, "ed", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="192.0.2.2"))


def test_a_superuser_sees_the_lockout_in_the_admin_and_lifts_it(client, limits, editor_account):
    fail(client, "ed", 5)
    attempt = AccessAttempt.objects.get(username="ed", ip_address=ATTACKER)
    assert attempt.failures_since_start == 5

    admin_client = type(client)()
    admin_client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and ATTACKER in listing.content.decode()
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert signed_in(sign_in(client, "ed", PASSWORD))


def test_the_reset_commands_lift_a_lockout(client, limits, editor_account):
    fail(client, "ed", 5)
    call_command("axes_reset_username", "ed")
    assert signed_in(sign_in(client, "ed", PASSWORD))
    client.logout()
    fail(client, "ed", 5)
    call_command("axes_reset_ip", ATTACKER)
    assert signed_in(sign_in(client, "ed", PASSWORD))


def test_editors_see_nothing_of_the_lockouts(client, limits, editor_account):
    assert (
        not Group.objects.get(name="Editors")
        .permissions.filter(content_type__app_label="axes")
        .exists()
    )
    client.force_login(editor_account)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


@pytest.mark.parametrize(
    ("wait", "signs_in"),
    [
        (datetime.timedelta(minutes=14, seconds=59), False),
        (datetime.timedelta(minutes=15, seconds=1), True),
    ],
)
def test_the_right_password_works_again_once_the_cool_off_has_passed(
    client, limits, editor_account, wait, signs_in
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        fail(client, "ed", 5)
        clock.move_to(start + wait)
        assert signed_in(sign_in(client, "ed", PASSWORD)) is signs_in


def test_a_try_during_the_cool_off_starts_it_again(client, limits, editor_account):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        fail(client, "ed", 5)
        clock.move_to(start + datetime.timedelta(minutes=10))
        assert sign_in(client, "ed", PASSWORD).status_code == 429
        clock.move_to(start + datetime.timedelta(minutes=24, seconds=59))
        assert sign_in(client, "ed", "wrong").status_code == 429
        clock.move_to(start + datetime.timedelta(minutes=40))
        assert signed_in(sign_in(client, "ed", PASSWORD))
