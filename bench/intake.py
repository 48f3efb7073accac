"""How long the article intake takes to propose the claims of a 20,000-character article.

    .venv/bin/python bench/intake.py [--chars 20000] [--runs 20]

The article is the seed articles (SEED_ARTICLES_DIR) run together and cut at --chars (the test
articles in tests/claims/intake/fixtures/ when the seed articles are not there). It prints the first
run (which loads the sentence splitter) and the median and slowest of the runs after it. The
target (issue 13): under a second on the project's machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from claims.intake import propose_claims, read_article
    from claims.intake.proposals import _cached_horizons

    folder = Path(settings.SEED_ARTICLES_DIR)
    if not folder.is_dir():
        folder = ROOT / "tests" / "intake" / "fixtures"
    sources = sorted(p for p in folder.iterdir() if p.suffix == ".txt")
    text = ""
    while len(text) < options.chars:
        for path in sources:
            text += path.read_text(encoding="utf-8") + "\n\n"
    text = text[: options.chars]

    def once() -> tuple[float, int]:
        _cached_horizons.cache_clear()  # each run reads the article afresh
        started = time.perf_counter()
        result = propose_claims(read_article(text))
        return time.perf_counter() - started, len(result.proposals)

    first, count = once()
    times = [once()[0] for _ in range(options.runs)]
    print(f"article: {len(text):,} characters from {folder} ({count} proposals)")
    print(f"first run (loads the sentence splitter): {first:.3f} s")
    print(
        f"next {options.runs} runs: median {statistics.median(times):.3f} s, "
        f"slowest {max(times):.3f} s"
    )


if __name__ == "__main__":
    main()
