"""The claim lifecycle: the one place that decides how a claim's status changes.

    open --(deadline passes)--> due --(verdict)--> resolved
      \\_______________(early verdict)______________/
    resolved --(reopen, with a reason)--> open or due
    due --(deadline moved into the future)--> open

The admin, the management commands, the Celery tasks, the seed loader and the API all call
these functions, which take the whole change (the claim with its entities and topics) and work
out from the stored row what it changes. Each change and its `Transition` row are written in
one transaction, and each single-claim change locks the claim's row first, so two editors
cannot both resolve a claim. Evidence is written here too (`save_evidence`); claims and
evidence share the stale-edit check of claims.versions.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from claims import cache as response_cache
from claims import quotes, versions
from claims.jobs import notifications, queueing
from claims.models import (
    LINK_BOOKKEEPING_FIELDS,
    Claim,
    Evidence,
    LinkState,
    Status,
    Transition,
    Verdict,
)
from registry.models import Entity, Topic


class LifecycleError(ValidationError):
    """A change the lifecycle does not allow; the message is shown to editors as is.

    A ValidationError across fields (NON_FIELD_ERRORS), so that whoever turns model validation
    into an answer (the API's 400, the seed loader's report) handles it without importing this
    module."""

    def __init__(self, message: str) -> None:
        super().__init__({NON_FIELD_ERRORS: [message]})

    def __str__(self) -> str:
        return " ".join(self.messages)


def status_for_deadline(deadline: datetime.date | None, today: datetime.date) -> Status:
    """A claim is due once its deadline day is over; one without a deadline stays open."""
    if deadline is not None and deadline < today:
        return Status.DUE
    return Status.OPEN


def _log(
    claim: Claim,
    action: str,
    from_status: str,
    *,
    by,
    via: str,
    reason: str = "",
    verdict: str = "",
    at=None,
):
    return Transition.objects.create(
        claim=claim,
        action=action,
        from_status=from_status,
        to_status=claim.status,
        verdict=verdict,
        reason=reason,
        by=by,
        via=via,
        at=at or timezone.now(),
    )


def _save(claim: Claim, *, by, reason: str = "") -> None:
    # Every caller holds the row lock: the stored version is the one this write follows.
    versions.save_version(claim, stored=claim, by=by, reason=reason)


@transaction.atomic
def create_claim(
    *,
    claim: Claim,
    about: Iterable[Entity] = (),
    topics: Iterable[Topic] = (),
    by=None,
    via: str,
    today: datetime.date | None = None,
) -> Claim:
    """Store a new claim with the entities it is about and its topics, open or (past its
    deadline already) due, and log its creation."""
    today = today or timezone.localdate()
    claim.status = status_for_deadline(claim.deadline, today)
    claim.due_since = timezone.now() if claim.status == Status.DUE else None
    claim.full_clean(exclude=["about", "topics"])
    quotes.check_quote(claim.quote, claim.article)
    versions.save_version(claim, stored=None, by=by)
    claim.about.set(about)
    claim.topics.set(topics)
    _log(claim, Transition.Action.CREATED, "", by=by, via=via)
    return claim


@transaction.atomic
def edit_claim(
    *,
    claim: Claim,
    by,
    via: str,
    reason: str = "",
    about: Iterable[Entity] | None = None,
    topics: Iterable[Topic] | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Claim:
    """Save an editor's changes to a claim: its editable fields that differ from the stored row,
    and `about` and `topics` when given (None leaves them as they are). Nothing changed: nothing
    is written, no new version.

    The status follows from the stored and the new deadline, whoever calls: a due claim whose
    deadline moves into the future is open again, an open claim whose deadline moves into the
    past is due, a resolved claim stays resolved; each move is logged. Lifecycle fields are not
    editable here (LifecycleError). With `expected_version`, a write based on another version
    than the stored one is refused (versions.StaleEdit, saying what changed since).
    """
    stored = versions.lock(claim)
    versions.refuse_if_stale(stored, expected_version)
    lifecycle_changed = _differing(stored, claim, Claim.LIFECYCLE_FIELDS)
    if lifecycle_changed and claim.version == stored.version:
        raise LifecycleError(
            f"Use resolve or reopen to change {', '.join(sorted(lifecycle_changed))}."
        )
    # A copy older than the stored row (a job flagged the claim since it was read, and the
    # caller asked for no version check) takes the stored lifecycle state, as does every copy.
    for name in [*Claim.LIFECYCLE_FIELDS, "seed_fingerprint", "created_at"]:
        attname = Claim._meta.get_field(name).attname
        setattr(claim, attname, getattr(stored, attname))
    changed = _differing(stored, claim, Claim.EDITABLE_FIELDS)
    about_changed = about is not None and _ids(about) != _ids(stored.about.all())
    topics_changed = topics is not None and _ids(topics) != _ids(stored.topics.all())
    if not (changed or about_changed or topics_changed):
        claim.version = stored.version
        return claim
    from_status = stored.status
    deadline_moved = "deadline" in changed
    if deadline_moved and from_status != Status.RESOLVED:
        today = today or timezone.localdate()
        claim.status = status_for_deadline(claim.deadline, today)
        if claim.status == Status.OPEN:
            claim.due_since = None
        elif from_status == Status.OPEN:
            claim.due_since = timezone.now()
    claim.full_clean(exclude=["about", "topics"])
    if {"quote", "article"} & changed:  # a quote kept from before the text was kept stands
        quotes.check_quote(claim.quote, claim.article)
    versions.save_version(claim, stored=stored, by=by, reason=reason)
    if about_changed:
        claim.about.set(about)
    if topics_changed:
        claim.topics.set(topics)
    if deadline_moved:
        moved = f"Deadline moved from {stored.deadline or 'none'} to {claim.deadline or 'none'}."
        _log(
            claim,
            Transition.Action.DEADLINE_MOVED,
            from_status,
            by=by,
            via=via,
            reason=f"{moved} {reason}".strip(),
        )
    if claim.status == Status.DUE and from_status != Status.DUE:
        notifications.notify_editors_on_commit()
    return claim


def _differing(stored: Claim, claim: Claim, names: Iterable[str]) -> set[str]:
    """The concrete fields among `names` whose value in `claim` differs from the stored row's,
    compared as Python values (a date typed as "2027-12-31" is that date)."""
    differing = set()
    for name in names:
        field = Claim._meta.get_field(name)
        if field.many_to_many:
            continue
        new, old = getattr(claim, field.attname), getattr(stored, field.attname)
        with contextlib.suppress(ValidationError):  # full_clean reports it
            new = field.to_python(new)
        if new != old:
            differing.add(name)
    return differing


def _ids(objects: Iterable) -> set:
    return {getattr(obj, "pk", obj) for obj in objects}


@transaction.atomic
def save_evidence(*, evidence: Evidence, by, expected_version: int | None = None) -> Evidence:
    """Store new evidence, or a correction of it. With `expected_version`, a correction based
    on another version than the stored one is refused (versions.StaleEdit, saying what
    changed since)."""
    stored = None
    if not evidence._state.adding:
        stored = versions.lock(evidence)
        versions.refuse_if_stale(stored, expected_version)
        evidence.added_by_id, evidence.added_at = stored.added_by_id, stored.added_at
        # The link-health and snapshot jobs' fields are theirs: kept as stored, not as loaded.
        for name in LINK_BOOKKEEPING_FIELDS:
            setattr(evidence, name, getattr(stored, name))
    elif evidence.added_by_id is None:
        evidence.added_by = by
    evidence.full_clean()
    new_link = stored is None or stored.url != evidence.url
    if new_link:
        # A new address is checked and kept as soon as the jobs can; a check of the old one
        # still running is dropped (it holds the lease cleared here).
        now = timezone.now()
        evidence.link_state, evidence.link_checked_at = LinkState.UNCHECKED, None
        evidence.link_failures, evidence.link_next_check_at = 0, now
        evidence.link_lease = evidence.link_leased_until = None
        evidence.snapshot_due_at = now
    versions.save_version(evidence, stored=stored, by=by)
    if new_link:
        queueing.send_task_on_commit("claims.tasks.take_snapshots")
    return evidence


@transaction.atomic
def resolve_claim(*, claim: Claim, verdict: str, summary: str, by, via: str) -> Claim:
    """Record a verdict, early (from open) or once due. The rationale is required."""
    summary = (summary or "").strip()
    if verdict not in Verdict.values:
        raise LifecycleError(
            f"Unknown verdict {verdict!r}; choose one of {', '.join(Verdict.values)}."
        )
    if not summary:
        raise LifecycleError("A verdict needs a written rationale.")
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if locked.status == Status.RESOLVED:
        raise LifecycleError("This claim is already resolved; reopen it with a reason first.")
    from_status = locked.status
    now = timezone.now()
    locked.status, locked.verdict, locked.verdict_summary = Status.RESOLVED, verdict, summary
    locked.resolved_by, locked.resolved_at = by, now
    _save(locked, by=by, reason=f"Verdict: {verdict}")
    _log(
        locked,
        Transition.Action.RESOLVED,
        from_status,
        by=by,
        via=via,
        reason=summary,
        verdict=verdict,
        at=now,
    )
    _copy_state(locked, into=claim)
    return claim


@transaction.atomic
def reopen_claim(
    *, claim: Claim, reason: str, by, via: str, today: datetime.date | None = None
) -> Claim:
    """Withdraw a verdict. The claim is due again if its deadline has passed, else open."""
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("Reopening a claim needs a reason.")
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != Status.RESOLVED:
        raise LifecycleError("Only a resolved claim can be reopened.")
    today = today or timezone.localdate()
    withdrawn = locked.get_verdict_display()
    locked.status = status_for_deadline(locked.deadline, today)
    locked.due_since = timezone.now() if locked.status == Status.DUE else None
    locked.verdict, locked.verdict_summary, locked.resolved_by, locked.resolved_at = (
        "",
        "",
        None,
        None,
    )
    _save(locked, by=by, reason=reason)
    _log(
        locked,
        Transition.Action.REOPENED,
        Status.RESOLVED,
        by=by,
        via=via,
        reason=f"Verdict withdrawn ({withdrawn}): {reason}",
    )
    if locked.status == Status.DUE:
        notifications.notify_editors_on_commit()
    _copy_state(locked, into=claim)
    return claim


def _copy_state(source: Claim, *, into: Claim) -> None:
    if into is source:
        return
    for field in (
        "status",
        "due_since",
        "verdict",
        "verdict_summary",
        "resolved_by_id",
        "resolved_at",
        "version",
    ):
        setattr(into, field, getattr(source, field))


# On PostgreSQL the job's whole batch is one statement: the UPDATE claims the rows (a concurrent
# run's UPDATE waits on the same rows, then finds them no longer open and skips them), and its
# RETURNING feeds the transition rows, so status and log can never disagree.
_FLAG_DUE_UPDATE = """
UPDATE claims_claim
   SET status = 'due', due_since = %(now)s, updated_at = %(now)s, version = version + 1
 WHERE status = 'open' AND deadline < %(today)s
