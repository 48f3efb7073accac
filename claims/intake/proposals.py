"""Propose the checkable claims of an article: one proposal per forecast, target or statistic.

The steps, each a rule in `claims/intake/cues.py` or here:

1. The text is cut into blocks (lines): boilerplate lines, headings and whatever follows the
   end of the article ("Further reading", "Comments", "Sources"…) are left out; markdown tables
   are read row by row against their header; list items remember the line that introduced them.
2. Paragraphs and list items are split into sentences (pysbd), and a sentence into clauses when it
   holds several claims: one per horizon when their horizons differ ("2.5% a year between 2026
   and 2030 and 2.0% between 2031 and 2035"), and at ", while" / ", and" / "; " when each side
   has its own figure.
3. A clause is a claim when it has a figure, a dated event, a hedge ("will", "is expected to",
   "could", "aims to"…) or opens with a plan's verb ("Double…", "Establish…"), and is not a
   question, a reader's instruction or pure opinion.
4. Its kind: a target when a plan or government sets it (target words, a plan's verb, a list
   introduced as goals, a government that "will"); a forecast when hedged about the future; a
   statistic otherwise, and also when the horizon of a forecast is over at publication ("By 2025
   … is expected to reach 17.1%" in a 2026 article reports a figure, checkable now).
5. Its deadline: a statistic's is the publication ("as of publication"); a forecast's or
   target's is its own horizon, else the horizon of the line that introduced its list, else a
   horizon its sibling items share. All are read by `claims.deadlines` (`find_horizons`).
6. A headline restating a body claim, and a later clause restating an earlier one's figures, are
   not proposed twice; a proposal whose quote is already recorded is marked.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from claims.deadlines import HorizonMatch, find_horizons, parse_horizon
from claims.intake import cues
from claims.intake.reading import Article
from registry.precision import Precision

FORECAST, TARGET, STATISTIC = "forecast", "target", "statistic"


@dataclass
class Proposal:
    quote: str
    kind: str
    statement: str
    claimant: str
    deadline: datetime.date | None
    deadline_text: str
    deadline_precision: str
    hedge: str
    hedge_class: str
    # Where the quote is in the article's text, and whether the registry already holds it.
    start: int = 0
    end: int = 0
    already_recorded: bool = False

    def as_dict(self) -> dict:
        return {
            "quote": self.quote,
            "kind": self.kind,
            "statement": self.statement,
            "claimant": self.claimant,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
            "deadline_precision": self.deadline_precision,
            "hedge": self.hedge,
            "hedge_class": self.hedge_class,
        }


@dataclass
class IntakeResult:
    article: Article
    proposals: list[Proposal]
    notes: list[str] = field(default_factory=list)

    @property
    def new_proposals(self) -> list[Proposal]:
        return [p for p in self.proposals if not p.already_recorded]

    def as_dict(self) -> dict:
        """The shape `propose_claims --format json` prints: new proposals only."""
        article = self.article
        return {
            "article": {
                "title": article.title,
                "published_on": article.published_on.isoformat() if article.published_on else None,
                "published_precision": article.published_precision.value
                if article.published_on
                else None,
                "outlet": article.outlet,
            },
            "proposals": [p.as_dict() for p in self.new_proposals],
        }


# --- Blocks ---------------------------------------------------------------------------------------


@dataclass
class _Block:
    start: int
    text: str
    kind: str  # "paragraph", "item", "heading", "row"
    intro: _Intro | None = None
    siblings: list[_Block] = field(default_factory=list)


@dataclass
class _Intro:
    """The line that introduces a list ("By 2020, China intends to:"), read once for its items."""

    text: str
    horizon: HorizonMatch | None
    hedge: str
    hedge_class: str
    claimant: str
    sets_targets: bool


_BULLET = re.compile(r"^\s*(?:[-•–—*·▪●◦]|\d{1,2}[.)](?!\d)|[a-z][.)]\s)\s*")
_TARGET_LIST = re.compile(
    r"\b(?:targets?|goals?|objectives?|tasks?|aims?|intends?|plans? to|commit\w*|pledge\w*"
    r"|calls for|seeks?)\b",
    re.I,
)
# "Consolidation Wave (2024-2026): We predict…": a list item's label, not its claim.
_ITEM_LABEL = re.compile(
    r"^(?!\W*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d)"
    r"[A-Z][^:.!?]{0,60}:\s+(?=\S)"
)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*_`]+")
_SENTENCE_END = re.compile(r"[.!?:;)\"'”’]$")
_DATE_OPENING = re.compile(
    r"^\W*(?:on\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|^\W*\d{4}-\d\d-\d\d\b",
    re.I,
)


def _is_heading(line: str) -> bool:
    words = line.split()
    if line.startswith(("§", "Ҥ")):
        return True
    if _SENTENCE_END.search(line) or len(words) > 14:
        return False
    return not cues.QUANTITY.search(line) or len(words) <= 4


def _latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if c.isascii()) / len(letters)


def _blocks(article: Article) -> list[_Block]:
    text = article.text
    lines: list[tuple[int, str]] = []
    position = 0
    for line in text.splitlines(keepends=True):
        lines.append((position, line.rstrip("\r\n")))
        position += len(line)

    blocks: list[_Block] = []
    intro: _Intro | None = None
    list_items: list[_Block] = []
    table: list[tuple[int, str]] = []

    def close_list() -> None:
        nonlocal intro, list_items
        for item in list_items:
            item.siblings = list_items
        intro, list_items = None, []

    def close_table() -> None:
        nonlocal table
        if table:
            blocks.extend(_table_blocks(table))
        table = []

    for offset, line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if (offset, offset + len(line)) == article.date_span:
            continue
        lead = len(line) - len(line.lstrip())
        if stripped.startswith("|") and stripped.endswith("|"):
            table.append((offset + lead, stripped))
            continue
        close_table()
        if cues.END_OF_ARTICLE.match(_EMPHASIS.sub("", stripped)):
            if offset > len(text) // 3:
                break
            continue
        if cues.BOILERPLATE_LINE.search(stripped) or cues.ABOUT_US.match(stripped):
            continue
        if _latin_share(stripped) < 0.6:
            continue
        if (offset, offset + len(line)) == article.title_span:
            blocks.append(_Block(offset + lead, stripped, "title"))
            continue
        bullet = _BULLET.match(line)
        if bullet and len(stripped) > bullet.end() - lead:
            body = line[bullet.end() :].rstrip()
            label = _ITEM_LABEL.match(body)
            skip = label.end() if label and len(label[0].split()) <= 7 else 0
            item = _Block(offset + bullet.end() + skip, body[skip:], "item", intro)
            blocks.append(item)
            list_items.append(item)
            continue
        if _is_heading(stripped):
            close_list()
            blocks.append(_Block(offset + lead, stripped, "heading"))
            continue
        close_list()
        if stripped.endswith(":"):
            intro = _read_intro(stripped, article)

        blocks.append(_Block(offset + lead, stripped, "paragraph"))
    close_table()
    close_list()
    return blocks


def _read_intro(line: str, article: Article) -> _Intro:
    last_sentence = re.split(r"(?<=[.!?])\s+", line)[-1]
    horizons = [h for h in _horizons(last_sentence, article) if h.deadline]
    word, hedge_class = cues.hedge(last_sentence)
    return _Intro(
        text=last_sentence,
        horizon=horizons[0] if horizons else None,
        hedge=word,
        hedge_class=hedge_class,
        claimant=_claimant(last_sentence),
        sets_targets=bool(_TARGET_LIST.search(last_sentence)),
    )


# --- Tables ---------------------------------------------------------------------------------------


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _table_blocks(rows: list[tuple[int, str]]) -> list[_Block]:
    blocks = []
    header = _cells(rows[0][1])
    for offset, row in rows[1:]:
        cells = _cells(row)
        if all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells if cell):
            continue
        block = _Block(offset, row, "row")
        block.siblings = [
            _Block(0, "\t".join(header), "header"),
            _Block(0, "\t".join(cells), "cells"),
        ]
        blocks.append(block)
    return blocks


# --- Sentences and clauses ---------------------------------------------------------------------


@cache
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _sentences(block: _Block) -> list[tuple[int, str]]:
    """(offset in the article, sentence) for each sentence of a block, verbatim."""
    found, position = [], 0
    for sentence in _segmenter().segment(block.text):
        stripped = sentence.strip()
        if not stripped:
            continue
        at = block.text.find(stripped, position)
        if at < 0:
            continue
        position = at + len(stripped)
        found.append((block.start + at, stripped))
    return found


_CLAUSE_BREAK = re.compile(r",?\s+(?:and|while|whereas|but)\s+|;\s+|,\s+(?=with\b|while\b)")
_SOFT_BREAK = re.compile(r",\s+(?:and|while|whereas|with|but)\s+|;\s+")


_MONTH_BEFORE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s$", re.I
)


def _quantities(text: str, horizons: list[HorizonMatch]) -> list[re.Match[str]]:
    spans = [(h.start, h.end) for h in horizons]
    found = []
    for match in cues.QUANTITY.finditer(text):
        if cues.BARE_YEAR.match(match[0].strip()):
            continue
        if any(start <= match.start() < end for start, end in spans):
            continue
        if _MONTH_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
            continue  # the day of a date ("January 29")
        found.append(match)
    return found


def _horizons(text: str, article: Article) -> list[HorizonMatch]:
    return _cached_horizons(text, article.published_on, article.published_precision)


@lru_cache(maxsize=4096)
def _cached_horizons(
    text: str, published_on: datetime.date | None, precision: Precision
) -> list[HorizonMatch]:
    # Clauses are read several times (splitting, kind, deadline); reading them once is enough.
    return find_horizons(text, published_on=published_on, published_precision=precision)


def _clauses(sentence: str, article: Article) -> list[tuple[int, str]]:
    """Offsets and texts of the clauses of a sentence that each hold a claim of their own."""
    horizons = [h for h in _horizons(sentence, article) if h.deadline and _has_lead(h)]
    cuts: list[int] = []
    for before, after in zip(horizons, horizons[1:], strict=False):
        if before.deadline == after.deadline:
            continue
        gap = sentence[before.end : after.start]
        breaks = list(_CLAUSE_BREAK.finditer(gap))
        if breaks and _quantities(sentence[before.end + breaks[-1].start() : after.end], []):
            cuts.append(before.end + breaks[-1].start())
    if not cuts:
        for match in _SOFT_BREAK.finditer(sentence):
            left, right = sentence[: match.start()], sentence[match.end() :]
            left = left[cuts[-1] :] if cuts else left
            if (
                _quantities(left, _horizons(left, article))
                and _quantities(right, _horizons(right, article))
                or match[0].strip(" ,") in ("while", "whereas")
                and len(left.split()) > 4
            ):
                cuts.append(match.start())
    # "… by 2025 (this goal was originally set in 2022)": an aside with a date of its own.
    aside = re.search(r"\s\((?=[^()]*\b(?:was|were|is|has|had)\b)[^()]{8,}\)\W*$", sentence)
    if aside and _horizons(aside[0], article) and (not cuts or cuts[-1] < aside.start()):
        cuts.append(aside.start())
    clauses, start = [], 0
    for cut in [*cuts, len(sentence)]:
        piece = sentence[start:cut]
        lead = len(piece) - len(piece.lstrip(" ,;"))
        joiner = re.match(r"(?:and|while|whereas|but|with)\s+", piece[lead:])
        if start and joiner:
            lead += joiner.end()
        piece = piece[lead:].rstrip(" ,;")
        if piece:
            clauses.append((start + lead, piece))
        start = cut
    return clauses


def _has_lead(horizon: HorizonMatch) -> bool:
    """Horizon words that are more than a bare year ("2023 figures" names a period, not a due)."""
    return not cues.BARE_YEAR.match(horizon.words)


# --- Reading a clause -----------------------------------------------------------------------------


def _claimant(text: str) -> str:
    """Who the clause says makes the claim, when it names them; "" for the outlet itself."""
    if match := cues.ACCORDING_TO.search(text):
        return match["who"].strip()
    for match in cues.SAYS.finditer(text):
        who = match["who"].strip()
        first = who.split()[0]
        if who == first and first.istitle() and match[0].endswith(" will") and not match.start():
            continue  # "Output will fall": the sentence's subject, not someone speaking
        if re.match(r"(?:we|our|i)$", first, re.I):
            return ""
        # A capitalised first word may only open the sentence ("However the ministry…").
        while who.split() and cues.NOT_WHO.match(who.split()[0]) and len(who.split()) > 1:
            if who.split()[0].lower() in ("the", "an", "a"):
                break
            who = who.split(" ", 1)[1]
        if cues.NOT_WHO.match(who):
            continue
        return who
    return ""


def _clean(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = re.sub(
        r"^\s*(?:however|moreover|indeed|still|hence|thus|so|also|furthermore|meanwhile"
        r"|for instance|for example|in addition|in contrast|secondly|firstly|finally"
        r"|first|second|third|overall|regardless|as such|in fact),\s*",
        "",
        text,
        flags=re.I,
    )
    text = re.sub(r"\s+", " ", text).strip(" ;,:")
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _publication_deadline(article: Article) -> tuple[datetime.date | None, str]:
    if article.published_on is None:
        return None, ""
    deadline = parse_horizon(
        "as of publication",
        published_on=article.published_on,
        published_precision=article.published_precision,
    )
    return deadline.date, deadline.precision.value


def _publication_end(article: Article) -> datetime.date | None:
    return _publication_deadline(article)[0]


def _is_past(horizon: HorizonMatch, clause: str, article: Article) -> bool:
    before = clause[max(0, horizon.start - 25) : horizon.start].lower()
    if re.search(
        r"(?:since|as of|as at|ago|last|recent|originally set in|in the past)\W*$", before
    ):
        return True
    published = _publication_end(article)
    return bool(published and horizon.deadline and horizon.deadline.date <= published)


@dataclass
class _Reading:
    kind: str
    hedge: str
    hedge_class: str
    horizon: HorizonMatch | None
    claimant: str


def _main_hedge(text: str) -> tuple[str, str, bool]:
    """The hedge of the main clause, and whether a hedge hangs off it in a subordinate clause."""
    subordinate = False
    for hedge_class, pattern in cues.HEDGES:
        for match in pattern.finditer(text):
            before = cues.SUBORDINATE.search(text[: match.start()])
            if before and not cues.COMPLEMENT.search(text[: before.start() + 1]):
                subordinate = True
                continue
            return match[0], hedge_class, subordinate
    return "", "", subordinate


def _read_clause(clause: str, block: _Block, article: Article, inherited: HorizonMatch | None):
    """What a clause claims, or None when it holds nothing to check."""
    plain = _EMPHASIS.sub(" ", _LINK.sub(r"\1", clause)).strip()
    if plain.endswith("?") or len(plain.split()) < 3:
        return None
    if plain.endswith(":") and not _quantities(clause, []):
        return None
    if cues.READER_INSTRUCTION.match(plain) and cues.hedge(plain)[1] not in (
        cues.ASSERTED,
        cues.EXPECTED,
    ):
        return None
    horizons = [h for h in _horizons(clause, article) if h.deadline or h.error]
    leads = [h for h in horizons if _has_lead(h)]
    future = [h for h in leads if not _is_past(h, clause, article)]
    past = [h for h in leads if _is_past(h, clause, article)]
    quantities = _quantities(clause, horizons)
    word, hedge_class, _subordinate = _main_hedge(plain)
    intro = block.intro
    policy_verb = bool(cues.POLICY_VERBS.match(plain))
    dated = bool(_DATE_OPENING.match(clause))
    opinion = bool(cues.OPINION.search(plain))
    claimant = _claimant(plain)

    if intro and intro.sets_targets and block.kind == "item" and not past and not dated:
        target_reason = True
    else:
        target_reason = hedge_class == cues.TARGET or (policy_verb and block.kind == "item")
    subject = plain[: plain.lower().find(word.lower())] if word else ""
    # A government that "will" act sets a target; a plan that says something "will" happen too.
    after_will = re.search(r"\bwill\s+(?:\w+ly\s+)?(\w+.*)", plain)
    government = bool(cues.GOVERNMENT.search(subject))
    government_will = (
        hedge_class == cues.ASSERTED
        and bool(future)
        and (
            (
                cues.ACT_OF_STATE.search(plain)
                and (government or re.search(r"\b[A-Z]{2,6}\b", subject))
            )
            or (government and after_will and cues.POLICY_VERBS.match(after_will[1]))
            or bool(cues.DOCUMENT.search(claimant))
        )
    )
    # A government's act that sets something for a future period ("released instructions for
    # reporting from 2023 to 2025") is a target it set.
    government_act = (
        bool(future)
        and (dated or bool(cues.PAST_EVENT.search(plain)))
        and bool(cues.GOVERNMENT.search(plain) or re.search(r"\b[A-Z]{2,6}\b", plain))
        and not hedge_class
    )
    if target_reason or government_will or government_act or (policy_verb and future):
        kind = TARGET
        if intro and not word:
            word, hedge_class = intro.hedge, intro.hedge_class or cues.TARGET
        hedge_class = cues.TARGET if hedge_class in ("", cues.ASSERTED) else hedge_class
        if hedge_class != cues.TARGET and target_reason:
            hedge_class = cues.TARGET
    elif hedge_class in (cues.ASSERTED, cues.EXPECTED, cues.POSSIBLE) and not _only_past(
        plain, future, past
    ):
        kind = FORECAST
    elif (
        quantities
        or dated
        or cues.PAST_EVENT.search(plain)
        or cues.STATE_OF_FACTS.search(plain)
        or (cues.NUMBER_WORDS.search(plain) and _named(plain))
    ):
        kind = STATISTIC
        word, hedge_class = "", ""
    else:
        return None
    factual = (
        quantities or dated or cues.PAST_EVENT.search(plain) or cues.STATE_OF_FACTS.search(plain)
    )
    if opinion and not factual and kind != TARGET:
        return None
    if kind == STATISTIC and not (quantities or dated or _named(plain) or factual):
        return None

    horizon = future[0] if future else None
    if kind != STATISTIC and horizon is None:
        if past and not future and kind == FORECAST and quantities:
            kind, word, hedge_class = STATISTIC, word, hedge_class
        elif inherited is not None:
            horizon = inherited
    if kind != STATISTIC and horizon is None and block.kind == "item":
        horizon = _shared_horizon(block, article)
    if kind == TARGET and not claimant and intro:
        claimant = intro.claimant
    if kind == TARGET and past and not future and re.search(r"\b(?:was|were|had)\b", plain):
        # "This goal was originally set in 2022" reports when a target was set.
        kind, word, hedge_class = STATISTIC, "", ""
    if kind == FORECAST and past and not future and not inherited:
        # A forecast whose period is over at publication reports a figure.
        kind = STATISTIC
    return _Reading(kind, word, hedge_class, horizon, claimant)


def _only_past(plain: str, future: list, past: list) -> bool:
    return bool(past) and not future and not re.search(r"\b(?:will|expected|projected)\b", plain)


def _named(text: str) -> bool:
    """Whether a clause names someone or something beyond its first word (a checkable subject)."""
    words = text.split()[1:]
    return any(re.match(r"[A-Z][a-z]*[A-Z]|[A-Z]{2,}|[A-Z][a-z]+", w) for w in words)


def _shared_horizon(block: _Block, article: Article) -> HorizonMatch | None:
    """The horizon of a list's introduction, or the one horizon its items of targets share."""
    if block.intro and block.intro.horizon:
        return block.intro.horizon
    targets = (block.intro and block.intro.sets_targets) or all(
        cues.POLICY_VERBS.match(sibling.text) for sibling in block.siblings
    )
    if not targets:
        return None
    found = {
        h.deadline: h
        for sibling in block.siblings
        for h in _horizons(sibling.text, article)
        if h.deadline and _has_lead(h) and not _is_past(h, sibling.text, article)
    }
    return next(iter(found.values())) if len(found) == 1 else None


