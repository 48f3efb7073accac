"""Configuration from the environment, checked in a fresh process as an operator would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_is_clean_with_debug_off():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="claims.example.org",
        EMAIL_URL="smtp+tls://registry:secret@mail.example.org:587",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"), [("DEBUG", "maybe"), ("SECURE_SSL_REDIRECT", "sometimes")]
)
def test_a_malformed_boolean_stops_start_up_with_a_clear_message(name, value):
    result = manage("check", **{name: value})
    assert result.returncode != 0
    assert f"{name}='{value}' is not a boolean" in result.stderr


def test_a_short_secret_key_is_refused():
    result = manage("check", SECRET_KEY="short")
    assert result.returncode != 0 and "SECRET_KEY must be at least 32 characters" in result.stderr
