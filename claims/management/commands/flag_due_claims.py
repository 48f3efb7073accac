from __future__ import annotations

import argparse
import datetime

from django.core.management.base import BaseCommand

from claims import lifecycle


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a real date in the form YYYY-MM-DD."
        ) from None


class Command(BaseCommand):
    help = (
        "Mark every open claim whose deadline has passed as due "
        "(the same code the Celery job runs)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=iso_date,
            help="Judge deadlines as of this date (YYYY-MM-DD) instead of today.",
        )

    def handle(self, *args, today: datetime.date | None = None, **options):
        flagged = lifecycle.flag_due_claims(today=today, via="manage.py flag_due_claims")
        self.stdout.write(f"Flagged {flagged} claim{'' if flagged == 1 else 's'} as due.")