# --- Proposals ------------------------------------------------------------------------------------


def _proposal(
    article: Article, start: int, quote: str, statement: str, reading: _Reading
) -> Proposal:
    if reading.kind == STATISTIC:
        deadline, precision = _publication_deadline(article)
        words = reading.horizon.words if reading.horizon else ""
    elif reading.horizon is not None and reading.horizon.deadline:
        deadline, precision = (
            reading.horizon.deadline.date,
            reading.horizon.deadline.precision.value,
        )
        words = reading.horizon.words
    else:
        deadline, precision = None, ""
        words = reading.horizon.words if reading.horizon else ""
    return Proposal(
        quote=quote,
        kind=reading.kind,
        statement=statement,
        claimant=reading.claimant,
        deadline=deadline,
        deadline_text=words,
        deadline_precision=precision,
        hedge=reading.hedge,
        hedge_class=reading.hedge_class,
        start=start,
        end=start + len(quote),
    )


def _row_proposals(block: _Block, article: Article) -> list[Proposal]:
    header = block.siblings[0].text.split("\t")
    cells = block.siblings[1].text.split("\t")
    proposals = []
    label = _clean(cells[0]).rstrip(".") if cells else ""
    for column, cell in enumerate(cells[1:], start=1):
        title = header[column] if column < len(header) else ""
        if not _quantities(cell, []):
            continue
        horizons = [h for h in _horizons(title, article) if h.deadline]
        forecast_header = bool(cues.HEDGES[1][1].search(title) or re.search(r"\b20\d\dE\b", title))
        horizon = horizons[0] if horizons else None
        future = horizon is not None and not _is_past(horizon, title, article)
        kind = (
            FORECAST
            if forecast_header or (future and not _is_past(horizon, title, article))
            else STATISTIC
        )
        reading = _Reading(
            kind,
            "projected" if forecast_header else "",
            cues.EXPECTED if kind == FORECAST else "",
            horizon,
            "",
        )
        statement = f"{label}, {title.lower() or 'value'}: {cell}."
        proposal = _proposal(article, block.start, block.text, statement, reading)
        if kind == STATISTIC and horizon is not None:
            proposal.deadline_text = horizon.words
        proposals.append(proposal)
    return proposals


