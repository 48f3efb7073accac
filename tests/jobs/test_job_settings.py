"""The jobs' settings from the environment, checked in a fresh process as an operator runs it."""

from __future__ import annotations

import pytest

from tests.config.test_settings import manage


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FLAG_DUE_CLAIMS_EVERY_MINUTES", "hourly", "must be a whole number"),
        ("FLAG_DUE_CLAIMS_EVERY_MINUTES", "0", "must be between 1 and 1440"),
        ("EDITORS_DIGEST_HOUR", "24", "must be between 0 and 23"),
        ("CLAIM_REMINDER_DAYS", "30,a week", "whole numbers of days"),
        ("CLAIM_REMINDER_DAYS", "30,0", "at least 1 day"),
    ],
)
def test_a_malformed_job_setting_stops_start_up_with_a_clear_message(name, value, message):
    result = manage("check", **{name: value})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}" in result.stderr and message in result.stderr


def test_the_schedule_follows_the_environment():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.CELERY_BEAT_SCHEDULE['flag-claims-past-their-deadline']['schedule'], "
        "s.CLAIM_REMINDER_DAYS)",
        FLAG_DUE_CLAIMS_EVERY_MINUTES="15",
        CLAIM_REMINDER_DAYS="7,60,14",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("0:15:00 [60, 14, 7]")
