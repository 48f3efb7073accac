"""The deadline jobs run by a real Celery worker on a real Redis, against a committed database."""

from __future__ import annotations

import datetime
import logging
import time
import uuid

import pytest
from celery.worker import state as worker_state
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from claims import lifecycle, tasks
from claims.jobs import queueing
from claims.models import Claim, Job, Notification, Status, Transition
from tests.factories import ClaimFactory, DueClaimFactory, EditorFactory, FlaggedDueClaimFactory
from tests.jobs.conftest import QUEUE, broker, redis_url, wait_until, wait_until_idle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("editors_group")]


@pytest.fixture
def editors_group():
    # A data migration makes it, and the flush after each transactional test takes it away.
    Group.objects.get_or_create(name="Editors")


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def sent(event: str | None = None) -> set[tuple[str, int | None]]:
    rows = Notification.objects.filter(state="sent")
    if event:
        rows = rows.filter(event=event)
    return set(rows.values_list("recipient__username", "claim_id"))


def test_it_flags_claims_past_their_deadline_and_tells_each_editor_once(
    celery_worker, redis_broker, mailoutbox
):
    EditorFactory(username="ada", email="ada@example.org")
    past = ClaimFactory(deadline=days_from_today(-30))
    future = ClaimFactory(deadline=days_from_today(30))

    tasks.flag_due_claims.delay()
    wait_until_idle(redis_broker)

    assert Claim.objects.get(pk=past.pk).status == Status.DUE
    assert Claim.objects.get(pk=future.pk).status == Status.OPEN
    [flagged] = Transition.objects.filter(action="flagged_due")
    assert (flagged.claim_id, flagged.via) == (past.pk, "celery")
    assert sent("due") == {("ada", past.pk)}
    [email] = mailoutbox
    assert email.to == ["ada@example.org"] and past.statement in email.subject
    job = Job.objects.get(name="claims.tasks.flag_due_claims")
    assert (job.last_outcome, job.last_counts) == ("succeeded", {"flagged": 1})

    tasks.flag_due_claims.delay()  # the next hourly run finds nothing new
    wait_until_idle(redis_broker)
    assert Transition.objects.filter(action="flagged_due").count() == 1
    assert len(mailoutbox) == 1


def test_it_reminds_editors_before_deadlines_once_per_deadline(
    celery_worker, redis_broker, mailoutbox
):
    EditorFactory(username="ada", email="ada@example.org")
    in_20_days = ClaimFactory(deadline=days_from_today(20))
    in_5_days = ClaimFactory(deadline=days_from_today(5))
    ClaimFactory(deadline=days_from_today(60))
    ClaimFactory(
        deadline=days_from_today(3),
        status=Status.RESOLVED,
        verdict="correct",
        verdict_summary="Early.",
        resolved_at=timezone.now(),
    )

    tasks.queue_deadline_reminders.delay()
    wait_until_idle(redis_broker)
    assert sent("reminder_30") == {("ada", in_20_days.pk)}
    assert sent("reminder_7") == {("ada", in_5_days.pk)}
    assert len(mailoutbox) == 2

    tasks.queue_deadline_reminders.delay()  # the same day again: nothing new
    wait_until_idle(redis_broker)
    assert len(mailoutbox) == 2

    # A deadline moved is a new deadline: it gets its own reminder.
    in_5_days.deadline = days_from_today(6)
    lifecycle.edit_claim(claim=in_5_days, by=None, via="admin")
    tasks.queue_deadline_reminders.delay()
    wait_until_idle(redis_broker)
    assert Notification.objects.filter(claim=in_5_days, state="sent").count() == 2
    assert len(mailoutbox) == 3
    assert "in 6 days" in mailoutbox[-1].body


def test_it_sends_each_editor_one_digest_a_day(celery_worker, redis_broker, mailoutbox):
    EditorFactory(username="ada", email="ada@example.org")
    EditorFactory(username="bob", email="bob@example.org")
    EditorFactory(username="no-address", email="")
    newly_due = DueClaimFactory(statement="Newly due statement.")
    coming_due = ClaimFactory(statement="Coming due statement.", deadline=days_from_today(3))
    waiting = DueClaimFactory(
        statement="Long waiting statement.", due_since=timezone.now() - datetime.timedelta(days=40)
    )

    tasks.queue_editors_digest.delay()
    wait_until_idle(redis_broker)
    tasks.queue_editors_digest.delay()
    wait_until_idle(redis_broker)

    digests = [m for m in mailoutbox if m.subject.startswith("Claim registry digest")]
    assert sorted(m.to[0] for m in digests) == ["ada@example.org", "bob@example.org"]
    body = digests[0].body
    assert body.index("NEWLY DUE") < body.index(newly_due.statement) < body.index("COMING DUE")
    assert body.index("COMING DUE") < body.index(coming_due.statement) < body.index("WAITING")
    assert body.index("WAITING LONGEST") < body.index(waiting.statement)
    assert sent("digest") == {("ada", None), ("bob", None)}