def _text_proposals(block: _Block, article: Article) -> list[Proposal]:
    proposals = []
    for offset, sentence in _sentences(block):
        clauses = _clauses(sentence, article)
        # A horizon that opens the sentence ("By 2020, …") governs its later clauses.
        opening = [h for h in _horizons(sentence[:40], article) if h.deadline and _has_lead(h)]
        inherited = opening[0] if opening and opening[0].start < 5 else None
        first_clause_prefix = ""
        for index, (at, clause) in enumerate(clauses):
            statement_text = clause
            if index == 0:
                numbers = _quantities(clause, [])
                first_clause_prefix = clause[: numbers[0].start()] if numbers else ""
            elif first_clause_prefix and cues.QUANTITY.match(clause):
                # "… 2.5% between 2026 and 2030 and 2.0% between 2031 and 2035": the second
                # claim borrows the first one's subject and verb.
                statement_text = first_clause_prefix + clause
            reading = _read_clause(statement_text, block, article, inherited if index else None)
            if reading is None:
                continue
            if block.kind == "item" and block.intro and reading.kind == TARGET:
                intro = block.intro.text.rstrip(":").strip()
                statement_text = f"{intro} {statement_text[0].lower()}{statement_text[1:]}"
            proposals.append(
                _proposal(article, offset + at, clause, _clean(statement_text), reading)
            )
    return proposals


