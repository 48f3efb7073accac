"""Load the seed registry (claims/seed/registry.yaml) idempotently.

Sources (outlets, articles, entities, topics) are created when missing and otherwise left as
editors keep them. A claim is created when missing; when it exists, it is updated only if no
editor has touched it since it was seeded (its current values still match the fingerprint stored
at the last load), so a re-run never overwrites an editor's work. Everything is validated before
anything is written: one bad entry stores nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from claims import lifecycle
from claims.cache import registry_changed
from claims.deadlines import HorizonError, parse_horizon
from claims.models import Claim, ClaimantType, DeadlineSource
from registry.models import Article, Entity, Outlet, TextSource, Topic

SEED_PATH = Path(__file__).resolve().parent / "seed" / "registry.yaml"
NO_HORIZON = "unspecified"

# The claim fields a seed entry sets (all that editors may, except the slug it is found by).
# The hedge is an intake reading, not in the seed file: left out, so fingerprints stay as they were.
SEEDED_FIELDS = tuple(
    name for name in Claim.EDITABLE_FIELDS if name not in ("slug", "hedge", "hedge_class")
)


class SeedError(Exception):
    """The seed file is wrong; the message lists every problem found."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_editors_version: list[str] = field(default_factory=list)
    created_claims: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    def summary(self, *, per_claim: bool = False) -> str:
        """What the load did, in counts; `per_claim` also names each claim created or updated
        (the editors' versions kept are always named)."""
        created = ", ".join(f"{n} {kind}" for kind, n in self.created.items()) or "nothing"
        lines = [
            f"Created {created}.",
            f"Updated {len(self.updated)} claims from the seed; {self.unchanged} unchanged.",
        ]
        if per_claim:
            lines += [f"  created: {slug}" for slug in self.created_claims]
            lines += [f"  updated: {slug}" for slug in self.updated]
        if self.kept_editors_version:
            lines.append(
                f"Kept the editors' version of {len(self.kept_editors_version)} claims: "
                + ", ".join(self.kept_editors_version)
            )
        return "\n".join(lines)


# Fields the seed gained after installations had stored fingerprints, with the value the
# migration that added them gives every row. While a field holds that value it is left out of the
# fingerprint, so a fingerprint stored before the field existed still matches a row no editor has
# touched, and a re-run updates that row instead of mistaking it for an editor's version. Once
# set, by the seed or an editor, the field counts like any other.
LATER_FIELDS = {"deadline_source": "", "deadline_reason": "", "conditional": False}


def fingerprint(values: dict) -> str:
    values = {
        name: value
        for name, value in values.items()
        if not (name in LATER_FIELDS and value == LATER_FIELDS[name])
    }
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def claim_values(claim: Claim) -> dict:
    """A stored claim's seeded fields, comparable with `_entry_values`: related rows by slug,
    dates in ISO form, the probability as its shortest decimal."""
    values = {}
    for name in SEEDED_FIELDS:
        field = Claim._meta.get_field(name)
        value = getattr(claim, name)
        if field.many_to_many:
            value = sorted(related.slug for related in value.all())
        elif field.is_relation:
            value = value.slug if value is not None else None
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value.normalize())
        values[name] = value
    return values


def _as_date(value, where: str, problems: list[str]) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: {value!r} is not a real date (YYYY-MM-DD).")
        return None


