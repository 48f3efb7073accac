"""Benchmark: the reader site and the API at 200,000 claims, against /healthz (PostgreSQL).

    make bench        # or: .venv/bin/python bench/serve.py [--rebuild] [--duration 10]

DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
its own database is never touched. The benchmark builds `claims_bench_serve` there once (migrate,
then INSERT ... SELECT generate_series: 200,000 claims, 600,000 evidence items, their entities,
topics and transition log over 20,000 articles of 50 outlets), and reuses it on later runs.
(`claims_bench` is bench/flagging.py's, which drops and rebuilds it at a million claims.)

It starts gunicorn on 127.0.0.1 only (DEBUG off, the response cache on a Redis database of its
own, REDIS_DB, flushed first) and, per endpoint: times a few uncached requests (a query string
no page reads makes each a miss), then drives the cached address with wrk for --duration
seconds, and prints requests/s, p50 and p99 and the ratios to /healthz from the same run. Then
the gunicorn workers' resident memory, then bench/flagging.py's ratio (--skip-flagging to skip).
Not a test: it needs PostgreSQL, Redis and wrk, and takes a few minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DB = "claims_bench_serve"
REDIS_DB = 5
TODAY = "2026-11-24"

# Targets from issue 6, each against /healthz in the same run.
MIN_RPS_RATIO = 0.5
MAX_P99_RATIO = 4.0
MAX_RSS_MB = 150


def database_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def ensure_database(base: str, *, claims: int, evidence: int, rebuild: bool) -> str:
    url = database_url(base, BENCH_DB)
    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if exists and not rebuild:
            try:
                with psycopg.connect(url) as bench:
                    built = bench.execute("SELECT count(*) FROM claims_claim").fetchone()[0]
                    built_evidence = bench.execute(
                        "SELECT count(*) FROM claims_evidence"
                    ).fetchone()[0]
                if (built, built_evidence) == (claims, evidence):
                    print(f"Reusing {BENCH_DB}: {claims:,} claims, {evidence:,} evidence items.")
                    migrate(url)  # a no-op unless the code gained a migration since
                    return url
            except psycopg.Error:
                pass
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    migrate(url)
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        build(conn, claims=claims, evidence=evidence)
    print(f"Built {BENCH_DB} in {time.monotonic() - started:.0f} s.")
    return url


def migrate(url: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
    )


def build(conn, *, claims: int, evidence: int) -> None:
    """Set-based: a realistic spread of statuses, kinds, claimants, topics and evidence."""
    outlets, articles, entities, topics = 50, max(claims // 10, 1), 2_000, 40
    params = {
        "outlets": outlets,
        "articles": articles,
        "entities": entities,
        "topics": topics,
        "claims": claims,
        "evidence": evidence,
        "today": TODAY,
    }
    statements = [
        """INSERT INTO registry_outlet (slug, name, url)
           SELECT 'outlet-' || i, 'Outlet ' || i, 'https://outlet' || i || '.example.org/'
             FROM generate_series(1, %(outlets)s) i""",
        """INSERT INTO registry_article (slug, outlet_id, title, authors, url, published_on,
                                         published_precision, date_note, source_file)
           SELECT 'article-' || i, (SELECT min(id) FROM registry_outlet) + i %% %(outlets)s,
                  'Article number ' || i || ' on industrial policy', 'A. Writer', '',
                  DATE '2018-01-01' + (i %% 2900), 'day', '', ''
             FROM generate_series(1, %(articles)s) i""",
        """INSERT INTO registry_entity (slug, name, kind, url)
           SELECT 'entity-' || i, 'Entity ' || i, 'government', ''
             FROM generate_series(1, %(entities)s) i""",
        """INSERT INTO registry_topic (slug, name)
           SELECT 'topic-' || i, 'Topic ' || i FROM generate_series(1, %(topics)s) i""",
        # Statuses by i: 60% open (deadline ahead), 15% due, 25% resolved; a third reported.
        """INSERT INTO claims_claim (
               slug, article_id, claimant_type, claimant_id, statement, quote, kind, made_on,
               deadline, deadline_text, deadline_precision, ambiguity, resolution_criteria,
               probability, status, due_since, verdict, verdict_summary, resolved_at, version,
               seed_fingerprint, created_at, updated_at, conditional, deadline_reason,
               deadline_source, hedge, hedge_class)
           SELECT 'claim-' || i,
                  (SELECT min(id) FROM registry_article) + i %% %(articles)s,
                  CASE WHEN i %% 3 = 0 THEN 'reported' ELSE 'outlet' END,
                  CASE WHEN i %% 3 = 0
                       THEN (SELECT min(id) FROM registry_entity) + i %% %(entities)s END,
                  'Checkable statement number ' || i || ': output reaches a stated figure.',
                  'A verbatim sentence from the article, number ' || i || '.',
                  (ARRAY['forecast', 'target', 'statistic'])[1 + (i / 3) %% 3],
                  DATE '2018-01-01', d.deadline, 'by ' || extract(year FROM d.deadline), 'day',
                  '', 'An official figure at or above the stated one.', NULL,
                  s.status,
                  CASE WHEN s.status = 'due' THEN now() END,
                  CASE WHEN s.status = 'resolved'
                       THEN (ARRAY['correct', 'partly_correct', 'incorrect',
                                   'unresolvable'])[1 + i %% 4]
                       ELSE '' END,
                  CASE WHEN s.status = 'resolved'
                       THEN 'The official figures settle it.' ELSE '' END,
                  CASE WHEN s.status = 'resolved' THEN now() - (i %% 700) * interval '1 day' END,
                  1, '', now(), now() - (i %% 1000) * interval '1 hour', false, '', '', '', ''
             FROM generate_series(1, %(claims)s) i,
                  LATERAL (SELECT CASE WHEN i %% 20 < 12 THEN 'open'
                                       WHEN i %% 20 < 15 THEN 'due'
                                       ELSE 'resolved' END AS status) s,
                  LATERAL (SELECT CASE WHEN s.status = 'open'
                                       THEN %(today)s::date + (i %% 3650)
                                       ELSE %(today)s::date - 1 - (i %% 2000) END AS deadline) d""",
        """INSERT INTO claims_claim_about (claim_id, entity_id)
           SELECT c.id, (SELECT min(id) FROM registry_entity) + (c.id * 7) %% %(entities)s
             FROM claims_claim c""",
        """INSERT INTO claims_claim_topics (claim_id, topic_id)
           SELECT c.id, (SELECT min(id) FROM registry_topic) + c.id %% %(topics)s
             FROM claims_claim c""",
        """INSERT INTO claims_evidence (claim_id, url, title, publisher, published_on, stance,
                                        note, added_at, version, link_failures,
                                        link_next_check_at, link_state)
           SELECT (SELECT min(id) FROM claims_claim) + i %% %(claims)s,
                  'https://example.org/report/' || i, 'Report number ' || i, 'Statistics office',
                  DATE '2024-01-01' + (i %% 1000),
                  (ARRAY['supports', 'refutes', 'context'])[1 + i %% 3],
                  'What this report shows about the claim.', now(), 1, 0, now(), 'unchecked'
             FROM generate_series(1, %(evidence)s) i""",
        """INSERT INTO claims_transition (claim_id, action, from_status, to_status, verdict,
                                          reason, via, at)
           SELECT id, 'created', '', 'open', '', '', 'seed', created_at FROM claims_claim""",
        """INSERT INTO claims_transition (claim_id, action, from_status, to_status, verdict,
                                          reason, via, at)
           SELECT id, 'flagged_due', 'open', 'due', '', 'Deadline passed.', 'flag_due_claims',
                  now()
             FROM claims_claim WHERE status <> 'open'""",
        """INSERT INTO claims_transition (claim_id, action, from_status, to_status, verdict,
                                          reason, via, at)
           SELECT id, 'resolved', 'due', 'resolved', verdict, verdict_summary, 'admin', resolved_at
             FROM claims_claim WHERE status = 'resolved'""",
        "VACUUM ANALYZE",
    ]
    for statement in statements:
        conn.execute(statement, params if "%(" in statement else None)


def gunicorn_env(database: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
    }


def get(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped; see its output above.")
        try:
            if get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 20 s.")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(url: str, *, duration: int, connections: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "errors": 0,
    }
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if non2xx:
        found["errors"] += int(non2xx.group(1))
    if socket_errors:
        found["errors"] += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return found


def worker_rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sizes


def endpoints(database: str) -> list[tuple[str, str]]:
    with psycopg.connect(database) as conn:
        # A claim with evidence and a full log, and a busy article.
        claim_id, claim_slug = conn.execute(
            "SELECT id, slug FROM claims_claim WHERE status = 'resolved' ORDER BY id LIMIT 1"
        ).fetchone()
        article = conn.execute(
            "SELECT a.slug FROM registry_article a ORDER BY a.id LIMIT 1"
        ).fetchone()[0]
    return [
        ("/healthz", "/healthz"),
        ("home", "/"),
        ("claim list", "/claims/"),
        ("claim list, filtered", "/claims/?status=due&kind=forecast"),
        ("claim page", f"/claims/{claim_slug}/"),
        ("article page", f"/articles/{article}/"),
        ("API list", "/api/v1/claims/"),
        ("API list, filtered", "/api/v1/claims/?status=due"),
        ("API detail", f"/api/v1/claims/{claim_id}/"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--evidence", type=int, default=600_000)
    parser.add_argument("--rebuild", action="store_true", help=f"rebuild {BENCH_DB}")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2 per core)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load each")
    parser.add_argument("--cold", type=int, default=3, help="uncached requests per endpoint")
    parser.add_argument("--skip-flagging", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does).")

    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not server.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server.")
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    database = ensure_database(
        server, claims=args.claims, evidence=args.evidence, rebuild=args.rebuild
    )
    env = gunicorn_env(database, redis_url)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], check=True, capture_output=True)

    base = f"http://127.0.0.1:{args.port}"
    gunicorn = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        wait_until_up(base, gunicorn)
        addresses = endpoints(database)
        # Every worker imports, connects and fills its caches before anything is timed.
        for _name, path in addresses:
            get(f"{base}{path}")
            run_wrk(f"{base}{path}", duration=args.warmup, connections=args.connections)
        for name, path in addresses:
            cold = []
            for n in range(args.cold if path != "/healthz" else 0):
                separator = "&" if "?" in path else "?"
                status, seconds = get(f"{base}{path}{separator}bench-cold={time.time_ns()}{n}")
                if status != 200:
                    raise SystemExit(f"{path}: HTTP {status} on an uncached request.")
                cold.append(seconds * 1000)
            status, _ = get(f"{base}{path}")  # stores it
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}.")
            # /healthz again just before each endpoint: the ratio is to the run beside it, so
            # that other load on the machine during the benchmark shifts both alike.
            result = run_wrk(f"{base}{path}", duration=args.duration, connections=args.connections)
            result["health"] = (
                result
                if path == "/healthz"
                else run_wrk(
                    f"{base}/healthz", duration=args.duration, connections=args.connections
                )
            )
            result["cold"] = statistics.median(cold) if cold else None
            rows.append((name, path, result))
            print(f"  measured {name}: {result['rps']:,.0f} req/s", file=sys.stderr)
        rss = worker_rss_mb(gunicorn.pid)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)

    print()
    print(
        f"{args.claims:,} claims, {args.evidence:,} evidence items; gunicorn {args.workers} sync "
        f"workers; wrk 1 thread, {args.connections} connections, {args.duration} s per endpoint"
    )
    print()
    header = (
        "| endpoint | req/s | p50 ms | p99 ms | healthz beside it: req/s, p99 ms "
        "| × healthz req/s | × healthz p99 | uncached ms | ok |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    missed = []
    for name, path, r in rows:
        rps_ratio, p99_ratio = r["rps"] / r["health"]["rps"], r["p99"] / r["health"]["p99"]
        ok = rps_ratio >= MIN_RPS_RATIO and p99_ratio < MAX_P99_RATIO and r["errors"] == 0
        if not ok:
            missed.append(name)
        cold = f"{r['cold']:.0f}" if r["cold"] is not None else "–"
        print(
            f"| {name} (`{path}`) | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} "
            f"| {r['health']['rps']:,.0f}, {r['health']['p99']:.2f} "
            f"| {rps_ratio:.2f} | {p99_ratio:.2f} | {cold} | {'yes' if ok else 'NO'} |"
        )
    print()
    print(
        "gunicorn workers' resident memory after the load (MB): "
        + ", ".join(f"{size:.0f}" for size in rss)
        + f" (target < {MAX_RSS_MB})"
    )
    if max(rss) >= MAX_RSS_MB:
        missed.append("worker memory")
    print("targets missed: " + (", ".join(missed) if missed else "none"))

    if args.skip_flagging:
        return
    flagging = ROOT / "bench" / "flagging.py"
    print()
    if not flagging.exists():
        print("bench/flagging.py is not there yet: no flagging ratio.")
        return
    print(f"load average: {load_average()}")
    print("Flagging benchmark, PostgreSQL (bench/flagging.py, 1,000,000 claims):", flush=True)
    subprocess.run([PYTHON, str(flagging)], cwd=ROOT, env={**os.environ, "DATABASE_URL": server})
    print(f"load average: {load_average()}")
    print()
    print("Flagging benchmark, SQLite (bench/flagging.py --sqlite, 200,000 claims):", flush=True)
    subprocess.run([PYTHON, str(flagging), "--sqlite"], cwd=ROOT, env=os.environ)
    print(f"load average: {load_average()}")


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load, printed beside the figures (the cores are shared)."""
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


if __name__ == "__main__":
    main()
