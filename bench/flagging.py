"""Benchmark: the flagging task against a bare SQL UPDATE doing the same marking.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/flagging.py
    .venv/bin/python bench/flagging.py --sqlite      # a temp-file SQLite database, 200,000 claims

On SQLite (--sqlite, or DATABASE_URL unset or sqlite://) the same is done on a temporary file
database (default 200,000 claims, 20,000 past their deadline), copied for each round; each
contender goes first in every other round, and each round prints the process's CPU time (both
run in it) beside the wall times, which the machine's other load stretches. Target: 1.5.

DATABASE_URL names the server; its own database is never touched. The benchmark builds the
database `claims_bench` there (1,000,000 claims, 100,000 of them open and past their deadline,
built with INSERT ... SELECT generate_series), and for each round makes two identical copies of
it (CREATE DATABASE ... TEMPLATE), on which it times
  - the flagging task's code path: the body of claims.tasks.flag_due_claims, run in this
    process exactly as the worker runs it (claims.lifecycle.flag_due_claims: status change and
    transition log in one statement, the hand-off to the notification job; the job record: its
    start committed first, its success in the flagging's transaction), with the Celery app set
    up beforehand as a worker's is;
  - the bare `UPDATE claims_claim SET status = 'due' WHERE status = 'open' AND deadline < ...`.
It prints each round, the medians and their ratio (target: at most 1.3). For information, it
then times the next job, creating the editors' "due" notices for the newly due claims
(--editors of them), which runs in its own task and is not part of the ratio.

The databases are dropped at the end unless --keep; --reuse starts from a kept claims_bench.
Not a test: it takes a few minutes, and needs PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

# The data as built (BENCH_FLAGGING_DB: another name, so that two runs on one server do not
# drop each other's databases); the timed runs work on copies.
BENCH_DB = os.environ.get("BENCH_FLAGGING_DB", "claims_bench")
JOB_DB = f"{BENCH_DB}_job"
SQL_DB = f"{BENCH_DB}_sql"
TODAY = datetime.date(2026, 11, 24)
BARE_UPDATE = "UPDATE claims_claim SET status = 'due' WHERE status = 'open' AND deadline < %s"


def database_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def admin_execute(base_url: str, *statements: str) -> None:
    # CREATE/DROP DATABASE cannot run in a transaction: use the maintenance database.
    with psycopg.connect(database_url(base_url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def fresh_copies(base_url: str) -> None:
    admin_execute(
        base_url,
        *[f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in (JOB_DB, SQL_DB)],
        *[
            f"CREATE DATABASE {name} TEMPLATE {BENCH_DB} STRATEGY FILE_COPY"
            for name in (JOB_DB, SQL_DB)
        ],
    )


def settle(conn) -> None:
    """Read the table (so both contenders start with it cached alike) and flush dirty pages
    (so neither pays for the other's writes)."""
    conn.execute("SELECT count(*) FROM claims_claim").fetchone()
    conn.execute("CHECKPOINT")


def set_up_like_a_worker(app) -> None:
    """Publish to no real broker, and set the Celery app up as a worker has it before its first
    task: otherwise the first round's hand-off pays Celery's lazy set-up (the producer pool,
    ~0.06 s; the result backend, found by scanning entry points, ~0.08 s: on SQLite, about
    half the bare UPDATE)."""
    app.conf.broker_url = "memory://localhost/"
    app.finalize(auto=True)
    with app.producer_or_acquire():
        pass
    app.backend  # noqa: B018 (loads it)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, help="default 1,000,000 (SQLite: 200,000)")
    parser.add_argument("--due", type=int, help="open claims past deadline (default a tenth)")
    parser.add_argument("--sqlite", action="store_true", help="a temp-file SQLite database")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--editors", type=int, default=2, help="editors to create notices for")
    parser.add_argument("--reuse", action="store_true", help=f"reuse a kept {BENCH_DB}")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if args.sqlite or not base_url or base_url.startswith("sqlite"):
        args.claims = args.claims or 200_000
        args.due = args.due or args.claims // 10
        return main_sqlite(args)
    args.claims = args.claims or 1_000_000
    args.due = args.due or args.claims // 10
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1/test")

    # Django works on the benchmark databases only, and publishes to no real broker.
    os.environ["DATABASE_URL"] = database_url(base_url, BENCH_DB)
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from claims import tasks
    from claims.jobs import notifications
    from config.celery import app

    set_up_like_a_worker(app)

    if not args.reuse:
        admin_execute(
            base_url,
            *[f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in (JOB_DB, SQL_DB)],
            f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)",
            f"CREATE DATABASE {BENCH_DB}",
        )
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        build(connection, claims=args.claims, due=args.due, editors=args.editors)
        connection.close()
        print(
            f"Built {args.claims:,} claims ({args.due:,} past deadline, {args.editors} editors) "
            f"in {time.perf_counter() - started:.0f} s"
        )

    settings.DATABASES["default"]["NAME"] = JOB_DB
    bare_times, job_times = [], []
    for round_ in range(1, args.rounds + 1):
        fresh_copies(base_url)
        with psycopg.connect(database_url(base_url, SQL_DB), autocommit=True) as conn:
            settle(conn)
            started = time.perf_counter()
            with conn.transaction():
                flagged_bare = conn.execute(BARE_UPDATE, [TODAY]).rowcount
            bare_times.append(time.perf_counter() - started)

        with connection.cursor() as cursor:
            settle(cursor)
        started = time.perf_counter()
        counts = tasks.flag_due_claims(today=TODAY.isoformat())
        job_times.append(time.perf_counter() - started)
        connection.close()

        assert flagged_bare == counts["flagged"] == args.due, (flagged_bare, counts)
        print(
            f"round {round_}: bare UPDATE {bare_times[-1]:5.2f} s, "
            f"flagging task {job_times[-1]:5.2f} s ({job_times[-1] / bare_times[-1]:.2f}x)"
        )

    bare, job = statistics.median(bare_times), statistics.median(job_times)
    print(f"bare UPDATE (median):   {bare:6.2f} s  ({args.due:,} claims marked)")
    print(f"flagging task (median): {job:6.2f} s  (status, transition log, hand-off, job record)")
    print(f"ratio:                  {job / bare:6.2f}  (target <= 1.3)")

    started = time.perf_counter()
    queued = notifications.queue_due_notices()
    print(
        f"then, in its own task: {queued:,} due notices for {args.editors} editors "
        f"in {time.perf_counter() - started:.2f} s (not part of the ratio)"
    )
    connection.close()
    if not args.keep:
        admin_execute(
            base_url,
            *[
                f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                for name in (JOB_DB, SQL_DB, BENCH_DB)
            ],
        )


