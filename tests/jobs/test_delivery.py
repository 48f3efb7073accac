"""Delivery against a real SMTP server on loopback (aiosmtpd): one that stores a message but
answers late, one that refuses it, one that holds the connection while its sender is killed."""

from __future__ import annotations

import asyncio
import datetime
import email
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.utils import timezone

from claims.jobs import notifications
from claims.models import Notification
from tests.factories import EditorFactory, FlaggedDueClaimFactory
from tests.jobs.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_TIMEOUT = 0.3  # seconds: the sender's SMTP timeout in these tests
ROOT = Path(__file__).resolve().parents[2]


class MailServer:
    """An aiosmtpd handler that stores every message it is given, then answers after `delay`
    seconds; or refuses every recipient with a 451 when `refuse` is set."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.delay = 0.0
        self.refuse = False
        self.holding = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        self.holding.set()
        await asyncio.sleep(self.delay)
        return "250 OK: queued"

    @property
    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


@pytest.fixture
def mail_server(settings) -> Iterator[tuple[MailServer, int]]:
    handler = MailServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "claims.jobs.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": CLIENT_TIMEOUT},
        }
    }
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def a_due_notice() -> Notification:
    Group.objects.get_or_create(name="Editors")  # the flush after each test removes it
    EditorFactory(username="ada", email="ada@example.org")
    FlaggedDueClaimFactory(statement="Output will double.")
    assert notifications.queue_due_notices() == 1
    return Notification.objects.get()


def run_sender_until_settled(clock, runs: int = 8) -> list[notifications.Delivery]:
    """The every-minute job, run as often as its retries need (clock moved past each wait)."""
    deliveries = []
    for _ in range(runs):
        deliveries.append(notifications.send_pending())
        clock.shift(datetime.timedelta(minutes=20))
    return deliveries


def test_a_server_that_stores_the_message_but_answers_late_gets_one_or_two_copies(
    mail_server, a_due_notice
):
    server, _ = mail_server
    server.delay = CLIENT_TIMEOUT * 4  # the final 250 comes after the client gave up

    with time_machine.travel(timezone.now(), tick=True) as clock:
        deliveries = run_sender_until_settled(clock)

    row = Notification.objects.get()
    assert 1 <= len(server.messages) <= 2
    assert server.message_ids == [row.message_id] * len(server.messages)
    assert row.message_id == f"<notification-{row.pk}@127.0.0.1>"
    assert (row.state, row.attempts) == ("sent", 2)
    assert row.handed_over_at is not None and row.sent_at is not None
    assert row.last_error.startswith("Probably delivered")
    assert sum(d.unconfirmed for d in deliveries) == sum(d.sent for d in deliveries) == 1


def test_a_server_that_refuses_before_data_still_gets_the_normal_retries(mail_server, a_due_notice):
    server, _ = mail_server
    server.refuse = True

    with time_machine.travel(timezone.now(), tick=True) as clock:
        deliveries = run_sender_until_settled(clock)

    row = Notification.objects.get()
    assert server.messages == []
    assert (row.state, row.attempts) == ("failed", notifications.MAX_ATTEMPTS)
    assert row.handed_over_at is None
    assert "451" in row.last_error
    assert sum(d.retrying for d in deliveries) == notifications.MAX_ATTEMPTS - 1


def test_a_server_that_answers_in_time_gets_one_copy_with_the_rows_message_id(
    mail_server, a_due_notice
):
    server, _ = mail_server

    assert notifications.send_pending().sent == 1

    row = Notification.objects.get()
    assert server.message_ids == [row.message_id]
    assert (row.state, row.attempts, row.handed_over_at) == ("sent", 1, None)


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_a_sender_killed_mid_send_leaves_a_lease_that_the_next_run_takes_back(
    mail_server, a_due_notice
):
    server, port = mail_server
    server.delay = 60  # holds the connection after taking the message, until the kill
    sender = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from claims.jobs import notifications; notifications.send_pending()",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        },
    )
    try:
        assert server.holding.wait(timeout=30), "the sender never reached DATA"
    finally:
        sender.send_signal(signal.SIGKILL)
        sender.wait()
    row = Notification.objects.get()
    assert (row.state, row.attempts) == ("sending", 1)
    assert server.message_ids == [row.message_id]

    server.delay = 0
    # Within the lease the dead sender's row is left alone; past it, it is sent again.
    with time_machine.travel(row.claimed_at + notifications.SENDING_LEASE, tick=False):
        assert notifications.send_pending().interrupted == 0
    later = row.claimed_at + notifications.SENDING_LEASE + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=True):
        delivery = notifications.send_pending()

    row.refresh_from_db()
    assert (delivery.interrupted, delivery.sent) == (1, 1)
    assert (row.state, row.attempts) == ("sent", 2)
    assert server.message_ids == [row.message_id] * 2
