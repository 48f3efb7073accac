"""Stale-edit protection for claims and their evidence: one mechanism for the admin and the API.

Every write to a claim or an evidence row stores it under its row lock with `version` one
higher. A caller that says which version its copy was based on (the admin's hidden
`loaded_version`, the API's `version`) has a write based on an older version refused with
`StaleEdit`, which carries what changed since: each field whose stored value differs from the
version the caller loaded, read from the row's history (django-simple-history keeps every
version), with who changed it last and when. Once the caller has seen that, it may write again
with the current version, on top.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

# Bookkeeping, not content: never reported as "changed".
_NOT_REPORTED = {"id", "version", "created_at", "updated_at", "added_at", "added_by"}


@dataclass(frozen=True)
class Change:
    """One field that differs between the version a caller loaded and the stored row."""

    field: str
    label: str
    value: str  # the value now stored, as editors read it
    by: str  # who made the latest change to it; "" when no history row says (a job's UPDATE)
    at: datetime.datetime | None

    def describe(self) -> str:
        if self.at is None:  # only the flagging job writes without a history row
            return f"{self.label}: now {self.value} (by a background job)"
        at = timezone.localtime(self.at)
        return f"{self.label}: now {self.value} (by {self.by}, {at:%Y-%m-%d %H:%M %Z})"


class StaleEdit(Exception):
    """A write based on a version that is no longer the stored one."""

    def __init__(self, stored: models.Model, expected_version: int):
        self.stored = stored
        self.expected_version = expected_version
        self.current_version = stored.version
        # The history row of the version the caller loaded (None if the history has none).
        self.loaded = loaded_version(stored, expected_version)
        self.changes = changes_since(stored, self.loaded)
        name = stored._meta.verbose_name
        super().__init__(
            f"This {name} is at version {self.current_version}, not {expected_version}: it has "
            "changed since you read it."
        )

    def describe_changes(self) -> list[str]:
        """One line per changed field; a note when the history holds none of the change."""
        if not self.changes:
            return [
                "No field kept in its history differs (for a claim, the change may be to the "
                "entities or topics it is about)."
            ]
        return [change.describe() for change in self.changes]


def lock(instance: models.Model) -> models.Model:
    """The stored row of `instance`, locked until the end of the transaction."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def refuse_if_stale(stored: models.Model, expected_version: int | None) -> None:
    """Raise StaleEdit if the caller's copy was of another version than `stored` (read under
    its row lock). No expected version: the caller asked for no check."""
    if expected_version is None or expected_version == stored.version:
        return
    raise StaleEdit(stored, expected_version)


def save_version(instance: models.Model, *, stored: models.Model | None, by, reason: str = ""):
    """Save `instance` as the version after `stored` (its locked row; None for a new row), with
    who made it and why in its history row."""
    instance.version = 1 if stored is None else stored.version + 1
    instance._history_user = by  # simple_history: who made this version
    instance._change_reason = reason or None
    instance.save()


def loaded_version(stored: models.Model, version: int):
    """The history row of `stored` at `version`: the latest at or below it (history rows
    written before versions were kept count as version 1, so the latest of them stands in;
    the flagging job's UPDATE bumps the version without a history row)."""
    return stored.history.filter(version__lte=version).order_by("history_id").last()


def changes_since(stored: models.Model, baseline) -> list[Change]:
    """The fields of `stored` that differ from `baseline` (one of its history rows), with who
    changed each last and when."""
    if baseline is None:
        return []
    later = list(
        stored.history.filter(history_id__gt=baseline.history_id)
        .order_by("history_id")
        .select_related("history_user")
    )
    changes = []
    for field in _reported_fields(stored):
        now = getattr(stored, field.attname)
        if now == getattr(baseline, field.attname):
            continue
        by, at, previous = "", None, getattr(baseline, field.attname)
        for record in later:
            value = getattr(record, field.attname)
            if value != previous:
                by, at = str(record.history_user or "a job or the seed loader"), record.history_date
            previous = value
        changes.append(Change(field.name, _label(field), _shown(stored, field), by, at))
    return changes


def _reported_fields(instance: models.Model) -> list[models.Field]:
    kept = {f.attname for f in instance.history.model._meta.concrete_fields}
    return [
        field
        for field in instance._meta.concrete_fields
        if field.attname in kept and field.name not in _NOT_REPORTED
    ]


def _label(field: models.Field) -> str:
    label = str(field.verbose_name)
    return label[:1].upper() + label[1:]


def _shown(instance: models.Model, field: models.Field) -> str:
    if field.choices:
        value = getattr(instance, f"get_{field.name}_display")()
    elif field.is_relation:
        value = getattr(instance, field.name)
    else:
        value = getattr(instance, field.attname)
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f'"{text}"' if len(text) <= 200 else f'"{text[:199]}…"'
