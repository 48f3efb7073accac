"""Who is told what, and how delivery copes with failure: the notification services called
directly (the worker tests beside this file run them through Celery)."""

from __future__ import annotations

import datetime
import functools

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims import lifecycle
from claims.jobs import notifications, queueing
from claims.models import Notification, Status
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DueClaimFactory,
    EditorFactory,
    FlaggedDueClaimFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
NOON = datetime.datetime(2026, 11, 24, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_noon():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def rows(**filters) -> set[tuple]:
    return set(
        Notification.objects.filter(**filters).values_list(
            "recipient__username", "claim_id", "event", "event_date"
        )
    )


def test_editors_are_active_members_of_the_group_and_superusers_with_an_address():
    EditorFactory(username="ada", email="ada@example.org")
    EditorFactory(username="gone", email="gone@example.org", is_active=False)
    EditorFactory(username="silent", email="")
    UserFactory(username="root", email="root@example.org", is_superuser=True)
    UserFactory(username="reader", email="reader@example.org")
    both = UserFactory(username="both", email="both@example.org", is_superuser=True)
    both.groups.add(Group.objects.get(name="Editors"))

    assert list(notifications.editors().values_list("username", flat=True)) == [
        "ada",
        "root",
        "both",
    ]


def test_it_queues_one_due_notice_per_editor_for_claims_newly_due():
    EditorFactory(username="ada", email="ada@example.org")
    EditorFactory(username="bob", email="bob@example.org")
    newly = FlaggedDueClaimFactory(deadline=days(-3))
    FlaggedDueClaimFactory(due_since=NOON - datetime.timedelta(days=30))  # the digest lists these
    ClaimFactory(deadline=days(-3))  # open: not flagged yet
    DueClaimFactory(deadline=days(-3))  # no transition into "due" in its log: no known episode

    assert notifications.queue_due_notices() == 2
    assert notifications.queue_due_notices() == 0
    assert rows() == {
        ("ada", newly.pk, "due", days(-3)),
        ("bob", newly.pk, "due", days(-3)),
    }


def test_a_claim_entered_after_its_deadline_gets_no_notice_of_its_own(mailoutbox):
    EditorFactory(username="ada", email="ada@example.org")
    entered = lifecycle.create_claim(
        claim=ClaimFactory.build(
            article=ArticleFactory(), statement="Entered late.", deadline=days(-10)
        ),
        via="seed",
        today=TODAY,
    )
    assert entered.status == Status.DUE

    assert notifications.queue_due_notices() == 0
    notifications.queue_digests(today=TODAY)
    notifications.send_pending()
    [digest] = mailoutbox
    assert digest.body.index("NEWLY DUE") < digest.body.index("Entered late.")


def test_the_database_refuses_a_second_notice_for_the_same_editor_and_episode_or_date():
    editor = EditorFactory(email="ada@example.org")
    claim = FlaggedDueClaimFactory()
    episode = claim.transitions.get()
    Notification.objects.create(
        recipient=editor, claim=claim, episode=episode, event="due", event_date=days(-1)
    )
    Notification.objects.create(
        recipient=editor, claim=claim, event="reminder_7", event_date=days(-1)
    )
    Notification.objects.create(recipient=editor, event="digest", event_date=TODAY)

    # The same episode under another deadline (a corrected date) is the same due notice.
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=editor, claim=claim, episode=episode, event="due", event_date=days(-9)
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # a due notice names its episode
        Notification.objects.create(recipient=editor, claim=claim, event="due", event_date=days(-1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=editor, claim=claim, event="reminder_7", event_date=days(-1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=editor, event="digest", event_date=TODAY)
    assert Notification.objects.count() == 3


def test_reminders_go_out_in_the_window_before_each_deadline():
    EditorFactory(username="ada", email="ada@example.org")
    in_30 = ClaimFactory(deadline=days(30))
    in_8 = ClaimFactory(deadline=days(8))
    in_7 = ClaimFactory(deadline=days(7))
    today = ClaimFactory(deadline=days(0))
    ClaimFactory(deadline=days(31))
    ClaimFactory(deadline=days(-1))  # passed: the flagging job's business
    FlaggedDueClaimFactory(deadline=days(-5))

    notifications.queue_reminders(today=TODAY)

    assert rows() == {
        ("ada", in_30.pk, "reminder_30", days(30)),
        ("ada", in_8.pk, "reminder_30", days(8)),
        ("ada", in_7.pk, "reminder_7", days(7)),
        ("ada", today.pk, "reminder_7", days(0)),
    }
    assert notifications.queue_reminders(today=TODAY) == 0


def test_reminder_days_come_from_settings(settings):
    settings.CLAIM_REMINDER_DAYS = [14]
    EditorFactory(username="ada", email="ada@example.org")
    claim = ClaimFactory(deadline=days(10))
    ClaimFactory(deadline=days(20))

    notifications.queue_reminders(today=TODAY)

    assert rows() == {("ada", claim.pk, "reminder_14", days(10))}


def test_it_queues_one_digest_per_editor_per_day():
    EditorFactory(username="ada", email="ada@example.org")
    assert notifications.queue_digests(today=TODAY) == 1
    assert notifications.queue_digests(today=TODAY) == 0
    assert notifications.queue_digests(today=days(1)) == 1
    assert rows() == {("ada", None, "digest", TODAY), ("ada", None, "digest", days(1))}


def test_it_sends_pending_notifications_and_records_them(mailoutbox):
    EditorFactory(username="ada", email="ada@example.org")
    claim = FlaggedDueClaimFactory(statement="Output will double.", deadline=days(-3))
    notifications.queue_due_notices()

    delivery = notifications.send_pending()

    assert (delivery.sent, delivery.retrying, delivery.failed) == (1, 0, 0)
    [email] = mailoutbox
    assert email.to == ["ada@example.org"]
    assert email.subject == "Due for a verdict: Output will double."
    assert f"/admin/claims/claim/{claim.pk}/change/" in email.body
    row = Notification.objects.get()
    assert (row.state, row.attempts, row.sent_at, row.subject) == ("sent", 1, NOON, email.subject)
    assert notifications.send_pending().sent == 0
    assert len(mailoutbox) == 1


def test_a_failed_send_is_retried_with_backoff_then_marked_failed(
    settings, mailoutbox, frozen_noon
):
    settings.MAILERS = {"default": {"BACKEND": "tests.jobs.email_backends.DisconnectedBackend"}}
    EditorFactory(email="ada@example.org")
    FlaggedDueClaimFactory()
    notifications.queue_due_notices()

    waits = []
    for attempt in range(1, notifications.MAX_ATTEMPTS + 1):
        delivery = notifications.send_pending()
        row = Notification.objects.get()
        assert row.attempts == attempt
        assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        if attempt < notifications.MAX_ATTEMPTS:
            assert (delivery.retrying, row.state) == (1, "pending")
            assert notifications.send_pending().retrying == 0  # not before its time
            waits.append(row.next_attempt_at - timezone.now())
            frozen_noon.shift(row.next_attempt_at - timezone.now())
    assert (delivery.failed, row.state) == (1, "failed")
    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8]
    assert notifications.send_pending().failed == 0
    assert mailoutbox == []


def test_one_failing_notification_does_not_stop_the_others(mailoutbox):
    EditorFactory(username="ada", email="ada@example.org")
    EditorFactory(username="bob", email="not an address\nBcc: everyone@example.org")
    FlaggedDueClaimFactory()
    notifications.queue_due_notices()

    delivery = notifications.send_pending()

    assert (delivery.sent, delivery.retrying) == (1, 1)
    assert [m.to for m in mailoutbox] == [["ada@example.org"]]


def test_a_notice_that_no_longer_applies_is_cancelled_not_sent(mailoutbox, editor):
    EditorFactory(username="ada", email="ada@example.org")
    resolved = FlaggedDueClaimFactory()
    moved = ClaimFactory(deadline=days(5))
    notifications.queue_due_notices()
    notifications.queue_reminders(today=TODAY)
    lifecycle.resolve_claim(
        claim=resolved, verdict="correct", summary="Yes.", by=editor, via="admin"
    )
    moved.deadline = days(6)
    lifecycle.edit_claim(claim=moved, by=editor, via="admin")

    delivery = notifications.send_pending()

    assert (delivery.sent, delivery.cancelled) == (0, 2)
    assert set(Notification.objects.values_list("state", flat=True)) == {"cancelled"}
    assert mailoutbox == []
    # The moved deadline is a new one: the next run reminds of it.
    notifications.queue_reminders(today=TODAY)
    assert notifications.send_pending().sent == 1


def test_a_notification_another_sender_holds_is_left_alone(mailoutbox):
    EditorFactory(email="ada@example.org")
    FlaggedDueClaimFactory()
    notifications.queue_due_notices()
    Notification.objects.update(state="sending", claimed_at=NOON, attempts=1)

    assert notifications.send_pending().sent == 0
    assert mailoutbox == []


def test_a_send_whose_lease_expired_goes_back_to_pending_and_is_sent(mailoutbox):
    EditorFactory(email="ada@example.org")
    FlaggedDueClaimFactory()
    notifications.queue_due_notices()
    row = Notification.objects.get()
    lease = notifications.SENDING_LEASE
    message_id = f"<notification-{row.pk}@127.0.0.1>"
    Notification.objects.update(
        state="sending", claimed_at=NOON - lease, attempts=1, message_id=message_id
    )

    # Exactly at the end of its lease, the sender may still be at work: left alone.
    assert notifications.send_pending() == notifications.Delivery()
    assert Notification.objects.get().state == "sending"

    Notification.objects.update(claimed_at=NOON - lease - datetime.timedelta(seconds=1))
    delivery = notifications.send_pending()

    assert (delivery.interrupted, delivery.sent) == (1, 1)
    row = Notification.objects.get()
    assert (row.state, row.attempts, row.message_id) == ("sent", 2, message_id)
    [email] = mailoutbox
    assert email.extra_headers["Message-ID"] == message_id


def test_a_send_interrupted_on_its_last_attempt_is_marked_failed(mailoutbox):
    EditorFactory(email="ada@example.org")
    FlaggedDueClaimFactory()
    notifications.queue_due_notices()
    Notification.objects.update(
        state="sending",
        claimed_at=NOON - datetime.timedelta(hours=1),
        attempts=notifications.MAX_ATTEMPTS,
    )

    delivery = notifications.send_pending()

    assert (delivery.interrupted, delivery.sent) == (1, 0)
    row = Notification.objects.get()
    assert row.state == "failed" and "Interrupted" in row.last_error
    assert mailoutbox == []


def test_the_digest_lists_newly_due_coming_due_and_longest_waiting(mailoutbox):
    EditorFactory(email="ada@example.org")
    FlaggedDueClaimFactory(statement="Fresh.", deadline=days(-2))
    ClaimFactory(statement="Soon.", deadline=days(6))
    ClaimFactory(statement="Later.", deadline=days(9))
    FlaggedDueClaimFactory(statement="Old.", due_since=NOON - datetime.timedelta(days=90))
    FlaggedDueClaimFactory(statement="Older.", due_since=NOON - datetime.timedelta(days=200))
    notifications.queue_digests(today=TODAY)

    assert notifications.send_pending().sent == 1

    [email] = mailoutbox
    assert email.subject == "Claim registry digest for 24 Nov 2026: 1 newly due, 1 coming due"
    body = email.body
    assert body.index("NEWLY DUE FOR A VERDICT (1)") < body.index("Fresh.")
    assert body.index("COMING DUE IN THE NEXT 7 DAYS (1)") < body.index("Soon.")
    assert "Later." not in body
    assert (
        body.index("WAITING LONGEST FOR A VERDICT (2)") < body.index("Older.") < body.index("Old.")
    )


def test_a_digest_with_nothing_to_report_is_not_sent(mailoutbox):
    EditorFactory(email="ada@example.org")
    ClaimFactory(deadline=days(60))
    notifications.queue_digests(today=TODAY)

    assert notifications.send_pending().cancelled == 1
    assert mailoutbox == []


def test_claims_becoming_due_in_a_save_hand_off_to_the_notification_job_once_it_commits(
    django_capture_on_commit_callbacks, editor
):
    claims = ClaimFactory.create_batch(3, deadline=days(10))

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for claim in claims:
            claim.deadline = days(-1)
            lifecycle.edit_claim(claim=claim, by=editor, via="admin")

    assert tasks_queued(callbacks) == ["claims.tasks.notify_editors"]  # once, for 3 claims
    assert all(c.status == Status.DUE for c in claims)


def test_the_flagging_job_hands_off_only_when_it_flagged_something(
    django_capture_on_commit_callbacks,
):
    ClaimFactory(deadline=days(-1))
    with django_capture_on_commit_callbacks() as callbacks:
        lifecycle.flag_due_claims(today=TODAY)
    with django_capture_on_commit_callbacks() as nothing_new:
        lifecycle.flag_due_claims(today=TODAY)

    assert tasks_queued(callbacks) == ["claims.tasks.notify_editors"]
    assert tasks_queued(nothing_new) == []


def tasks_queued(callbacks) -> list[str]:
    """The tasks that these on-commit callbacks publish (others may refresh caches and such)."""
    return [
        callback.args[0]
        for callback in callbacks
        if isinstance(callback, functools.partial) and callback.func is queueing.send_task
    ]


def test_a_due_claim_whose_deadline_is_corrected_to_another_past_date_is_not_announced_again(
    mailoutbox, editor
):
    EditorFactory(username="ada", email="ada@example.org")
    claim = ClaimFactory(deadline=days(-3))
    lifecycle.flag_due_claims(today=TODAY)
    notifications.queue_due_notices()
    assert notifications.send_pending().sent == 1

    claim.refresh_from_db()
    claim.deadline = days(-10)  # a typo corrected: still past, still due
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")

    assert notifications.queue_due_notices() == 0
    assert notifications.send_pending().sent == 0
    assert len(mailoutbox) == 1


def test_a_claim_due_again_after_being_open_is_a_new_episode_with_a_new_notice(
    mailoutbox, editor, frozen_noon
):
    EditorFactory(username="ada", email="ada@example.org")
    claim = ClaimFactory(deadline=days(-3))
    lifecycle.flag_due_claims(today=TODAY)
    notifications.queue_due_notices()
    notifications.send_pending()

    frozen_noon.shift(datetime.timedelta(minutes=5))
    claim.refresh_from_db()
    claim.deadline = days(30)  # due -> open
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")
    assert notifications.queue_due_notices() == 0
    frozen_noon.shift(datetime.timedelta(minutes=5))
    claim.deadline = days(-3)  # open -> due, back on the very date first announced
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")

    assert notifications.queue_due_notices() == 1
    assert notifications.send_pending().sent == 1
    assert [m.subject for m in mailoutbox] == [f"Due for a verdict: {claim}"] * 2
    first, second = Notification.objects.order_by("pk")
    assert first.episode.action == "flagged_due" and second.episode.action == "deadline_moved"
    assert first.message_id != second.message_id


def test_a_due_notice_whose_episode_ended_before_its_turn_is_cancelled(mailoutbox, editor):
    EditorFactory(username="ada", email="ada@example.org")
    claim = ClaimFactory(deadline=days(-3))
    lifecycle.flag_due_claims(today=TODAY)
    notifications.queue_due_notices()
    claim.refresh_from_db()
    claim.deadline = days(30)
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")
    claim.deadline = days(-3)
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")

    delivery = notifications.send_pending()

    assert (delivery.sent, delivery.cancelled) == (0, 1)
    assert "no longer in the due episode" in Notification.objects.get().last_error
    notifications.queue_due_notices()  # the current episode gets its own
    assert notifications.send_pending().sent == 1
    assert len(mailoutbox) == 1


def test_a_claim_reopened_past_its_deadline_is_announced_again(mailoutbox, editor):
    EditorFactory(username="ada", email="ada@example.org")
    claim = FlaggedDueClaimFactory()
    notifications.queue_due_notices()
    notifications.send_pending()
    lifecycle.resolve_claim(claim=claim, verdict="correct", summary="Yes.", by=editor, via="admin")
    lifecycle.reopen_claim(claim=claim, reason="Revised figures.", by=editor, via="admin")

    assert notifications.queue_due_notices() == 1
    assert notifications.send_pending().sent == 1
    assert len(mailoutbox) == 2
