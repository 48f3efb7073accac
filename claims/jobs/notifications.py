"""What editors are told, and its delivery by email.

Notifications are rows first (claims.models.Notification) and emails second:
  - the `queue_*` functions create the rows: a "due" notice per editor for each due episode
    (the transition that made a claim due: flagged by the job, deadline moved into the past,
    reopened past its deadline), reminders before a deadline, a daily digest. Their unique
    constraints make each (editor, episode), (editor, claim, reminder, deadline) and
    (editor, digest day) exist once, however many runs or workers try to create it. A claim
    that is due and stays due (its deadline corrected to another past date) is not announced
    again;
  - `send_pending` sends them. Each row is taken with a conditional UPDATE (pending -> sending)
    before its email goes out, so two senders, or a task delivered twice, never send a row twice.
    "sending" is a lease: a row whose sender died holds it for SENDING_LEASE at most, then goes
    back to pending. Each row's email has one Message-ID, the same on every attempt.
    A failed send is retried with exponential backoff, and marked failed after the last attempt;
    a send that timed out after the server took the whole message (claims.jobs.smtp) was probably
    delivered, and is tried once more at most, then counted as sent.
A notice that no longer applies when its turn comes (the claim was resolved or is in another due
episode, a reminder's deadline moved) is cancelled rather than sent.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage, mailers
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from claims.jobs import queueing
from claims.jobs.smtp import MessageHandedOver
from claims.models import Claim, Notification, Status, Transition
from claims.models import NotificationState as State

logger = logging.getLogger(__name__)

EDITORS_GROUP = "Editors"
MAX_ATTEMPTS = 5
FIRST_RETRY_AFTER = datetime.timedelta(minutes=1)  # then 2, 4, 8 minutes
# A claim that became due longer ago than this gets no "due" notice any more (the digest still
# lists it): enough to catch up after a broker outage, without flooding new editors.
DUE_NOTICE_WINDOW = datetime.timedelta(days=7)
# "sending" is a lease: a row still sending after this long belonged to a sender that died
# mid-send, and goes back to pending (same Message-ID, same attempt count) for the next run.
# Well over a send's worst case (settings.MAILERS' SMTP timeout, 10 s, per exchange).
SENDING_LEASE = datetime.timedelta(minutes=2)
DIGEST_LIST_LENGTH = 25
COMING_DUE_WITHIN = datetime.timedelta(days=7)


def _editor_accounts() -> QuerySet:
    members = Group.objects.filter(name=EDITORS_GROUP).values("user")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=members) | Q(is_superuser=True), is_active=True)
        .order_by("pk")
    )


def editors() -> QuerySet:
    """Who is notified: active members of the Editors group and active superusers, with an
    email address."""
    return _editor_accounts().exclude(email="")


def editors_without_email() -> QuerySet:
    """The editors `editors()` leaves out for want of an address: they are never notified."""
    return _editor_accounts().filter(email="")


def reminder_event(days: int) -> str:
    return f"{Notification.REMINDER_PREFIX}{days}"


# --- Creating notifications ------------------------------------------------------------------


def _already_notified(event: str) -> Exists:
    return Exists(
        Notification.objects.filter(
            claim=OuterRef("pk"), event=event, event_date=OuterRef("deadline")
        )
    )


def _create(rows: list[Notification]) -> int:
    # A concurrent run may create the same rows first: the unique constraints keep one of each.
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def _claim_notices(claims: QuerySet, event: str, now: datetime.datetime) -> int:
    recipients = list(editors().values_list("pk", flat=True))
    if not recipients:
        return 0
    return _create(
        [
            Notification(
                recipient_id=recipient,
                claim_id=claim_id,
                event=event,
                event_date=deadline,
                created_at=now,
                next_attempt_at=now,
            )
            for claim_id, deadline in claims.values_list("pk", "deadline").order_by("pk")
            for recipient in recipients
        ]
    )


def _due_episodes() -> QuerySet:
    """Each claim's transitions into "due" from another status, latest first: the first is the
    claim's current due episode (a due -> due deadline correction starts none)."""
    return (
        Transition.objects.filter(claim=OuterRef("pk"), to_status=Status.DUE)
        .exclude(from_status=Status.DUE)
        .order_by("-at", "-id")
    )


