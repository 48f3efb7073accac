"""Score the article intake on the seed articles: recall and precision per article."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.intake.report import development_report


class Command(BaseCommand):
    help = (
        "Run the intake on the seed articles (SEED_ARTICLES_DIR) and print, per article, how many "
        "seed claims it finds with the right kind and deadline, and how many proposals are claims."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", default=None, help="folder of the seed articles")
        parser.add_argument(
            "--details", action="store_true", help="list the claims missed or read wrong"
        )

    def handle(self, *args, articles=None, details=False, **options):
        folder = Path(articles or settings.SEED_ARTICLES_DIR)
        if not folder.is_dir():
            raise CommandError(
                f"No seed articles in {folder}; set SEED_ARTICLES_DIR or --articles."
            )
        scores = development_report(folder)
        out = self.stdout.write
        out(
            f"{'article':<26} {'claims':>6} {'found':>6} {'right':>6} {'recall':>7} "
            f"{'proposals':>9} {'claims':>6} {'precision':>9} {'seconds':>7}"
        )
        totals = [0, 0, 0, 0, 0]
        for s in scores:
            out(
                f"{s.source_file:<26} {len(s.claims):>6} {len(s.found):>6} {len(s.right):>6} "
                f"{s.recall:>7.0%} {len(s.proposals):>9} {s.matching_proposals:>6} "
                f"{s.precision:>9.0%} {s.seconds:>7.2f}"
            )
            for i, n in enumerate(
                (len(s.claims), len(s.found), len(s.right), len(s.proposals), s.matching_proposals)
            ):
                totals[i] += n
        claims, found, right, proposals, matching = totals
        out(
            f"{'all':<26} {claims:>6} {found:>6} {right:>6} {right / max(claims, 1):>7.0%} "
            f"{proposals:>9} {matching:>6} {matching / max(proposals, 1):>9.0%}"
        )
        out(
            "recall: seed claims found with the right kind and deadline window; precision: "
            "proposals whose quote overlaps a seed claim's quote."
        )
        if details:
            for s in scores:
                for claim in s.missed:
                    out(
                        f"MISSED {s.source_file[:3]} {claim.kind:<9} {claim.slug}: "
                        f"{claim.quote[:90]}"
                    )
                for claim, p in s.wrong:
                    out(
                        f"WRONG  {s.source_file[:3]} {claim.slug}: "
                        f"seed {claim.kind} {claim.deadline}"
                        f" / proposed {p.kind} {p.deadline} ({p.deadline_text!r})"
                    )
                spans = [c.span for c in s.claims if c.span]
                for p in s.proposals:
                    if not any(p.start < e and b < p.end for b, e in spans):
                        out(f"EXTRA  {s.source_file[:3]} {p.kind:<9} {p.quote[:100]}")
