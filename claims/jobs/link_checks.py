"""Link health: the job that checks every evidence link, politely, and says which have died.

A link is `ok`, `redirected` (it lands on another page), `failing` (its last check failed) or
`dead` (it failed `DEAD_AFTER_FAILURES` checks in a row, each at least `RETRY_AFTER` after the
one before: InternetArchiveBot's rule, so that a server down for a weekend is not called dead).
A working link is checked again `RECHECK_AFTER` later; so is a dead one, which comes back to
`ok` if it answers again. A redirect to the site's home page when the link named another page
is a "soft 404", a failure: the page is gone and the site sends everyone to its front door.

One run (`check_due_links`, the task `claims.tasks.check_links` on the schedule):

1. **Pick.** Read the ids of at most `limit` links whose next check is due and that no run
   holds, the longest-waiting first: one query on the index of `link_next_check_at`, ids only,
   so a run at 100,000 links reads no more than its batch.
2. **Lease.** One conditional UPDATE stamps those of them still due and unheld with this run's
   token and a lease (`LEASE`, longer than a run may take). The rows that carry our token are
   ours; another run that picked the same ids got the others, so two workers never check the
   same link at once. A run that dies leaves leases that simply expire: the next run takes
   the links again.
3. **Check.** Links are grouped by host. Hosts are checked side by side (`concurrency`
   threads), each host's links one after another, at most one check a second per host across
   every worker (`HostGate`: the shared cache holds each host's last second). A check is
   `claims.fetching.fetch(url, head_first=True)`: HEAD, then GET if the server refuses HEAD,
   with the fetcher's limits (public addresses only, 5 redirects, timeouts). Once `budget`
   seconds have passed no new check starts.
4. **Record** each result as it arrives, in one transaction: a `LinkCheck` row (when, status,
   final URL, error, time taken) and the link's new state, next check and failure count, by a
   conditional UPDATE on this run's lease, so that a result for a link whose URL an editor
   changed meanwhile (which clears the lease) is dropped. Only when the state a reader sees
   changes (`ok` to `dead`, say) is the reader cache told (`claims.cache.claims_changed`); a
   recheck that finds the link as it was writes bookkeeping only, with queryset.update(), which
   sends no signal and empties no cache.
5. **Release** the leases of links this run did not reach, so the next run takes them.

Every step reads the database, never a message: a lost or repeated message changes nothing,
and the next scheduled run picks up whatever is due.
"""

from __future__ import annotations

import datetime
import logging
import queue
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from claims import fetching
from claims.cache import claims_changed
from claims.choices import LinkState
from claims.models import Claim, Evidence, LinkCheck

logger = logging.getLogger(__name__)

RECHECK_AFTER = datetime.timedelta(days=7)  # a working (or dead) link's next check
RETRY_AFTER = datetime.timedelta(days=3)  # a failing link's next try
DEAD_AFTER_FAILURES = 3  # failed checks in a row, RETRY_AFTER apart, before a link is dead
LEASE = datetime.timedelta(minutes=15)  # longer than any run: budget + one fetch's timeout
HOST_INTERVAL = 1.0  # seconds between two checks of one host, across all workers
MAX_FAILURES_KEPT = 10_000  # the count only has to say "many"; keeps it in its column


@dataclass
class Verdict:
    """What one check says of a link."""

    outcome: str  # LinkCheck.Outcome
    error: str = ""


@dataclass
class RunCounts:
    picked: int = 0
    leased: int = 0
    checked: int = 0
    ok: int = 0
    redirected: int = 0
    failed: int = 0
    state_changes: int = 0
    dropped: int = 0  # results for links changed meanwhile
    errors: int = 0  # checks that raised (a bug, logged); retried by a later run
    released: int = 0  # links not reached within the budget
    by_state: dict = field(default_factory=dict)


def _site_key(url: str) -> tuple[str, str, str]:
    """The parts that make a page the same page: the host without "www.", the path without a
    trailing slash, and the query (scheme, port and fragment aside: http to https is no move)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, parts.path.rstrip("/") or "/", parts.query


def _is_home(url: str) -> bool:
    _, path, query = _site_key(url)
    return path == "/" and not query


def judge(url: str, result: fetching.FetchResult) -> Verdict:
    """Whether the link works, moved, or failed, from one fetch of it."""
    if result.failed:
        return Verdict(LinkCheck.Outcome.FAILED, result.error)
    status = result.status_code or 0
    if not 200 <= status < 300:
        return Verdict(LinkCheck.Outcome.FAILED, f"the server answered {status}")
    if not result.redirects or _site_key(result.final_url) == _site_key(url):
        return Verdict(LinkCheck.Outcome.OK)
    if _is_home(result.final_url) and not _is_home(url):
        return Verdict(
            LinkCheck.Outcome.FAILED,
            f"redirected to the site's home page ({result.final_url}): a soft 404",
        )
    return Verdict(LinkCheck.Outcome.REDIRECTED)


def next_state(
    *, failures: int, outcome: str, now: datetime.datetime
) -> tuple[str, int, datetime.datetime]:
    """The link's state, failures in a row and next check after a check with `outcome`."""
    if outcome == LinkCheck.Outcome.OK:
        return LinkState.OK, 0, now + RECHECK_AFTER
    if outcome == LinkCheck.Outcome.REDIRECTED:
        return LinkState.REDIRECTED, 0, now + RECHECK_AFTER
    failures = min(failures + 1, MAX_FAILURES_KEPT)
    if failures >= DEAD_AFTER_FAILURES:
        return LinkState.DEAD, failures, now + RECHECK_AFTER
    return LinkState.FAILING, failures, now + RETRY_AFTER


