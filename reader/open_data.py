"""The whole registry (or the claim list's filtered part of it) as CSV and as JSON.

Both are streamed: the claims are read with .iterator() in chunks, evidence prefetched per
chunk, and each row is written as it is read, so no download holds the whole table in memory.
The columns, their order and their meaning are COLUMNS below; the open-data page lists them from
here, so the documentation and the files cannot disagree. New columns are added at the end.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from claims.models import Claim

CHUNK_SIZE = 500
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _evidence(claim: Claim) -> list[dict[str, Any]]:
    return [
        {
            "url": item.url,
            "title": item.title,
            "publisher": item.publisher,
            "published_on": _iso(item.published_on),
            "stance": item.stance,
            "note": item.note,
        }
        for item in claim.evidence.all()
    ]


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    value: Callable[[Claim, HttpRequest], Any]


COLUMNS: list[Column] = [
    Column("slug", "The claim's identifier; its page is /claims/<slug>/.", lambda c, r: c.slug),
    Column(
        "url",
        "The claim's page.",
        lambda c, r: r.build_absolute_uri(c.get_absolute_url()),
    ),
    Column("statement", "The checkable sentence, as an editor wrote it.", lambda c, r: c.statement),
    Column("quote", "The article's own words.", lambda c, r: c.quote),
    Column("kind", "forecast, target or statistic.", lambda c, r: c.kind),
    Column(
        "claimant_type",
        "outlet (the outlet's own claim) or reported (someone else's, in the article).",
        lambda c, r: c.claimant_type,
    ),
    Column("made_by", "Who makes it: the claimant, or else the outlet.", lambda c, r: c.made_by),
    Column(
        "claimant_slug",
        "The claimant's identifier (/claimants/<slug>/); empty for the outlet's own claims.",
        lambda c, r: c.claimant.slug if c.claimant_id else "",
    ),
    Column("article_title", "The article the claim is in.", lambda c, r: c.article.title),
    Column("article_slug", "The article's identifier.", lambda c, r: c.article.slug),
    Column("article_url", "The article at its publisher.", lambda c, r: c.article.url),
    Column("outlet", "The article's outlet.", lambda c, r: c.article.outlet.name),
    Column("outlet_slug", "The outlet's identifier.", lambda c, r: c.article.outlet.slug),
    Column("made_on", "The day it was made (YYYY-MM-DD).", lambda c, r: _iso(c.made_on)),
    Column(
        "deadline",
        "The last day of the period by which it can be judged (YYYY-MM-DD); empty if none.",
        lambda c, r: _iso(c.deadline),
    ),
    Column(
        "deadline_precision",
        "How precise the deadline is: day, month, quarter, half or year.",
        lambda c, r: c.deadline_precision,
    ),
    Column("deadline_text", "The article's words for the deadline.", lambda c, r: c.deadline_text),
    Column(
        "probability",
        "The probability the article states, from 0 to 1; empty if it states none.",
        lambda c, r: str(c.probability) if c.probability is not None else None,
    ),
    Column("hedge", "The word that says how sure it is (“will”, “could”).", lambda c, r: c.hedge),
    Column(
        "hedge_class",
        "asserted, expected, possible or target; empty if not recorded.",
        lambda c, r: c.hedge_class,
    ),
    Column("status", "open, due (for a verdict) or resolved.", lambda c, r: c.status),
    Column(
        "verdict",
        "correct, partly_correct, incorrect or unresolvable; empty until resolved.",
        lambda c, r: c.verdict,
    ),
    Column(
        "verdict_summary", "The editors' reasons for the verdict.", lambda c, r: c.verdict_summary
    ),
    Column(
        "resolved_at",
        "When the verdict was given (ISO 8601, UTC).",
        lambda c, r: _iso(c.resolved_at),
    ),
    Column(
        "updated_at",
        "When the claim last changed (ISO 8601, UTC).",
        lambda c, r: _iso(c.updated_at),
    ),
    Column(
        "evidence",
        "The evidence, a list of {url, title, publisher, published_on, stance, note}: "
        "in the CSV a JSON text, in the JSON a list.",
        lambda c, r: _evidence(c),
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def _claims(queryset: QuerySet[Claim]) -> Iterator[Claim]:
    # prefetch_related works with iterator() when a chunk size is given: one evidence query
    # per chunk of claims.
    claims = queryset.select_related("article__outlet", "claimant").prefetch_related("evidence")
    return claims.iterator(chunk_size=CHUNK_SIZE)


def record(claim: Claim, request: HttpRequest) -> dict[str, Any]:
    return {column.name: column.value(claim, request) for column in COLUMNS}


class _Echo:
    """csv.writer writes each row to this and gets the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(queryset: QuerySet[Claim], request: HttpRequest) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMN_NAMES)
    for claim in _claims(queryset):
        row = record(claim, request)
        row["evidence"] = json.dumps(row["evidence"], ensure_ascii=False)
        yield writer.writerow(["" if row[name] is None else row[name] for name in COLUMN_NAMES])


def _json_chunks(queryset: QuerySet[Claim], request: HttpRequest, about: dict) -> Iterator[str]:
    head = json.dumps({**about, "columns": COLUMN_NAMES}, ensure_ascii=False)
    yield head[:-1] + ', "claims": ['
    separator = "\n"
    for claim in _claims(queryset):
        yield separator + json.dumps(record(claim, request), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def csv_response(queryset: QuerySet[Claim], request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _csv_lines(queryset, request), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="claims.csv"'
    return response


def json_response(
    queryset: QuerySet[Claim], request: HttpRequest, *, about: dict
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _json_chunks(queryset, request, about), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="claims.json"'
    return response