def _entry_values(entry: dict, article: dict, where: str, problems: list[str]) -> dict | None:
    """What a claim entry means once its deadline words are read; None if it cannot be read."""
    published_on = _as_date(article["published_on"], f"article {article['slug']}", problems)
    if published_on is None:
        return None
    made_on = _as_date(entry.get("made_on", published_on), f"{where} made_on", problems)
    horizon = (entry.get("horizon") or entry.get("deadline_text") or "").strip()
    deadline = precision = None
    if "deadline" in entry:
        deadline = _as_date(entry["deadline"], f"{where} deadline", problems)
        precision = entry.get("deadline_precision", "day")
    elif horizon and horizon != NO_HORIZON:
        try:
            parsed = parse_horizon(
                horizon,
                published_on=published_on,
                published_precision=article["published_precision"],
            )
            deadline, precision = parsed.date, parsed.precision.value
        except HorizonError as error:
            problems.append(f"{where} horizon: {error}")
            return None
    source = entry.get("deadline_source") or ""
    reason = (entry.get("deadline_reason") or "").strip()
    # Left out, it stays unrecorded, as on a claim an editor adds without saying (a seed from
    # before the field existed loads as it did); the registry's own seed says it for every
    # deadline (tests/test_seed_registry.py).
    if source and source not in DeadlineSource.values:
        problems.append(
            f"{where}: deadline_source is 'article' (the article's words) or 'registry' (the "
            f"registry's reading, with a deadline_reason), not {source!r}."
        )
    elif deadline is None and (source or reason):
        problems.append(f"{where}: deadline_source or deadline_reason without a deadline.")
    elif source == DeadlineSource.REGISTRY and not reason:
        problems.append(f"{where}: a registry's reading needs its deadline_reason.")
    conditional = entry.get("conditional", False)
    if not isinstance(conditional, bool):
        problems.append(f"{where}: conditional must be true or false.")
    probability = entry.get("probability")
    return {
        "article": entry.get("article"),
        "claimant_type": entry.get("claimant_type", ClaimantType.OUTLET),
        "claimant": entry.get("claimant"),
        "statement": (entry.get("statement") or "").strip(),
        "quote": (entry.get("quote") or "").strip(),
        "kind": entry.get("kind"),
        "made_on": made_on.isoformat() if made_on else None,
        "deadline": deadline.isoformat() if deadline else None,
        "deadline_text": (entry.get("deadline_text") or "").strip(),
        "deadline_precision": precision or "",
        "ambiguity": (entry.get("ambiguity") or "").strip(),
        "resolution_criteria": (entry.get("resolution_criteria") or "").strip(),
        "probability": None if probability is None else str(Decimal(str(probability)).normalize()),
        "about": sorted(entry.get("about") or []),
        "topics": sorted(entry.get("topics") or []),
        "deadline_source": source,
        "deadline_reason": reason,
        "conditional": conditional,
    }


def read_seed(path: Path = SEED_PATH) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"Cannot read the seed file {path}: {error}") from error
    if not isinstance(data, dict):
        raise SeedError(
            f"{path}: expected a mapping with outlets, articles, entities, topics and claims."
        )
    return data


def load_registry(path: Path = SEED_PATH) -> SeedReport:
    data = read_seed(path)
    problems: list[str] = []
    outlets = {o["slug"]: o for o in data.get("outlets", [])}
    articles = {a["slug"]: a for a in data.get("articles", [])}
    entities = {e["slug"]: e for e in data.get("entities", [])}
    topics = {t["slug"]: t for t in data.get("topics", [])}

    for slug, article in articles.items():
        if article.get("outlet") not in outlets:
            problems.append(f"article {slug}: unknown outlet {article.get('outlet')!r}.")
        if article.get("published_precision") not in ("day", "month", "year"):
            problems.append(f"article {slug}: published_precision must be day, month or year.")
    if problems:  # claims cannot be read against articles that are themselves wrong
        raise SeedError(
            "The seed registry was not loaded; nothing was stored:\n- " + "\n- ".join(problems)
        )

    entries: list[tuple[dict, dict]] = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("claims", [])):
        where = f"claim {entry.get('slug') or f'#{index + 1}'}"
        if entry.get("slug") in seen:
            problems.append(f"{where}: the slug is used twice.")
        seen.add(entry.get("slug"))
        article = articles.get(entry.get("article"))
        if article is None:
            problems.append(f"{where}: unknown article {entry.get('article')!r}.")
            continue
        unknown = [
            s
            for s in [entry.get("claimant"), *(entry.get("about") or [])]
            if s and s not in entities
        ]
        unknown += [s for s in entry.get("topics") or [] if s not in topics]
        if unknown:
            problems.append(f"{where}: unknown entities or topics {unknown}.")
            continue
        values = _entry_values(entry, article, where, problems)
        if values is not None:
            entries.append((entry, values))
    if problems:
        raise SeedError(
            "The seed registry was not loaded; nothing was stored:\n- " + "\n- ".join(problems)
        )

    report = SeedReport()
    with transaction.atomic():
        _store(outlets, articles, entities, topics, entries, report)
        registry_changed()  # signals cover the saves; this covers the fingerprints' update()
    return report


def _get_or_create(model, slug: str, defaults: dict, report: SeedReport, label: str):
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        # Validated as the admin validates it; raised inside the transaction, so nothing stays.
        obj = model(slug=slug, **defaults)
        try:
            obj.full_clean()
        except ValidationError as error:
            raise SeedError(
                f"The seed registry was not loaded; nothing was stored:\n- {label} {slug}: "
                + "; ".join(f"{f}: {' '.join(t)}" for f, t in error.message_dict.items())
            ) from error
        obj.save()
        report.count(label)
    return obj