def current_due_episode(claim: Claim) -> int | None:
    """The id of the transition that made `claim` due, if it is due."""
    if claim.status != Status.DUE:
        return None
    return (
        Transition.objects.filter(claim=claim, to_status=Status.DUE)
        .exclude(from_status=Status.DUE)
        .order_by("-at", "-id")
        .values_list("pk", flat=True)
        .first()
    )


def queue_due_notices(*, now: datetime.datetime | None = None) -> int:
    """A notice to every editor for each claim that became due lately, once per due episode
    (the transition that made it due). Returns how many rows it asked for.

    A claim entered when its deadline had already passed (a seed load, an old article) gets
    no notice for that episode: nothing passed unnoticed, and the digest lists it as newly due.
    """
    now = now or timezone.now()
    episodes = _due_episodes()
    claims = (
        Claim.objects.due()
        .filter(due_since__gte=now - DUE_NOTICE_WINDOW, deadline__isnull=False)
        .annotate(
            episode_id=Subquery(episodes.values("pk")[:1]),
            episode_action=Subquery(episodes.values("action")[:1]),
        )
        .filter(episode_id__isnull=False)
        .exclude(episode_action=Transition.Action.CREATED)
        .exclude(Exists(Notification.objects.filter(episode=OuterRef("episode_id"))))
    )
    recipients = list(editors().values_list("pk", flat=True))
    return _create(
        [
            Notification(
                recipient_id=recipient,
                claim_id=claim_id,
                episode_id=episode_id,
                event=Notification.DUE,
                event_date=deadline,
                created_at=now,
                next_attempt_at=now,
            )
            for claim_id, episode_id, deadline in claims.values_list(
                "pk", "episode_id", "deadline"
            ).order_by("pk")
            for recipient in recipients
        ]
        if recipients
        else []
    )


