from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.seeding import SEED_PATH, SeedError, load_registry


class Command(BaseCommand):
    help = (
        "Load the seed registry (the claims of the five source articles). Safe to re-run: it adds "
        "what is missing and never overwrites what editors changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=SEED_PATH, help="Seed file (YAML).")
        parser.add_argument(
            "--per-claim",
            action="store_true",
            help="Name each claim created or updated, not only the editors' versions kept.",
        )

    def handle(self, *args, file: Path, per_claim: bool, **options):
        try:
            report = load_registry(file)
        except SeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.summary(per_claim=per_claim))
