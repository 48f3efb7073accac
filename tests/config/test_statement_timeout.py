"""Web requests' SQL statements are cut off after DATABASE_STATEMENT_TIMEOUT_MS on PostgreSQL;
jobs and management commands are not. Each case runs in a fresh process, the way gunicorn
(which imports config.wsgi) or `manage.py` would start, against the real PostgreSQL of
DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")) and not os.environ.get("CI"),
    reason="needs PostgreSQL in DATABASE_URL (CI sets it)",
)

SLEEP = "from django.db import connection\nconnection.cursor().execute('SELECT pg_sleep({s})')\n"
AS_WEB = "import config.wsgi\n" + SLEEP
AS_JOB = "import django\ndjango.setup()\n" + SLEEP  # what celery -A config does, via config.celery


def run(code: str, *, timeout_ms: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_PROCESS"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings", DATABASE_STATEMENT_TIMEOUT_MS=str(timeout_ms)
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_a_web_process_cancels_a_statement_over_the_limit():
    result = run(AS_WEB.format(s=0.8))
    assert result.returncode != 0
    assert "canceling statement due to statement timeout" in result.stderr


def test_a_web_process_runs_a_statement_under_the_limit():
    result = run(AS_WEB.format(s=0.05))
    assert result.returncode == 0, result.stderr


def test_a_job_process_is_not_cut_off():
    result = run(AS_JOB.format(s=0.8))
    assert result.returncode == 0, result.stderr


def test_a_celery_worker_is_not_cut_off():
    result = run(
        "from config.celery import app\napp.loader.import_default_modules()\n" + SLEEP.format(s=0.8)
    )
    assert result.returncode == 0, result.stderr


def test_a_management_command_is_not_cut_off():
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_PROCESS"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SLEEP.format(s=0.8)],
        cwd=ROOT,
        env={**env, "DATABASE_STATEMENT_TIMEOUT_MS": "300"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_zero_turns_the_limit_off():
    result = run(AS_WEB.format(s=0.8), timeout_ms=0)
    assert result.returncode == 0, result.stderr


def test_the_procfiles_runserver_is_a_web_process():
    (web,) = [
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    ]
    assert "REGISTRY_PROCESS=web" in web and "runserver" in web
