"""Propose the checkable claims of an article file (plain text or a saved HTML page)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.intake import IntakeError, propose_claims, read_article


class Command(BaseCommand):
    help = (
        "Read an article (plain text whose first line is the title, or a saved HTML page) and "
        "print the claims it makes, as proposals for an editor. Stores nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the article: a .txt or .html file")
        parser.add_argument(
            "--published", help="publication date YYYY-MM-DD, when the article does not print it"
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, file, published=None, format="text", **options):
        published_on = None
        if published:
            try:
                published_on = datetime.date.fromisoformat(published)
            except ValueError:
                raise CommandError(
                    f'--published "{published}" is not a date (YYYY-MM-DD).'
                ) from None
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        try:
            result = propose_claims(read_article(data, published_on=published_on))
        except IntakeError as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            for note in result.notes:
                self.stderr.write(note)
            return
        shown = result.as_dict()
        article = shown["article"]
        self.stdout.write(f"Title:     {article['title'] or '(none found)'}")
        self.stdout.write(f"Outlet:    {article['outlet'] or '(not named)'}")
        date = article["published_on"]
        published = date + ", to the " + article["published_precision"] if date else "(unknown)"
        self.stdout.write(f"Published: {published}")
        for note in result.notes:
            self.stdout.write(f"Note:      {note}")
        self.stdout.write(f"\n{len(shown['proposals'])} proposals\n")
        header = (
            f"{'#':>3}  {'kind':<9}  {'deadline':<10}  {'horizon words':<24}  {'hedge':<18}  quote"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for number, p in enumerate(shown["proposals"], start=1):
            hedge = f"{p['hedge']} ({p['hedge_class']})" if p["hedge"] else p["hedge_class"]
            quote = p["quote"] if len(p["quote"]) <= 90 else p["quote"][:87] + "..."
            self.stdout.write(
                f"{number:>3}  {p['kind']:<9}  {p['deadline'] or '-':<10}  "
                f"{(p['deadline_text'] or '-')[:24]:<24}  {hedge[:18]:<18}  {quote}"
            )
            if p["claimant"]:
                self.stdout.write(f"{'':>5}claimant: {p['claimant']}")