def _store(outlets, articles, entities, topics, entries, report: SeedReport) -> None:
    outlet_rows = {
        slug: _get_or_create(
            Outlet,
            slug,
            {"name": o["name"], "url": o.get("url", ""), "note": o.get("note", "")},
            report,
            "outlets",
        )
        for slug, o in outlets.items()
    }
    article_rows = {}
    for slug, a in articles.items():
        defaults = {
            "outlet": outlet_rows[a["outlet"]],
            "title": a["title"],
            "authors": ", ".join(a.get("authors") or []),
            "url": a.get("url", ""),
            "published_on": a["published_on"],
            "published_precision": a["published_precision"],
            "date_note": a.get("date_note", ""),
            "source_file": a.get("source_file", ""),
        }
        article_rows[slug] = _get_or_create(Article, slug, defaults, report, "articles")
        _keep_article_text(article_rows[slug], a.get("source_file", ""))
    entity_rows = {
        slug: _get_or_create(
            Entity,
            slug,
            {"name": e["name"], "kind": e.get("kind", "other"), "url": e.get("url", "")},
            report,
            "entities",
        )
        for slug, e in entities.items()
    }
    topic_rows = {
        slug: _get_or_create(Topic, slug, {"name": t["name"]}, report, "topics")
        for slug, t in topics.items()
    }

    existing = {
        c.slug: c
        for c in Claim.objects.filter(slug__in=[e["slug"] for e, _ in entries])
        .select_related("article", "claimant")
        .prefetch_related("about", "topics")
    }
    for entry, values in entries:
        try:
            _store_claim(
                entry,
                values,
                existing.get(entry["slug"]),
                article_rows,
                entity_rows,
                topic_rows,
                report,
            )
        except ValidationError as error:
            # Raised inside the transaction: everything loaded so far is rolled back.
            messages = [
                f"{field}: {' '.join(texts)}" if field != "__all__" else " ".join(texts)
                for field, texts in error.message_dict.items()
            ]
            raise SeedError(
                f"The seed registry was not loaded; nothing was stored:\n- claim {entry['slug']}: "
                + "; ".join(messages)
            ) from error


def _keep_article_text(article: Article, source_file: str) -> None:
    """Store the seed article's text when its file is present (settings.SEED_ARTICLES_DIR), so
    that the seeded quotes are checked against it; without the file the article stays as is."""
    if not source_file:
        return
    path = Path(settings.SEED_ARTICLES_DIR) / source_file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    if article.source_text != text:
        article.source_text, article.source_kind, article.source_name = (
            text,
            TextSource.FILE,
            source_file,
        )
        article.save(update_fields=["source_text", "source_kind", "source_name"])


def _store_claim(
    entry, values, claim, article_rows, entity_rows, topic_rows, report: SeedReport
) -> None:
    seed_fingerprint = fingerprint(values)
    about = [entity_rows[s] for s in values["about"]]
    topics = [topic_rows[s] for s in values["topics"]]
    if claim is None:
        claim = Claim(slug=entry["slug"])
        _apply(claim, values, article_rows, entity_rows)
        lifecycle.create_claim(claim=claim, about=about, topics=topics, via="seed")
        report.count("claims")
        report.created_claims.append(claim.slug)
    elif fingerprint(claim_values(claim)) != claim.seed_fingerprint:
        report.kept_editors_version.append(claim.slug)
        return
    elif claim.seed_fingerprint == seed_fingerprint:
        report.unchanged += 1
        return
    else:
        _apply(claim, values, article_rows, entity_rows)
        lifecycle.edit_claim(
            claim=claim,
            about=about,
            topics=topics,
            by=None,
            via="seed",
            reason="Seed registry updated",
        )
        report.updated.append(claim.slug)
    Claim.objects.filter(pk=claim.pk).update(seed_fingerprint=seed_fingerprint)


def _apply(claim: Claim, values: dict, article_rows: dict, entity_rows: dict) -> None:
    """Set a claim's seeded fields (its many-to-many ones are set by the lifecycle)."""
    related_rows = {"article": article_rows, "claimant": entity_rows}
    for name in SEEDED_FIELDS:
        field, value = Claim._meta.get_field(name), values[name]
        if field.many_to_many:
            continue
        if field.is_relation:
            value = related_rows[name][value] if value else None
        elif value is not None and isinstance(field, models.DateField):
            value = datetime.date.fromisoformat(value)
        elif value is not None and isinstance(field, models.DecimalField):
            value = Decimal(value)
        setattr(claim, name, value)