class HostGate:
    """At most one check a second per host: among this run's threads by a lock, and among
    workers by a key per host in the shared cache (Redis in production), added only if absent
    and expiring after HOST_INTERVAL. With the cache down, the in-process spacing still holds."""

    def __init__(self, interval: float = HOST_INTERVAL) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        while True:
            with self._lock:
                wait_for = self._last.get(host, -self.interval) + self.interval - time.monotonic()
                if wait_for <= 0 and self._take_shared(host):
                    self._last[host] = time.monotonic()
                    return
            time.sleep(max(wait_for, 0.05))

    def _take_shared(self, host: str) -> bool:
        try:
            return bool(cache.add(f"link-checks:host:{host}", 1, timeout=self.interval))
        except Exception:  # the cache is down: our own spacing is all we can keep
            return True


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def pick_due(*, now: datetime.datetime, limit: int) -> list[int]:
    """Step 1: the ids of at most `limit` links due for a check and held by no run."""
    return list(
        Evidence.objects.filter(_due(now))
        .order_by("link_next_check_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _due(now: datetime.datetime) -> Q:
    return Q(link_next_check_at__lte=now) & (
        Q(link_leased_until__isnull=True) | Q(link_leased_until__lt=now)
    )


def lease(ids: Iterable[int], *, now: datetime.datetime) -> tuple[uuid.UUID, list[dict]]:
    """Step 2: take the links among `ids` that are still due and unheld; what we took."""
    token = uuid.uuid4()
    Evidence.objects.filter(_due(now), id__in=list(ids)).update(
        link_lease=token, link_leased_until=now + LEASE
    )
    taken = list(
        Evidence.objects.filter(link_lease=token)
        .order_by("link_next_check_at", "id")
        .values("id", "url", "link_state", "link_failures")
    )
    return token, taken


def record(
    link: dict,
    result: fetching.FetchResult,
    *,
    token: uuid.UUID,
    now: datetime.datetime | None = None,
) -> tuple[LinkCheck | None, bool]:
    """Step 4: store one check and the link's new state. Returns the LinkCheck (None if the
    link changed under us) and whether the state a reader sees changed."""
    now = now or timezone.now()
    verdict = judge(link["url"], result)
    state, failures, next_at = next_state(
        failures=link["link_failures"], outcome=verdict.outcome, now=now
    )
    with transaction.atomic():
        updated = Evidence.objects.filter(pk=link["id"], link_lease=token, url=link["url"]).update(
            link_state=state,
            link_failures=failures,
            link_checked_at=now,
            link_next_check_at=next_at,
            link_lease=None,
            link_leased_until=None,
        )
        if not updated:
            return None, False
        check = LinkCheck.objects.create(
            evidence_id=link["id"],
            url=link["url"],
            checked_at=now,
            outcome=verdict.outcome,
            status_code=result.status_code,
            final_url=result.final_url[:2000],
            method=result.method if result.status_code is not None else "",
            error_kind=str(result.error_kind or ""),
            error=verdict.error,
            elapsed_ms=round(result.elapsed * 1000),
            state_after=state,
        )
        changed = state != link["link_state"]
        if changed:
            claims_changed(Claim.objects.filter(evidence__id=link["id"]), lists=False)
    return check, changed


def check_due_links(
    *,
    limit: int = 200,
    concurrency: int = 8,
    budget: float = 240.0,
    gate: HostGate | None = None,
    fetch: Callable[..., fetching.FetchResult] = fetching.fetch,
) -> RunCounts:
    """One run of the link-health job (the module's docstring gives its steps)."""
    counts = RunCounts()
    started = time.monotonic()
    now = timezone.now()
    ids = pick_due(now=now, limit=limit)
    counts.picked = len(ids)
    if not ids:
        return counts
    token, links = lease(ids, now=now)
    counts.leased = len(links)
    by_host: dict[str, list[dict]] = defaultdict(list)
    for link in links:
        by_host[host_of(link["url"])].append(link)
    gate = gate or HostGate()
    results: queue.Queue = queue.Queue()
    done = object()

    def check_host(host: str, host_links: list[dict]) -> None:
        # Network only: the results are written by the calling thread, on its connection.
        try:
            for link in host_links:
                if time.monotonic() - started > budget:
                    return
                gate.wait(host)
                try:
                    results.put((link, fetch(link["url"], head_first=True)))
                except Exception:
                    logger.exception("Checking evidence %s raised", link["id"])
                    results.put((link, None))
        finally:
            results.put(done)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for host, host_links in by_host.items():
            pool.submit(check_host, host, host_links)
        remaining = len(by_host)
        while remaining:
            item = results.get()
            if item is done:
                remaining -= 1
                continue
            link, result = item
            if result is None:
                counts.errors += 1
                continue
            check, changed = record(link, result, token=token)
            if check is None:
                counts.dropped += 1
                continue
            counts.checked += 1
            setattr(counts, check.outcome, getattr(counts, check.outcome) + 1)
            counts.state_changes += changed
            counts.by_state[check.state_after] = counts.by_state.get(check.state_after, 0) + 1
    # Step 5: whatever is still ours was not reached (or raised): back to the queue, as due.
    counts.released = Evidence.objects.filter(link_lease=token).update(
        link_lease=None, link_leased_until=None
    )
    return counts


def claims_with_dead_evidence() -> QuerySet[Claim]:
    """Claims with at least one dead evidence link, for the editors' desk and digest."""
    dead = Evidence.objects.filter(claim=OuterRef("pk"), link_state=LinkState.DEAD)
    return Claim.objects.filter(Exists(dead))
