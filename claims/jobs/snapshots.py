"""The snapshot job: a text copy of each evidence page, taken when the evidence is added.

`Evidence.snapshot_due_at` says a snapshot is wanted (set by `claims.lifecycle.save_evidence`
when evidence is added or its URL changes, and by the admin's "Take a snapshot now"). One run
(`take_due_snapshots`, the task `claims.tasks.take_snapshots`, queued after the save commits
and run on the schedule to catch up a lost message):

1. reads the links whose snapshot is due, oldest first, at most `limit`;
2. takes each with a conditional UPDATE that moves `snapshot_due_at` from the value read to the
   end of a lease: the run whose UPDATE changed the row has it; another run skips it, and one
   that dies leaves a lease that expires, so the next run tries again;
3. fetches the page (`claims.fetching.fetch(url, text_only=True)`: public addresses only, 5 MB,
   HTML or text), politely (the link checks' `HostGate`, one request a second per host);
4. stores a `Snapshot` row, the page's text or the error that stopped it (a page over the size
   cap, a PDF, a TLS failure, a timeout, a redirect loop: each a recorded failure, never a
   crashed job), and clears `snapshot_due_at` if it still holds our lease (an editor who
   changed the URL meanwhile asked for a new one, which stays due). A snapshot taken is shown
   to readers, so it tells the reader cache (`claims_changed`); a failed one is not shown.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from claims import fetching
from claims.cache import claims_changed
from claims.jobs.link_checks import HostGate, host_of
from claims.models import Claim, Evidence, Snapshot
from claims.snapshots import snapshot_fields

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=10)


def take_due_snapshots(
    *,
    limit: int = 20,
    gate: HostGate | None = None,
    fetch: Callable[..., fetching.FetchResult] = fetching.fetch,
) -> dict:
    """One run of the snapshot job (the module's docstring gives its steps)."""
    counts = {"taken": 0, "failed": 0, "skipped": 0}
    gate = gate or HostGate()
    due = list(
        Evidence.objects.filter(snapshot_due_at__lte=timezone.now())
        .order_by("snapshot_due_at", "id")
        .values("id", "url", "snapshot_due_at")[:limit]
    )
    for link in due:
        lease_until = timezone.now() + LEASE
        taken = Evidence.objects.filter(
            pk=link["id"], snapshot_due_at=link["snapshot_due_at"]
        ).update(snapshot_due_at=lease_until)
        if not taken:
            counts["skipped"] += 1
            continue
        gate.wait(host_of(link["url"]))
        try:
            result = fetch(link["url"], text_only=True)
            fields = snapshot_fields(result)
        except Exception:  # a bug, not a bad page: logged, and retried when the lease expires
            logger.exception("Taking a snapshot of evidence %s raised", link["id"])
            continue
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                evidence_id=link["id"], taken_at=timezone.now(), **fields
            )
            Evidence.objects.filter(
                pk=link["id"], snapshot_due_at=lease_until, url=link["url"]
            ).update(snapshot_due_at=None)
            if snapshot.succeeded:
                claims_changed(Claim.objects.filter(evidence__id=link["id"]), lists=False)
        counts["taken" if snapshot.succeeded else "failed"] += 1
    return counts


def request_snapshots(evidence_ids: list[int]) -> int:
    """Ask for a new snapshot of each (the admin's action); the job takes them after commit."""
    from claims.jobs.queueing import send_task_on_commit

    count = Evidence.objects.filter(pk__in=evidence_ids).update(snapshot_due_at=timezone.now())
    if count:
        send_task_on_commit("claims.tasks.take_snapshots")
    return count
