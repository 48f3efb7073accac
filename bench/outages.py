"""Outage runs (issue 11, points 10 to 12): the site under load while Redis or PostgreSQL fails.

    .venv/bin/python bench/outages.py [--seconds 30] [--readers 4] [--workers 2]

Starts servers of its own on loopback (tests/fault_servers.py): a redis-server (broker in
database 0, cache in 1), a PostgreSQL cluster (initdb in a temporary directory) loaded with the
seed registry, and gunicorn (DEBUG off). Reader threads fetch anonymous pages and API reads, a
writer PATCHes a claim through the API with an editor's token, while each phase in turn:
nothing fails; Redis killed; Redis hung (SIGSTOP); PostgreSQL stopped (`pg_ctl stop -m
immediate`). Each outage lasts --seconds; the servers are brought back and given a few seconds
between phases. Then: a claim read, Redis paused for 1 s while it is edited, and how long until
readers see the edit. Prints, per phase, reads and writes answered, 5xx and p50. Not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fault_servers import PostgresServer, RedisServer, Site  # noqa: E402

READ_PATHS = [
    "/",
    "/claims/",
    "/claims/?status=due",
    "/api/v1/claims/",
    "/api/v1/claims/?status=due",
    "/api/v1/topics/",
]


@dataclass
class Tally:
    statuses: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    stale: int = 0

    def add(self, status: int, took: float, stale: bool = False) -> None:
        self.statuses.append(status)
        self.seconds.append(took)
        self.stale += stale

    def line(self, name: str) -> str:
        answered = sum(1 for s in self.statuses if 0 < s < 500)
        errors = sum(1 for s in self.statuses if s >= 500)
        unavailable = sum(1 for s in self.statuses if s == 503)
        failed = sum(1 for s in self.statuses if s == 0)
        p50 = statistics.median(self.seconds) * 1000 if self.seconds else 0
        extra = f", {self.stale} stale from the cache" if self.stale else ""
        return (
            f"{name}: {answered} answered, {errors} 5xx ({unavailable} of them 503), "
            f"{failed} no answer, p50 {p50:.0f} ms{extra}"
        )


def request(url: str, *, method: str = "GET", body: dict | None = None, token: str = ""):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            content = response.read()
            status, headers_in = response.status, response.headers
    except urllib.error.HTTPError as error:
        content, status, headers_in = error.read(), error.code, error.headers
    except OSError:
        return 0, time.perf_counter() - started, b"", {}
    return status, time.perf_counter() - started, content, headers_in


class Load:
    def __init__(self, site: Site, *, readers: int, claims: list[dict], token: str):
        claim_ids, slugs = [c["id"] for c in claims], [c["slug"] for c in claims]
        statements = {c["id"]: c["statement"] for c in claims}
        self.site, self.token = site, token
        self.claim_ids = claim_ids
        self.statements = statements
        self.paths = (
            READ_PATHS
            + [f"/claims/{s}/" for s in slugs]
            + [f"/api/v1/claims/{i}/" for i in claim_ids]
        )
        self.reads, self.writes = Tally(), Tally()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.read, args=(n,)) for n in range(readers)]
        self.threads.append(threading.Thread(target=self.write))

    def read(self, offset: int) -> None:
        n = offset
        while not self.stop.is_set():
            path = self.paths[n % len(self.paths)]
            status, took, _body, headers = request(self.site.base + path)
            stale = "stale" in (headers.get("Cache-Status", "") if headers else "")
            self.reads.add(status, took, stale)
            n += 1

    def write(self) -> None:
        n = 0
        while not self.stop.is_set():
            claim = self.claim_ids[n % len(self.claim_ids)]
            status, took, _body, _headers = request(
                f"{self.site.base}/api/v1/claims/{claim}/",
                method="PATCH",
                body={"statement": f"{self.statements[claim]} ({n})"},
                token=self.token,
            )
            self.writes.add(status, took)
            n += 1

    def run(self, seconds: float, during=None) -> tuple[Tally, Tally]:
        for thread in self.threads:
            thread.start()
        if during:
            during()
        time.sleep(seconds)
        self.stop.set()
        for thread in self.threads:
            thread.join()
        return self.reads, self.writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    redis, postgres = RedisServer(), PostgresServer()
    site = Site(
        {
            "DATABASE_URL": postgres.create_database("outages"),
            "REDIS_URL": redis.url(0),
            "API_ANON_RATE": "1000000/minute",
        },
        workers=args.workers,
    )
    try:
        site.manage("migrate", "--noinput", "-v", "0")
        site.manage("seed_registry")
        site.manage("create_editor", "outage-editor")
        token = site.manage("drf_create_token", "outage-editor").split()[2]
        site.start()
        claims = json.loads(request(site.base + "/api/v1/claims/?page_size=10")[2])["results"]
        claims = claims[:5]

        def phase(name: str, fail=None, restore=None) -> None:
            load = Load(site, readers=args.readers, claims=claims, token=token)
            reads, writes = load.run(args.seconds, during=fail)
            print(f"{name} ({args.seconds:.0f} s)")
            print("  " + reads.line("reads"))
            print("  " + writes.line("writes"))
            sys.stdout.flush()
            if restore:
                restore()
                time.sleep(6)  # past the cache's pause, and a database reconnect

        print(
            f"gunicorn {args.workers} sync workers, {args.readers} reader threads, 1 writer; "
            "PostgreSQL and Redis of the run's own, on loopback."
        )
        phase("nothing fails")
        phase("Redis killed", redis.kill, redis.start)
        phase("Redis hung (SIGSTOP)", redis.pause, redis.resume)
        phase("PostgreSQL stopped (pg_ctl stop -m immediate)", postgres.stop, postgres.start)

        # Point 11: an edit whose invalidation fails reaches readers once Redis answers.
        detail = f"{site.base}/api/v1/claims/{claims[0]['id']}/"
        request(detail)
        redis.pause()
        request(detail, method="PATCH", body={"statement": "Edited while Redis hung."}, token=token)
        time.sleep(1)
        redis.resume()
        resumed = time.monotonic()
        while time.monotonic() - resumed < 60:
            if b"Edited while Redis hung." in request(detail)[2]:
                break
            time.sleep(0.05)
        print(
            "Edit made while Redis was paused for 1 s: readers see it "
            f"{time.monotonic() - resumed:.1f} s after Redis answers again."
        )
    finally:
        site.close()
        redis.close()
        postgres.close()


if __name__ == "__main__":
    main()