def main_sqlite(args) -> None:
    """The same rounds on SQLite: each contender gets a fresh copy of the built file."""
    import shutil
    import sqlite3
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="claims-bench-flagging-"))
    built, job_file, sql_file = (workdir / f"{n}.sqlite3" for n in ("built", "job", "sql"))
    os.environ["DATABASE_URL"] = f"sqlite:///{built}"
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from claims import tasks
    from config.celery import app

    set_up_like_a_worker(app)
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        build_sqlite(connection, claims=args.claims, due=args.due)
        connection.close()
        with sqlite3.connect(built) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(
            f"Built {args.claims:,} claims ({args.due:,} past deadline) on SQLite "
            f"({sqlite3.sqlite_version}) in {time.perf_counter() - started:.0f} s"
        )
        settings.DATABASES["default"]["NAME"] = str(job_file)

        def bare_update(into: list | None = None) -> int:
            conn = sqlite3.connect(sql_file, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("SELECT count(*) FROM claims_claim").fetchone()  # read it in alike
            with timed(bare_times if into is None else into):
                conn.execute("BEGIN IMMEDIATE")
                flagged = conn.execute(BARE_UPDATE.replace("%s", "?"), [TODAY]).rowcount
                conn.execute("COMMIT")
            conn.close()
            return flagged

        def flagging_task() -> int:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM claims_claim")
                cursor.fetchone()
            with timed(job_times):
                counts = tasks.flag_due_claims(today=TODAY.isoformat())
            connection.close()
            return counts["flagged"]

        bare_times, job_times = [], []
        for round_ in range(1, args.rounds + 1):
            for copy in (job_file, sql_file):
                for suffix in ("-wal", "-shm"):
                    Path(f"{copy}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(built, copy)
            # Each goes first in every other round: neither always runs in the other's wake.
            if round_ % 2:
                flagged_bare, flagged_job = bare_update(), flagging_task()
            else:
                flagged_job, flagged_bare = flagging_task(), bare_update()
            assert flagged_bare == flagged_job == args.due, (flagged_bare, flagged_job)
            (bare_wall, bare_cpu), (job_wall, job_cpu) = bare_times[-1], job_times[-1]
            print(
                f"round {round_}: bare UPDATE {bare_wall:5.2f} s, flagging task {job_wall:5.2f} s "
                f"({job_wall / bare_wall:.2f}x; CPU {bare_cpu:.2f} s, {job_cpu:.2f} s, "
                f"{job_cpu / bare_cpu:.2f}x; load {os.getloadavg()[0]:.1f})"
            )
        bare, job = (statistics.median(t[0] for t in times) for times in (bare_times, job_times))
        bare_cpu, job_cpu = (
            statistics.median(t[1] for t in times) for times in (bare_times, job_times)
        )
        print(f"bare UPDATE (median):   {bare:6.2f} s  ({args.due:,} claims marked, SQLite)")
        print(
            f"flagging task (median): {job:6.2f} s  (status, transition log, hand-off, job record)"
        )
        print(f"ratio:                  {job / bare:6.2f}  (target <= 1.5)")
        # Other load only ever adds time: the fastest rounds are each side least disturbed.
        fastest_bare, fastest_job = (min(t[0] for t in times) for times in (bare_times, job_times))
        print(
            f"fastest rounds ratio:   {fastest_job / fastest_bare:6.2f}  "
            f"({fastest_bare:.2f} s against {fastest_job:.2f} s)"
        )
        # Both run in this process, so its CPU time is theirs, and it grows less with what
        # else the machine runs (wall time does, by as much as 2x when shared).
        print(
            f"CPU time ratio:         {job_cpu / bare_cpu:6.2f}  "
            f"({bare_cpu:.2f} s against {job_cpu:.2f} s; less sensitive to the machine's load)"
        )
        # The claim tally's triggers (claims migration 0015) run inside both sides' UPDATE: the
        # same bare UPDATE without them says what they cost, and how the job compares to that.
        untallied = []
        for _ in range(3):
            for suffix in ("-wal", "-shm"):
                Path(f"{sql_file}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(built, sql_file)
            with sqlite3.connect(sql_file) as conn:
                for name in ("insert", "update", "delete"):
                    conn.execute(f"DROP TRIGGER claims_tally_{name}")
            bare_update(into=untallied)
        untallied_bare = statistics.median(t[0] for t in untallied)
        print(
            f"bare UPDATE without the claim tally's triggers (median of 3): "
            f"{untallied_bare:.2f} s; "
            f"the flagging task against it: {job / untallied_bare:.2f}"
        )
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def timed(into: list) -> Iterator[None]:
    """Append (wall seconds, this process's CPU seconds) of the block to `into`."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.append((time.perf_counter() - wall, time.process_time() - cpu))


def build_sqlite(connection, *, claims: int, due: int) -> None:
    """The same data as build(), with a recursive CTE for generate_series."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_outlet (slug, name, url, note)"
            " VALUES ('bench', 'Bench outlet', '', '')"
        )
        cursor.execute(
            "INSERT INTO registry_article (slug, outlet_id, title, authors, url, published_on,"
            " published_precision, date_note, source_file)"
            " SELECT 'bench', id, 'Bench article', '', '', '2020-01-01', 'day', '', ''"
            " FROM registry_outlet"
        )
        cursor.execute(
            """
            INSERT INTO claims_claim (
                slug, article_id, claimant_type, statement, quote, kind, made_on, deadline,
                deadline_text, deadline_precision, ambiguity, resolution_criteria, status,
                verdict, verdict_summary, version, seed_fingerprint, created_at, updated_at,
                conditional, deadline_reason, deadline_source, hedge, hedge_class)
            WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %s)
            SELECT 'bench-' || i, (SELECT min(id) FROM registry_article), 'outlet',
                   'Bench statement ' || i, 'Quote.', 'forecast', '2020-01-01',
                   CASE WHEN i <= %s THEN date(%s, '-' || (1 + i %% 365) || ' days')
                        ELSE date(%s, '+' || (i %% 3650) || ' days') END,
                   '', 'day', '', '', 'open', '', '', 1, '',
                   datetime('now'), datetime('now'), 0, '', '', '', ''
              FROM seq
            """,
            [claims, due, TODAY.isoformat(), TODAY.isoformat()],
        )
        cursor.execute("ANALYZE")


def build(connection, *, claims: int, due: int, editors: int) -> None:
    """Fill the database set-based, then VACUUM ANALYZE it as a live one would be."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_outlet (slug, name, url) VALUES ('bench', 'Bench outlet', '') "
            "RETURNING id"
        )
        outlet_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO registry_article (slug, outlet_id, title, authors, url, published_on,"
            " published_precision, date_note, source_file)"
            " VALUES ('bench', %s, 'Bench article', '', '', '2020-01-01', 'day', '', '')"
            " RETURNING id",
            [outlet_id],
        )
        article_id = cursor.fetchone()[0]
        # Claims 1..due passed their deadline during the year before TODAY; the rest lie ahead.
        cursor.execute(
            """
            INSERT INTO claims_claim (
                slug, article_id, claimant_type, statement, quote, kind, made_on, deadline,
                deadline_text, deadline_precision, ambiguity, resolution_criteria, status,
                verdict, verdict_summary, version, seed_fingerprint, created_at, updated_at,
                conditional, deadline_reason, deadline_source, hedge, hedge_class)
            SELECT 'bench-' || i, %(article)s, 'outlet', 'Bench statement ' || i, 'Quote.',
                   'forecast', DATE '2020-01-01',
                   CASE WHEN i <= %(due)s THEN %(today)s::date - 1 - (i %% 365)
                        ELSE %(today)s::date + (i %% 3650) END,
                   '', 'day', '', '', 'open', '', '', 1, '', now(), now(),
                   false, '', '', '', ''
              FROM generate_series(1, %(claims)s) AS i
            """,
            {"article": article_id, "due": due, "claims": claims, "today": TODAY},
        )
        for n in range(editors):
            cursor.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
                " email, is_staff, is_active, date_joined)"
                " VALUES ('!', false, %s, '', '', %s, true, true, now()) RETURNING id",
                [f"editor{n}", f"editor{n}@example.org"],
            )
            cursor.execute(
                "INSERT INTO auth_user_groups (user_id, group_id)"
                " SELECT %s, id FROM auth_group WHERE name = 'Editors'",
                [cursor.fetchone()[0]],
            )
        cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