"""


# It answers with the number flagged and the ids of at most %(named)s of them (the response
# cache names no more than that), rather than every id: at 100,000 claims, 100,000 rows to Python.
_FLAG_DUE_POSTGRES = f"""
WITH flagged AS ({_FLAG_DUE_UPDATE} RETURNING id),
logged AS (
    INSERT INTO claims_transition
           (claim_id, action, from_status, to_status, verdict, reason, via, at)
    SELECT id, 'flagged_due', 'open', 'due', '', %(reason)s, %(via)s, %(now)s FROM flagged
    RETURNING claim_id
)
SELECT (SELECT count(*) FROM logged), ARRAY(SELECT claim_id FROM logged LIMIT %(named)s)
"""


_FLAG_DUE_NAMED_SQLITE = """
SELECT id FROM claims_claim WHERE status = 'open' AND deadline < %(today)s LIMIT %(named)s
"""


_FLAG_DUE_LOG_SQLITE = """
INSERT INTO claims_transition (claim_id, action, from_status, to_status, verdict, reason, via, at)
SELECT id, 'flagged_due', 'open', 'due', '', %(reason)s, %(via)s, %(now)s
  FROM claims_claim
 WHERE status = 'open' AND deadline < %(today)s
"""


@transaction.atomic
def flag_due_claims(*, today: datetime.date | None = None, via: str = "flag_due_claims") -> int:
    """Mark every open claim whose deadline has passed as due; return how many were flagged.

    Idempotent and safe to run concurrently: a claim is flagged (and logged) by exactly one run.
    The claims newly flagged are handed to the notification job once the transaction commits.
    """
    today = today or timezone.localdate()
    params = {
        "now": timezone.now(),
        "today": today,
        "via": via,
        "reason": f"Deadline passed (as of {today}).",
        # One more than the cache names, so that it knows when there were more.
        "named": response_cache.BULK_TAG_LIMIT + 1,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_FLAG_DUE_POSTGRES, params)
            flagged, named = cursor.fetchone()
    else:
        flagged, named = _flag_due_in_three_statements(params)
    if flagged:
        # Raw SQL: no model signal tells the response cache. `named` holds every claim flagged,
        # or, past BULK_TAG_LIMIT, one too many to name, and then every page is retired.
        response_cache.claims_changed(named, columns=("status", "updated_at"))
        notifications.notify_editors_on_commit()
    return flagged


def _flag_due_in_three_statements(params: dict) -> tuple[int, list[int]]:
    # SQLite (the laptop set-up) has no data-modifying CTEs. Its IMMEDIATE transaction (settings:
    # transaction_mode) takes the write lock at BEGIN, so no other run can flag a claim between
    # the statements: the SELECT names, and the INSERT logs, exactly the claims the UPDATE then
    # flags. All are set-based, and no statement hands Python one row per claim flagged: the
    # UPDATE's row count is the number (RETURNING every id cost ~10% of the UPDATE at 20,000).
    # Stored as the ORM stores it (naive UTC text), as the bulk_create that this replaced did.
    params = {**params, "now": connection.ops.adapt_datetimefield_value(params["now"])}
    with connection.cursor() as cursor:
        cursor.execute(_FLAG_DUE_NAMED_SQLITE, params)
        named = [row[0] for row in cursor.fetchall()]
        cursor.execute(_FLAG_DUE_LOG_SQLITE, params)
        cursor.execute(_FLAG_DUE_UPDATE, params)
        return cursor.rowcount, named