_WORD = re.compile(r"[a-z][a-z'’\-]{2,}")
_STOP = cues.ENGLISH_WORDS | {"into", "more", "most", "such", "over", "about", "while", "these"}


def _content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _STOP}


def _figures(text: str) -> set[str]:
    return {re.sub(r"[^\d.]", "", m[0]) for m in _quantities(text, [])}


def _restates(later: Proposal, earlier: Proposal) -> bool:
    """A later proposal that repeats an earlier one's figures about the same thing."""
    if later.quote == earlier.quote:
        return (
            later.kind == earlier.kind
            and later.deadline == earlier.deadline
            and (later.statement == earlier.statement)
        )
    figures = _figures(later.quote)
    if not figures or not figures <= _figures(earlier.quote):
        return False
    words, other = _content_words(later.quote), _content_words(earlier.quote)
    shared = words & other
    return bool(words) and (len(shared) >= 2 or len(shared) / len(words) >= 0.3)


def _reads_english(text: str) -> bool:
    sample = text[:20000]
    if _latin_share(sample) < 0.6:
        return False
    words = re.findall(r"[a-z]+", sample.lower())
    if len(words) < 30:  # too short to tell; the cue words decide
        return True
    return sum(1 for w in words if w in cues.ENGLISH_WORDS) / len(words) >= 0.08


