"""Servers of a test's own, to stop, hang and kill: redis-server, PostgreSQL, and the site
under gunicorn. Used by tests/test_outages.py and bench/outages.py.

Never the machine's shared servers: each starts on a free loopback port, in a temporary
directory, and is killed at the end. Without the programs the tests are skipped, except in CI
(the CI variable set), where they fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class Missing(Exception):
    """A program the fault tests need is not installed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float = 20, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.05)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what or predicate}")


class RedisServer:
    """A redis-server on a free port: `pause()` (SIGSTOP) hangs it, `kill()` ends it, `start()`
    brings it back on the same port (empty: it keeps nothing on disk)."""

    def __init__(self) -> None:
        if not shutil.which("redis-server"):
            raise Missing("redis-server is not installed (apt-get install redis-server).")
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, socket_timeout=1, socket_connect_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._pings, timeout=10, what=f"redis-server on port {self.port}")

    def _pings(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
        except redis.RedisError:
            return False

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()

    close = kill


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; a root shell runs it as the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A PostgreSQL cluster of its own (initdb in a temporary directory) on a free port:
    `stop()` is `pg_ctl stop -m immediate` (a crash, as far as clients can tell), `start()`
    brings it back with its data, `pause()`/`resume()` SIGSTOP/SIGCONT all its processes."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise Missing(f"PostgreSQL is not installed in {PG_BIN} (apt-get install postgresql).")
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="registry-pg-"))
        self.data = self.home / "data"
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres")
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-N",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start()

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "start"]
                + ["-l", str(self.home / "log")]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _pids(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def pause(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGCONT)

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(OSError, ValueError):  # not running, or half gone
                self.resume()
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class Site:
    """The registry under gunicorn on a free loopback port, DEBUG off, with the given
    environment (DATABASE_URL, REDIS_URL or CACHE_URL...)."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, threads: int = 1) -> None:
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="registry-site-"))
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "CI"}},
            "DEBUG": "false",
            "SECRET_KEY": "outage-tests-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "VAR_DIR": str(self.home),
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.workers, self.threads = workers, threads
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self) -> None:
        self.manage("collectstatic", "--noinput", "-v", "0")
        with open(self.home / "gunicorn.log", "wb") as log:
            self._spawn(log)
        wait_until(self._answers, timeout=30, what=f"gunicorn on port {self.port}")

    def _spawn(self, log) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", str(self.workers), "--threads", str(self.threads)]
            + ["--timeout", "60", "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=1):
                return True
        except (OSError, urllib.error.URLError):
            return False

    def log(self) -> str:
        return (self.home / "gunicorn.log").read_text(errors="replace")

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)
