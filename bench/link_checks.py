"""Benchmark: the link-health job (claims.jobs.link_checks), its rate and its queue.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<yours> .venv/bin/python bench/link_checks.py

Runs on a throwaway test database (test_<name>, created and dropped here; SQLite in memory
without DATABASE_URL). Two parts:

1. **Checks per minute with the per-host limit.** Starts an HTTP server in another process on
   each of 16 loopback addresses (127.0.0.2 to 127.0.0.17: 16 hosts, allowed for this process
   only through FETCH_ALLOWED_PRIVATE_ADDRESSES), adds 8 links per host, and times real runs of
   `check_due_links` at several concurrencies, then one host alone (the per-host ceiling:
   60 a minute).
2. **The queue at 100,000 links.** Inserts 100,000 evidence links, all due at once (a fresh
   import: the worst case), and times step 1 and 2 of a run (pick 200 ids, lease them) with
   the memory they take; then records a run's worth of results as bookkeeping UPDATEs, and
   prints how the schedule spreads the links once checked.
"""

from __future__ import annotations

import datetime
import http.server
import multiprocessing
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOSTS = [f"127.0.0.{n}" for n in range(2, 18)]
LINKS_PER_HOST = 8


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "20000")
        self.end_headers()


def serve(address: str, ports) -> None:
    server = http.server.ThreadingHTTPServer((address, 0), Handler)
    ports.put((address, server.server_port))
    server.serve_forever()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["FETCH_ALLOWED_PRIVATE_ADDRESSES"] = "127.0.0.0/8"
    import django

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)  # test_<name>


def rate() -> None:
    from claims.jobs import link_checks
    from claims.models import Evidence, LinkCheck
    from tests.factories import ClaimFactory

    ports: multiprocessing.Queue = multiprocessing.Queue()
    servers = [
        multiprocessing.Process(target=serve, args=(host, ports), daemon=True) for host in HOSTS
    ]
    for process in servers:
        process.start()
    addresses = [ports.get(timeout=10) for _ in servers]
    claim = ClaimFactory()

    def links(hosts) -> int:
        Evidence.objects.all().delete()
        Evidence.objects.bulk_create(
            Evidence(claim=claim, url=f"http://{host}:{port}/page/{n}", title="t", stance="context")
            for host, port in hosts
            for n in range(LINKS_PER_HOST)
        )
        return len(hosts) * LINKS_PER_HOST

    print("1. Checks per minute, one check a second per host at most")
    for concurrency, hosts in ((4, addresses), (8, addresses), (16, addresses), (1, addresses[:1])):
        total = links(hosts)
        started = time.monotonic()
        counts = link_checks.check_due_links(limit=total, concurrency=concurrency)
        took = time.monotonic() - started
        assert counts.checked == total, counts
        print(
            f"   {len(hosts):2d} hosts x {LINKS_PER_HOST} links, {concurrency:2d} at once: "
            f"{total} checks in {took:5.1f} s = {total / took * 60:6.0f} checks a minute"
        )
    LinkCheck.objects.all().delete()
    for process in servers:
        process.terminate()


def queue_at_scale(n: int = 100_000, batch: int = 200) -> None:
    from django.db import connection
    from django.utils import timezone

    from claims.jobs import link_checks
    from claims.models import Evidence
    from tests.factories import ClaimFactory

    Evidence.objects.all().delete()
    claims = [ClaimFactory() for _ in range(100)]
    now = timezone.now()
    started = time.monotonic()
    for chunk in range(0, n, 10_000):
        Evidence.objects.bulk_create(
            Evidence(
                claim=claims[i % 100],
                url=f"https://host{i % 5000}.example.org/page/{i}",
                title="t",
                stance="context",
                link_next_check_at=now - datetime.timedelta(seconds=n - i),
            )
            for i in range(chunk, min(chunk + 10_000, n))
        )
    print(f"\n2. The queue at {n:,} links (inserted in {time.monotonic() - started:.1f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_evidence")

    picks, leases, peaks = [], [], []
    for _ in range(5):
        tracemalloc.start()
        t0 = time.perf_counter()
        ids = link_checks.pick_due(now=timezone.now(), limit=batch)
        t1 = time.perf_counter()
        token, taken = link_checks.lease(ids, now=timezone.now())
        t2 = time.perf_counter()
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        picks.append(t1 - t0)
        leases.append(t2 - t1)
        # Record them as a run would (bookkeeping only), so the next pick takes the next batch.
        for link in taken:
            Evidence.objects.filter(pk=link["id"], link_lease=token).update(
                link_state="ok",
                link_checked_at=now,
                link_next_check_at=now + link_checks.RECHECK_AFTER,
                link_lease=None,
                link_leased_until=None,
            )
    print(
        f"   pick {batch} of {n:,} due: median {statistics.median(picks) * 1000:.1f} ms; "
        f"lease them: {statistics.median(leases) * 1000:.1f} ms; "
        f"peak Python memory for both: {max(peaks) / 1024:.0f} kB"
    )
    plan = (
        Evidence.objects.filter(link_checks._due(timezone.now()))
        .order_by("link_next_check_at", "id")
        .values("id")[:batch]
        .explain()
    )
    plan = " / ".join(line.strip() for line in plan.splitlines()[:3])
    print(f"   plan: {plan}")

    from django.conf import settings

    per_run, every = settings.LINK_CHECKS_PER_RUN, settings.LINK_CHECKS_EVERY_MINUTES
    per_day = per_run * 24 * 60 // every
    first_pass = n / per_day
    print(
        f"   schedule: {per_run} links every {every} minutes = {per_day:,} a day at most; a "
        f"backlog of {n:,} is first checked within {first_pass:.1f} days, oldest due first."
    )
    print(
        f"   each link is then due a week after its own check, so the weekly load keeps the "
        f"first pass's spread: {n / 7:,.0f} a day, {n / 7 / (24 * 60 / every):.0f} a run "
        f"({per_run} per run is the ceiling)."
    )


if __name__ == "__main__":
    setup_django()
    from django.db import connection

    try:
        rate()
        queue_at_scale()
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