def _normalized_quote(text: str) -> str:
    text = text.translate(
        str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
    )
    return re.sub(r"\s+", " ", text).strip().lower()


def propose_claims(article: Article, *, existing_quotes: list[str] | tuple = ()) -> IntakeResult:
    """Every checkable claim in an article, as proposals an editor confirms.

    ``existing_quotes`` are the quotes the registry already holds for this article: a proposal
    with one of them (compared after normalising whitespace, quotes and dashes) is marked
    ``already_recorded``.
    """
    notes = list(article.notes)
    if not _reads_english(article.text):
        notes.append(
            "The text does not read as English, so no claims were proposed (the intake reads "
            "English articles only)."
        )
        return IntakeResult(article, [], notes)
    title: list[Proposal] = []
    body: list[Proposal] = []
    for block in _blocks(article):
        if block.kind == "heading":
            continue
        if block.kind == "row":
            body.extend(_row_proposals(block, article))
        elif block.kind == "title":
            title.extend(_text_proposals(block, article))
        else:
            body.extend(_text_proposals(block, article))
    kept: list[Proposal] = []
    for proposal in body:
        if not any(_restates(proposal, earlier) for earlier in kept):
            kept.append(proposal)
    kept[0:0] = [
        proposal
        for proposal in title
        if not any(_restates(proposal, other) or _headline_of(proposal, other) for other in kept)
    ]
    recorded = {_normalized_quote(q) for q in existing_quotes}
    for proposal in kept:
        proposal.already_recorded = _normalized_quote(proposal.quote) in recorded
    if not kept:
        notes.append("No checkable claims were found in this text.")
    return IntakeResult(article, kept, notes)


def _headline_of(headline: Proposal, body: Proposal) -> bool:
    words = _content_words(headline.quote)
    return bool(words) and len(words & _content_words(body.quote)) / len(words) >= 0.5


__all__ = [
    "FORECAST",
    "STATISTIC",
    "TARGET",
    "IntakeResult",
    "Precision",
    "Proposal",
    "propose_claims",
]