def test_two_flagging_runs_at_once_flag_and_notify_each_claim_once(
    celery_worker, redis_broker, mailoutbox
):
    EditorFactory(username="ada", email="ada@example.org")
    EditorFactory(username="bob", email="bob@example.org")
    claims = ClaimFactory.create_batch(20, deadline=days_from_today(-10))

    # Hold a write lock so that both runs start and wait on it, then let them go together.
    with transaction.atomic():
        Claim.objects.select_for_update().get(pk=claims[0].pk)
        if connection.vendor == "sqlite":
            Claim.objects.filter(pk=claims[0].pk).update(quote="Locked by the test.")
        tasks.flag_due_claims.delay()
        tasks.flag_due_claims.delay()
        wait_until(lambda: len(worker_state.active_requests) == 2, what="both runs to start")
        time.sleep(0.5)
    wait_until_idle(redis_broker)

    flags = Transition.objects.filter(action="flagged_due")
    assert sorted(flags.values_list("claim_id", flat=True)) == sorted(c.pk for c in claims)
    assert not Claim.objects.exclude(status=Status.DUE).exists()
    assert Notification.objects.filter(event="due").count() == 40
    assert sent("due") == {(name, c.pk) for name in ("ada", "bob") for c in claims}
    assert len(mailoutbox) == 40
    assert len({(m.to[0], m.subject) for m in mailoutbox}) == 40


def test_a_redelivered_notification_task_sends_nothing_twice(
    celery_worker, redis_broker, mailoutbox, settings
):
    settings.MAILERS = {"default": {"BACKEND": "tests.jobs.email_backends.SlowBackend"}}
    EditorFactory(username="ada", email="ada@example.org")
    EditorFactory(username="bob", email="bob@example.org")
    claims = FlaggedDueClaimFactory.create_batch(10)

    # The same message twice, as Redis hands it out again when a worker did not acknowledge it.
    task_id = str(uuid.uuid4())
    tasks.notify_editors.apply_async(task_id=task_id)
    tasks.notify_editors.apply_async(task_id=task_id)
    wait_until_idle(redis_broker)

    assert len(mailoutbox) == 20
    assert len({(m.to[0], m.subject) for m in mailoutbox}) == 20
    assert sent("due") == {(name, c.pk) for name in ("ada", "bob") for c in claims}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_an_editors_save_with_the_broker_down_is_quick_and_the_next_run_catches_up(
    celery_worker, redis_broker, throwaway_redis, mailoutbox, caplog
):
    editor = EditorFactory(username="ada", email="ada@example.org")
    edited = ClaimFactory(deadline=days_from_today(30))
    passed_meanwhile = ClaimFactory(deadline=days_from_today(-1))
    outage_url, outage_broker = throwaway_redis
    caplog.set_level(logging.WARNING, logger="claims.jobs.queueing")

    with broker(outage_url):
        assert queueing.send_task("claims.tests.warm_up")  # a live connection, then it dies
        outage_broker.kill()
        outage_broker.wait()
        started = time.monotonic()
        with transaction.atomic():  # as the admin saves: the hand-off is published on commit
            edited.deadline = days_from_today(-2)
            lifecycle.edit_claim(claim=edited, by=editor, via="admin")
        elapsed = time.monotonic() - started

    assert elapsed < 2
    assert Claim.objects.get(pk=edited.pk).status == Status.DUE
    assert "Could not queue claims.tasks.notify_editors" in caplog.text
    assert not Notification.objects.exists()

    # Redis is back: the next scheduled run flags what passed meanwhile, and the notification
    # job it hands off to tells editors of both claims.
    tasks.flag_due_claims.delay()
    wait_until_idle(redis_broker)
    assert Claim.objects.get(pk=passed_meanwhile.pk).status == Status.DUE
    assert sent("due") == {("ada", edited.pk), ("ada", passed_meanwhile.pk)}
    assert len(mailoutbox) == 2


def test_a_rolled_back_save_publishes_nothing(redis_broker, transactional_db):
    claim = ClaimFactory(deadline=days_from_today(30))

    with pytest.raises(RuntimeError), transaction.atomic():
        claim.deadline = days_from_today(-2)
        lifecycle.edit_claim(claim=claim, by=None, via="admin")
        raise RuntimeError("the rest of the editor's request failed")

    assert Claim.objects.get(pk=claim.pk).status == Status.OPEN
    assert redis_broker.llen(QUEUE) == 0

    with transaction.atomic():  # the same save, committed: one message, however many claims
        lifecycle.edit_claim(claim=claim, by=None, via="admin")
        for other in ClaimFactory.create_batch(3, deadline=days_from_today(30)):
            other.deadline = days_from_today(-3)
            lifecycle.edit_claim(claim=other, by=None, via="admin")
        assert redis_broker.llen(QUEUE) == 0
    assert redis_broker.llen(QUEUE) == 1
    assert redis_url().endswith("/13")


def test_a_corrected_past_deadline_is_not_announced_again_but_a_new_due_episode_is(
    celery_worker, redis_broker, mailoutbox
):
    editor = EditorFactory(username="ada", email="ada@example.org")
    claim = ClaimFactory(deadline=days_from_today(-3))
    tasks.flag_due_claims.delay()
    wait_until_idle(redis_broker)
    assert len(mailoutbox) == 1

    claim.refresh_from_db()
    claim.deadline = days_from_today(-20)  # corrected, still past: the claim stays due
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")
    for _ in range(2):
        tasks.flag_due_claims.delay()
        tasks.notify_editors.delay()
        wait_until_idle(redis_broker)
    assert len(mailoutbox) == 1

    claim.deadline = days_from_today(10)  # due -> open
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")
    claim.deadline = days_from_today(-3)  # open -> due: a new episode
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")
    wait_until_idle(redis_broker)
    tasks.notify_editors.delay()
    wait_until_idle(redis_broker)

    assert len(mailoutbox) == 2
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 2
    assert Notification.objects.filter(claim=claim, state="sent").count() == 2
