"""The serving benchmark's registry, described once: bench/serve.py builds it on PostgreSQL
and on SQLite from the rows made here, so the two databases cannot drift apart.

Every row is a function of its number (claim i, evidence item j), as generate_series was:
  - 50 outlets, claims / 10 articles (outlet 1 + i % 50), 2,000 entities, 40 topics;
  - claims by i % 20: 60 % open (deadline ahead of TODAY), 15 % due, 25 % resolved (verdicts in
    turn); a third (i % 3 == 0) reported by a claimant; kinds in turn by i / 3; each claim about
    one entity and under one topic; forecasts and targets carry a hedge word, one claim in 50 is
    a conditional signal, one forecast in 10 states a probability, one deadline in 10 is the
    registry's reading (with its reason);
  - evidence item j on claim 1 + j % claims, stances in turn; most links checked and working,
    one in 10 not yet checked, one in 50 dead;
  - the transition log: every claim's creation, then each due or resolved claim's flagging,
    then each resolved claim's verdict (200,000 claims: 450,000 rows).
Ids are written explicitly (1, 2, ...), so the benchmark's addresses (`addresses`) follow
from the shape alone. The builders name every NOT NULL column of the current models: a column
added without a database default fails the build instead of being skipped.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

TODAY = datetime.date(2026, 11, 24)
# Fixed rather than the clock, so that two builds of one shape hold the same rows.
NOW = datetime.datetime(2026, 11, 24, 12, tzinfo=datetime.UTC)
FIRST_DAY = datetime.date(2018, 1, 1)

KINDS = ("forecast", "target", "statistic")
VERDICTS = ("correct", "partly_correct", "incorrect", "unresolvable")
STANCES = ("supports", "refutes", "context")
ENTITY_KINDS = ("government", "agency", "company", "fund", "research", "person", "other")
# (hedge word, hedge class) by kind: statistics carry none.
HEDGES = {
    "forecast": (("will", "asserted"), ("is expected to", "expected"), ("could", "possible")),
    "target": (("aims to", "target"),),
    "statistic": (("", ""),),
}

# Rebuild when this description changes (bench/serve.py keeps it beside the data it built).
FINGERPRINT = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class Shape:
    claims: int = 200_000
    evidence: int = 600_000
    outlets: int = 50
    entities: int = 2_000
    topics: int = 40

    @property
    def articles(self) -> int:
        return max(self.claims // 10, 1)

    @property
    def fingerprint(self) -> str:
        return f"{FINGERPRINT} {self.claims} claims {self.evidence} evidence"


def claim_status(i: int) -> str:
    return "open" if i % 20 < 12 else "due" if i % 20 < 15 else "resolved"


def claim_deadline(i: int) -> datetime.date:
    if claim_status(i) == "open":
        return TODAY + datetime.timedelta(days=i % 3650)
    return TODAY - datetime.timedelta(days=1 + i % 2000)


def claim_kind(i: int) -> str:
    return KINDS[(i // 3) % 3]


def _outlets(shape: Shape) -> Iterator[tuple]:
    for i in range(1, shape.outlets + 1):
        yield i, f"outlet-{i}", f"Outlet {i}", f"https://outlet{i}.example.org/", ""


def _articles(shape: Shape) -> Iterator[tuple]:
    for i in range(1, shape.articles + 1):
        published = FIRST_DAY + datetime.timedelta(days=i % 2900)
        yield (
            i,
            f"article-{i}",
            1 + i % shape.outlets,
            f"Article number {i} on industrial policy",
            "A. Writer",
            "",
            published,
            "day",
            "",
            "",
            "",  # source_text: none kept, as for the articles seeded before the intake
            "",
            "",
        )


def _entities(shape: Shape) -> Iterator[tuple]:
    for i in range(1, shape.entities + 1):
        yield i, f"entity-{i}", f"Entity {i}", ENTITY_KINDS[i % len(ENTITY_KINDS)], ""


def _topics(shape: Shape) -> Iterator[tuple]:
    for i in range(1, shape.topics + 1):
        yield i, f"topic-{i}", f"Topic {i}"


def _claims(shape: Shape) -> Iterator[tuple]:
    for i in range(1, shape.claims + 1):
        status, kind, deadline = claim_status(i), claim_kind(i), claim_deadline(i)
        reported = i % 3 == 0
        resolved = status == "resolved"
        hedges = HEDGES[kind]
        hedge, hedge_class = hedges[(i // 9) % len(hedges)]
        registry_deadline = i % 10 == 7
        updated = NOW - datetime.timedelta(hours=i % 1000)
        yield (
            i,
            f"claim-{i}",
            1 + i % shape.articles,
            "reported" if reported else "outlet",
            1 + i % shape.entities if reported else None,
            f"Checkable statement number {i}: output reaches a stated figure.",
            f"A verbatim sentence from the article, number {i}.",
            kind,
            FIRST_DAY,
            deadline,
            f"by {deadline.year}" if not registry_deadline else "",
            "day",
            "registry" if registry_deadline else "article",
            "the article's other predictions run to then" if registry_deadline else "",
            "",
            "An official figure at or above the stated one.",
            Decimal(f"0.{1 + i % 9}") if kind == "forecast" and i % 10 == 1 else None,
            hedge,
            hedge_class,
            i % 50 == 11,
            status,
            NOW if status == "due" else None,
            VERDICTS[i % 4] if resolved else "",
            "The official figures settle it." if resolved else "",
            NOW - datetime.timedelta(days=i % 700) if resolved else None,
            1,
            "",
            updated,
            updated,
        )


def _claim_about(shape: Shape) -> Iterator[tuple]:
    for i in range(1, shape.claims + 1):
        yield i, 1 + (i * 7) % shape.entities


def _claim_topics(shape: Shape) -> Iterator[tuple]:
    for i in range(1, shape.claims + 1):
        yield i, 1 + i % shape.topics


def _evidence(shape: Shape) -> Iterator[tuple]:
    for j in range(1, shape.evidence + 1):
        if j % 50 == 0:
            link = ("dead", NOW - datetime.timedelta(days=j % 7), 3)
        elif j % 10 == 0:
            link = ("unchecked", None, 0)
        else:
            link = ("ok", NOW - datetime.timedelta(days=j % 30), 0)
        yield (
            j,
            1 + j % shape.claims,
            f"https://example.org/report/{j}",
            f"Report number {j}",
            "Statistics office",
            datetime.date(2024, 1, 1) + datetime.timedelta(days=j % 1000),
            STANCES[j % 3],
            "What this report shows about the claim.",
            NOW - datetime.timedelta(days=j % 900),
            1,
            *link,
            NOW + datetime.timedelta(days=j % 30),
            None,
            None,
            None,
        )


def _transitions(shape: Shape) -> Iterator[tuple]:
    claims = range(1, shape.claims + 1)
    for i in claims:
        yield i, "created", "", "open", "", "", "seed", NOW - datetime.timedelta(hours=i % 1000)
    for i in claims:
        if claim_status(i) != "open":
            yield i, "flagged_due", "open", "due", "", "Deadline passed.", "flag_due_claims", NOW
    for i in claims:
        if claim_status(i) == "resolved":
            yield (
                i,
                "resolved",
                "due",
                "resolved",
                VERDICTS[i % 4],
                "The official figures settle it.",
                "admin",
                NOW - datetime.timedelta(days=i % 700),
            )


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[Shape], Iterator[tuple]]

    @property
    def explicit_ids(self) -> bool:
        return self.columns[0] == "id"


# In the order they are filled (foreign keys point backwards).
TABLES = (
    Table("registry_outlet", ("id", "slug", "name", "url", "note"), _outlets),
    Table(
        "registry_article",
        (
            "id",
            "slug",
            "outlet_id",
            "title",
            "authors",
            "url",
            "published_on",
            "published_precision",
            "date_note",
            "source_file",
            "source_text",
            "source_kind",
            "source_name",
        ),
        _articles,
    ),
    Table("registry_entity", ("id", "slug", "name", "kind", "url"), _entities),
    Table("registry_topic", ("id", "slug", "name"), _topics),
    Table(
        "claims_claim",
        (
            "id",
            "slug",
            "article_id",
            "claimant_type",
            "claimant_id",
            "statement",
            "quote",
            "kind",
            "made_on",
            "deadline",
            "deadline_text",
            "deadline_precision",
            "deadline_source",
            "deadline_reason",
            "ambiguity",
            "resolution_criteria",
            "probability",
            "hedge",
            "hedge_class",
            "conditional",
            "status",
            "due_since",
            "verdict",
            "verdict_summary",
            "resolved_at",
            "version",
            "seed_fingerprint",
            "created_at",
            "updated_at",
        ),
        _claims,
    ),
    Table("claims_claim_about", ("claim_id", "entity_id"), _claim_about),
    Table("claims_claim_topics", ("claim_id", "topic_id"), _claim_topics),
    Table(
        "claims_evidence",
        (
            "id",
            "claim_id",
            "url",
            "title",
            "publisher",
            "published_on",
            "stance",
            "note",
            "added_at",
            "version",
            "link_state",
            "link_checked_at",
            "link_failures",
            "link_next_check_at",
            "link_lease",
            "link_leased_until",
            "snapshot_due_at",
        ),
        _evidence,
    ),
    Table(
        "claims_transition",
        ("claim_id", "action", "from_status", "to_status", "verdict", "reason", "via", "at"),
        _transitions,
    ),
)


def build_postgres(cursor, shape: Shape) -> None:
    """COPY every table (a psycopg 3 cursor, inside the caller's transaction), then move each
    id sequence past the ids written."""
    for table in TABLES:
        with cursor.copy(f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN") as copy:
            for row in table.rows(shape):
                copy.write_row(row)
        if table.explicit_ids:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) "
                f"FROM {table.name}"
            )


def build_sqlite(cursor, shape: Shape) -> None:
    """executemany per table (a sqlite3 cursor, or Django's on SQLite), values as Django's
    SQLite backend stores them; the caller commits. AUTOINCREMENT keeps track of the ids."""
    for table in TABLES:
        marks = ", ".join("?" for _ in table.columns)
        cursor.executemany(
            f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})",
            (tuple(map(sqlite_value, row)) for row in table.rows(shape)),
        )


def sqlite_value(value):
    """As django.db.backends.sqlite3 writes it: ISO dates, naive UTC datetimes, text decimals."""
    if isinstance(value, datetime.datetime):
        return str(value.astimezone(datetime.UTC).replace(tzinfo=None))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def addresses(shape: Shape) -> list[tuple[str, str]]:
    """What the benchmark requests: a resolved claim (evidence and a full log), the first
    article, the first outlet (a fiftieth of every claim) and a claimant with claims made."""
    claim = next(i for i in range(1, shape.claims + 1) if claim_status(i) == "resolved")
    claimant = 1 + 3 % shape.entities  # claim 3 is the first reported one
    return [
        ("/healthz", "/healthz"),
        ("home", "/"),
        ("claim list", "/claims/"),
        ("claim list, filtered", "/claims/?status=due&kind=forecast"),
        ("claim page", f"/claims/claim-{claim}/"),
        ("article page", "/articles/article-1/"),
        ("outlet page", "/outlets/outlet-1/"),
        ("claimant page", f"/claimants/entity-{claimant}/"),
        ("API list", "/api/v1/claims/"),
        ("API list, filtered", "/api/v1/claims/?status=due"),
        ("API detail", f"/api/v1/claims/{claim}/"),
        # No query and no fragment: what DRF itself (throttle, negotiation, rendering, ETag)
        # costs on an API miss, the floor under every API figure above.
        ("API root", "/api/v1/"),
    ]
