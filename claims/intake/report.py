"""How well the intake finds the seed registry's claims in the seed articles (the development set).

A seed claim is *found* when a proposal's quote overlaps its quote in the article's text; it is
found *right* when that proposal also has the claim's kind and a deadline in the claim's window
(the same day, month, quarter or year at the coarser of the two precisions; no deadline when the
claim has none). Precision is the share of proposals whose quote overlaps some seed claim's
quote: the seed is not complete (issue 14 lists claims it lacks), so this is a lower bound.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from claims.deadlines import end_of_period, parse_horizon
from claims.intake.proposals import Proposal, propose_claims
from claims.intake.reading import read_article
from claims.seeding import NO_HORIZON, SEED_PATH, read_seed
from registry.precision import Precision

_ORDER = [Precision.DAY, Precision.MONTH, Precision.QUARTER, Precision.YEAR]


@dataclass
class SeedClaim:
    slug: str
    quote: str
    kind: str
    deadline: datetime.date | None
    precision: str
    span: tuple[int, int] | None = None
    registry_reading: bool = False


@dataclass
class ArticleScore:
    source_file: str
    claims: list[SeedClaim]
    proposals: list[Proposal]
    found: list[str] = field(default_factory=list)
    right: list[str] = field(default_factory=list)
    missed: list[SeedClaim] = field(default_factory=list)
    wrong: list[tuple[SeedClaim, Proposal]] = field(default_factory=list)
    matching_proposals: int = 0
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return len(self.right) / len(self.claims) if self.claims else 1.0

    @property
    def found_share(self) -> float:
        return len(self.found) / len(self.claims) if self.claims else 1.0

    @property
    def precision(self) -> float:
        return self.matching_proposals / len(self.proposals) if self.proposals else 1.0


def _squash(text: str) -> tuple[str, list[int]]:
    """Whitespace collapsed, and for each character its offset in the original."""
    chars, offsets, space = [], [], False
    for index, char in enumerate(text):
        if char.isspace():
            if not space:
                chars.append(" ")
                offsets.append(index)
            space = True
            continue
        space = False
        chars.append(char)
        offsets.append(index)
    return "".join(chars), offsets


def _locate(text: str, squashed: tuple[str, list[int]], quote: str) -> tuple[int, int] | None:
    flat, offsets = squashed
    needle = re.sub(r"\s+", " ", quote).strip()
    at = flat.find(needle)
    if at < 0:
        return None
    return offsets[at], offsets[at + len(needle) - 1] + 1


def deadline_in_window(
    proposed: datetime.date | None,
    proposed_precision: str,
    expected: datetime.date | None,
    expected_precision: str,
) -> bool:
    if expected is None or proposed is None:
        return expected is None and proposed is None
    coarser = max(
        Precision(proposed_precision or Precision.DAY),
        Precision(expected_precision or Precision.DAY),
        key=_ORDER.index,
    )
    return end_of_period(proposed, coarser) == end_of_period(expected, coarser)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_article(
    text: bytes, source_file: str, article: dict, entries: list[dict]
) -> ArticleScore:
    import time

    published_on = datetime.date.fromisoformat(str(article["published_on"]))
    precision = Precision(article["published_precision"])
    started = time.perf_counter()
    read = read_article(text, published_on=published_on, published_precision=precision)
    proposals = propose_claims(read).proposals
    seconds = time.perf_counter() - started
    squashed = _squash(read.text)
    claims = []
    for entry in entries:
        horizon = (entry.get("horizon") or entry.get("deadline_text") or "").strip()
        deadline = None
        claim_precision = ""
        if horizon and horizon != NO_HORIZON:
            parsed = parse_horizon(
                horizon, published_on=published_on, published_precision=precision
            )
            deadline, claim_precision = parsed.date, parsed.precision.value
        claim = SeedClaim(entry["slug"], entry["quote"], entry["kind"], deadline, claim_precision)
        # No horizon in the article: the seed's deadline is the registry's reading (issue 14),
        # which no reading of the text can find; a proposal without one is in the window. A seed
        # that does not say whose deadline it is: no horizon words means the registry's.
        if "deadline_source" in entry:
            claim.registry_reading = entry["deadline_source"] == "registry"
        else:
            claim.registry_reading = (
                entry["kind"] != "statistic" and not (entry.get("deadline_text") or "").strip()
            )
        claim.span = _locate(read.text, squashed, entry["quote"])
        claims.append(claim)
    score = ArticleScore(source_file, claims, proposals, seconds=seconds)
    for claim in claims:
        overlapping = [
            p for p in proposals if claim.span and _overlaps((p.start, p.end), claim.span)
        ]
        if not overlapping:
            score.missed.append(claim)
            continue
        score.found.append(claim.slug)
        good = [
            p
            for p in overlapping
            if p.kind == claim.kind
            and (
                deadline_in_window(
                    p.deadline, p.deadline_precision, claim.deadline, claim.precision
                )
                or (claim.registry_reading and p.deadline is None)
            )
        ]
        if good:
            score.right.append(claim.slug)
        else:
            score.wrong.append((claim, overlapping[0]))
    spans = [c.span for c in claims if c.span]
    score.matching_proposals = sum(
        1 for p in proposals if any(_overlaps((p.start, p.end), span) for span in spans)
    )
    return score


def development_report(articles_dir: Path, seed_path: Path = SEED_PATH) -> list[ArticleScore]:
    """Score the intake on every seed article whose source file is in ``articles_dir``."""
    seed = read_seed(seed_path)
    scores = []
    for article in seed["articles"]:
        path = articles_dir / article["source_file"]
        entries = [c for c in seed["claims"] if c["article"] == article["slug"]]
        scores.append(score_article(path.read_bytes(), article["source_file"], article, entries))
    return scores