def queue_reminders(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Reminders for open claims whose deadline is near: with reminders at 30 and 7 days, a
    deadline 8 to 30 days away gets the 30-day one, a deadline 0 to 7 days away the 7-day one.
    A claim whose deadline moves is reminded again for its new date."""
    now = now or timezone.now()
    days = settings.CLAIM_REMINDER_DAYS  # longest first
    queued = 0
    for farthest, nearer in zip(days, [*days[1:], -1], strict=True):
        event = reminder_event(farthest)
        claims = (
            Claim.objects.open()
            .filter(
                deadline__gt=today + datetime.timedelta(days=nearer),
                deadline__lte=today + datetime.timedelta(days=farthest),
            )
            .exclude(_already_notified(event))
        )
        queued += _claim_notices(claims, event, now)
    return queued


def queue_digests(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """One digest per editor per day."""
    now = now or timezone.now()
    already = Notification.objects.filter(
        recipient=OuterRef("pk"), event=Notification.DIGEST, event_date=today
    )
    recipients = editors().exclude(Exists(already)).values_list("pk", flat=True)
    return _create(
        [
            Notification(
                recipient_id=recipient,
                event=Notification.DIGEST,
                event_date=today,
                created_at=now,
                next_attempt_at=now,
            )
            for recipient in recipients
        ]
    )


# --- Sending ---------------------------------------------------------------------------------


@dataclass
class Delivery:
    """What one `send_pending` run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    interrupted: int = 0
    # Of `sent`: handed over to the server, which never confirmed (probably delivered).
    unconfirmed: int = 0


def send_pending(*, limit: int = 500, now: datetime.datetime | None = None) -> Delivery:
    """Send the pending notifications whose time has come, oldest first, after taking back
    the rows whose sender's lease expired (it died mid-send)."""
    now = now or timezone.now()
    delivery = Delivery()
    delivery.interrupted = _take_back_expired_leases(now)
    pending = (
        Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    mailer = mailers.default
    for pk in list(pending):
        outcome = _send_one(pk, mailer)
        if outcome == "unconfirmed":
            delivery.unconfirmed += 1
            outcome = "sent"
        if outcome:
            setattr(delivery, outcome, getattr(delivery, outcome) + 1)
    return delivery


def _take_back_expired_leases(now: datetime.datetime) -> int:
    """A row "sending" past its lease goes back to pending, to be sent now with the same
    Message-ID and attempt count; one that was on its last attempt is marked failed (a notice
    whose sending kills its worker must not kill one a minute for ever)."""
    expired = Notification.objects.filter(state=State.SENDING, claimed_at__lt=now - SENDING_LEASE)
    retried = expired.filter(attempts__lt=MAX_ATTEMPTS).update(
        state=State.PENDING,
        next_attempt_at=now,
        last_error="Interrupted while sending (the sender stopped); sent again.",
    )
    given_up = expired.update(
        state=State.FAILED,
        last_error=f"Interrupted while sending on attempt {MAX_ATTEMPTS}; not tried again.",
    )
    return retried + given_up


def message_id(notification: Notification) -> str:
    """The notice's Message-ID: derived from its row and the site's domain, so every attempt
    carries the same one and a receiving server or client can tell a copy from a new email."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}@{domain}>"


def _send_one(pk: int, mailer) -> str | None:
    """Send one notification if this caller wins it; return what became of it."""
    now = timezone.now()
    won = Notification.objects.filter(pk=pk, state=State.PENDING).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not won:  # another sender has it, or has sent it
        return None
    notification = Notification.objects.select_related(
        "recipient", "claim__article__outlet", "claim__claimant"
    ).get(pk=pk)  # won just now: it exists, and is ours
    if not notification.message_id:
        notification.message_id = message_id(notification)
        Notification.objects.filter(pk=pk).update(message_id=notification.message_id)
    # Ours while the lease lasts: a sender whose lease expired and was taken over writes nothing.
    taken = Notification.objects.filter(pk=pk, state=State.SENDING, claimed_at=now)
    message = None
    try:
        reason = _no_longer_applies(notification, timezone.localdate())
        message = None if reason else _message(notification)
        if message is None:
            taken.update(state=State.CANCELLED, last_error=reason or "Nothing to report.")
            return "cancelled"
        mailer.send_messages([message])
    except Exception as error:  # one bad row must not stop the others
        logger.warning(
            "Notification %s: attempt %s failed", pk, notification.attempts, exc_info=True
        )
        error_text = f"{type(error).__name__}: {error}"[:2000]
        if notification.handed_over_at or (
            isinstance(error, MessageHandedOver) and notification.attempts >= MAX_ATTEMPTS
        ):
            # A copy probably reached the server already: no further attempt.
            taken.update(
                state=State.SENT,
                sent_at=notification.handed_over_at or timezone.now(),
                subject=message.subject if message else notification.subject,
                last_error=f"Probably delivered: the server took the message but never "
                f"confirmed it. Last attempt: {error_text}"[:2000],
                handed_over_at=notification.handed_over_at or timezone.now(),
            )
            return "unconfirmed"
        retry_at = now + FIRST_RETRY_AFTER * 2 ** (notification.attempts - 1)
        if isinstance(error, MessageHandedOver):
            taken.update(
                state=State.PENDING,
                handed_over_at=timezone.now(),
                last_error=f"{error_text} (tried once more, with the same Message-ID)"[:2000],
                next_attempt_at=retry_at,
            )
            return "retrying"
        failed = notification.attempts >= MAX_ATTEMPTS
        taken.update(
            state=State.FAILED if failed else State.PENDING,
            last_error=error_text,
            next_attempt_at=retry_at,
        )
        return "failed" if failed else "retrying"
    taken.update(state=State.SENT, sent_at=timezone.now(), subject=message.subject, last_error="")
    return "sent"


def _no_longer_applies(notification: Notification, today: datetime.date) -> str:
    claim = notification.claim
    if notification.event == Notification.DUE:
        if notification.episode_id != current_due_episode(claim):
            return "The claim is no longer in the due episode this notice is about."
    elif notification.event.startswith(Notification.REMINDER_PREFIX):
        if claim.status != Status.OPEN or claim.deadline != notification.event_date:
            return "The claim was resolved, or its deadline moved, before the reminder went out."
        if claim.deadline < today:
            return "The deadline passed before the reminder went out."
    return ""


# --- The emails ------------------------------------------------------------------------------


def _admin_url(claim: Claim) -> str:
    return settings.SITE_URL + reverse("admin:claims_claim_change", args=[claim.pk])


def _message(notification: Notification) -> EmailMessage | None:
    if notification.event == Notification.DIGEST:
        context = digest_content(
            since=notification.created_at - datetime.timedelta(days=1),
            today=notification.event_date,
        )
        if not any(context[part] for part in ("newly_due", "coming_due", "waiting")):
            return None
        subject = (
            f"Claim registry digest for {notification.event_date:%-d %b %Y}: "
            f"{context['newly_due_total']} newly due, {context['coming_due_total']} coming due"
        )
        template = "claims/email/digest.txt"
    else:
        claim = notification.claim
        context = {
            "claim": claim,
            "url": _admin_url(claim),
            "days_left": (claim.deadline - timezone.localdate()).days,
        }
        if notification.event == Notification.DUE:
            subject, template = f"Due for a verdict: {claim}", "claims/email/due.txt"
        else:
            subject = f"Deadline on {claim.deadline:%-d %b %Y}: {claim}"
            template = "claims/email/reminder.txt"
    context |= {"notification": notification, "site_url": settings.SITE_URL}
    return EmailMessage(
        subject=" ".join(subject.split())[:200],
        body=render_to_string(template, context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
        headers={"Message-ID": notification.message_id or message_id(notification)},
    )


def digest_content(*, since: datetime.datetime, today: datetime.date) -> dict:
    """The digest's three lists: claims newly due since `since`, open claims coming due within
    a week, and the claims that have waited longest for a verdict (each list cut short)."""
    due = Claim.objects.due().with_sources()
    newly_due = due.filter(due_since__gte=since).order_by("deadline", "pk")
    coming_due = (
        Claim.objects.open()
        .with_sources()
        .filter(deadline__gte=today, deadline__lte=today + COMING_DUE_WITHIN)
        .order_by("deadline", "pk")
    )
    waiting = due.filter(due_since__lt=since).order_by("due_since", "deadline", "pk")
    n = DIGEST_LIST_LENGTH
    parts = {"newly_due": newly_due, "coming_due": coming_due, "waiting": waiting}
    content = {name: [(c, _admin_url(c)) for c in query[:n]] for name, query in parts.items()}
    content |= {f"{name}_total": query.count() for name, query in parts.items()}
    content["queue_url"] = (
        settings.SITE_URL + reverse("admin:claims_claim_changelist") + "?status__exact=due"
    )
    # Claims whose evidence has died (claims.jobs.link_checks): a verdict may need new sources.
    from claims.jobs.link_checks import claims_with_dead_evidence

    dead = claims_with_dead_evidence().order_by("deadline", "pk")
    content["dead_evidence"] = [(c, _admin_url(c)) for c in dead[:n]]
    content["dead_evidence_total"] = dead.count()
    content["dead_evidence_url"] = (
        settings.SITE_URL + reverse("admin:claims_evidence_changelist") + "?link_state__exact=dead"
    )
    return content


def notify_editors_on_commit() -> None:
    """Run the notification job (claims.tasks.notify_editors) once the current transaction
    commits: it creates the notices for claims newly due and sends what is pending. Should the
    broker be down, the job's own run every minute catches up."""
    queueing.send_task_on_commit("claims.tasks.notify_editors")
