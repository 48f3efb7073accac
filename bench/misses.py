"""Benchmark: what a miss of the response cache costs, in-process, at 200,000 claims (issue 16).

    .venv/bin/python bench/misses.py [--rebuild] [--rounds 9] [--sqlite]

DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
the data is `make bench`'s own (bench/serve.py's BENCH_SERVE_DB, or BENCH_SQLITE_PATH with
--sqlite: 200,000 claims, 600,000 evidence items), built once and reused. The cache is
BENCH_CACHE_URL (default redis://127.0.0.1:6379/6), whose tags and fragments it bumps.

Each page is rendered by Django's test Client in this process, with the response cache off
(RESPONSE_CACHE_SECONDS=0: every request runs its view, as a miss does) and DEBUG off, three
ways: with its fragments stored ("warm"), with every fragment retired before each request
("cold": `registry_changed()` with no tags, as the seed loader does), and with fragments off.
It prints the median of --rounds requests, the queries one request makes and their time (the
API's COUNT(*) apart: maintained counts are to replace it), `/healthz` measured the same way,
and the load average before and after. Not a test: it needs PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("/healthz", "/healthz"),
    ("claim list", "/claims/"),
    ("claim list, filtered", "/claims/?kind=forecast&status=due"),
    ("claim list, recently changed", "/claims/?ordering=-updated_at"),
    ("claim page", "/claims/claim-15/"),
    ("API list", "/api/v1/claims/"),
    ("API list, filtered", "/api/v1/claims/?status=due&kind=target"),
    ("API detail", "/api/v1/claims/15/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--sqlite", action="store_true", help="the SQLite build, not PostgreSQL")
    args = parser.parse_args()

    from bench import dataset, serve

    shape = dataset.Shape()
    if args.sqlite:
        url = serve.ensure_sqlite(serve.SQLITE_PATH, shape, rebuild=args.rebuild)
    else:
        base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        url = serve.ensure_postgres(base, shape, rebuild=args.rebuild)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/6"),
            "RESPONSE_CACHE_SECONDS": "0",
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "testserver",
            "API_ANON_RATE": "1000000/minute",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off: the manifest
    measure(args.rounds)


def measure(rounds: int) -> None:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from claims import cache as response_cache

    client = Client()

    def median_ms(url: str, before=None) -> float:
        times = []
        for _ in range(rounds):
            if before:
                before()
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(times)

    def queries(url: str, before=None) -> str:
        if before:
            before()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        count = [q for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*) AS")]
        rest = [q for q in captured.captured_queries if q not in count]
        text = f"{len(rest)} ({sum(float(q['time']) for q in rest) * 1000:.0f} ms)"
        if count:
            text += f" + COUNT(*) {float(count[0]['time']) * 1000:.0f} ms"
        return text

    def retire_every_fragment() -> None:
        response_cache._bump()  # what registry_changed() does on commit

    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"median of {rounds} requests, in-process, response cache off")
    print()
    print("| page | warm fragments | queries | cold | queries | fragments off | queries |")
    print("|---|---|---|---|---|---|---|")
    for label, url in PAGES:
        client.get(url)
        client.get(url)  # the claims' tags start, then the fragments are stored
        warm, warm_queries = median_ms(url), queries(url)
        cold = median_ms(url, retire_every_fragment)
        cold_queries = queries(url, retire_every_fragment)
        with override_settings(FRAGMENT_CACHE_SECONDS=0):
            off, off_queries = median_ms(url), queries(url)
        print(
            f"| {label} (`{url}`) | {warm:.1f} ms | {warm_queries} | {cold:.1f} ms "
            f"| {cold_queries} | {off:.1f} ms | {off_queries} |"
        )
    print()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
