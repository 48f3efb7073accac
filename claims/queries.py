"""Selectors: which claims a page, an endpoint or a job reads, and how a set of them turned out.

`Claim.objects` is a ClaimQuerySet, and every track record on the site is
`<claims>.track_record()`. ClaimFilterSet holds the filters every list of claims offers and
SEARCH_FIELDS what a search looks in: the reader's list (reader.filters) and the API's
(api.filters) subclass the one, and search the other.

This module imports no model of its own app (claims.models imports it, for the manager), only
the vocabularies in claims.choices, so nothing here is a cycle.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, F, Q, Sum

from claims.choices import ClaimantType, HedgeClass, Kind, Status, Verdict

# What the reader's search box, the API's ?search= and the editors' admin search a claim by.
SEARCH_FIELDS = [
    "statement",
    "quote",
    "slug",
    "deadline_text",
    "article__title",
    "claimant__name",
    # Who made an outlet's own claim (Claim.made_by): a research house that is the outlet,
    # not a claimant, was found by one word of its name at most (issue 15).
    "article__outlet__name",
]
# The claim columns (claims.cache.SHAPE_COLUMNS) a search reads, as SEARCH_FIELDS reach them:
# what a list searched must be made again for when a write changes one.
SEARCHED_COLUMNS = ("statement", "quote", "slug", "deadline_text", "article_id", "claimant_id")


# How much a search may ask for, on the reader site and in the API alike: each word is one more
# pass of LIKE '%word%' over several columns, so a pasted article would hold the database for
# a minute (1,900 words: 56 s on PostgreSQL).
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_TERMS = 8
SEARCH_MAX_TERM_LENGTH = 50


def validate_search_terms(raw: str, terms: Sequence[str]) -> None:
    """Refuse a search longer than the limits above, saying which limit and by how much.

    `raw` is the text as typed, `terms` the words it was split into (the API's search splits
    on commas and keeps quoted phrases together; the reader site splits on spaces)."""
    length = len(raw.strip())
    if length > SEARCH_MAX_LENGTH:
        raise ValidationError(
            f"A search may be at most {SEARCH_MAX_LENGTH} characters long (this one has {length}).",
            code="search_too_long",
        )
    if len(terms) > SEARCH_MAX_TERMS:
        raise ValidationError(
            f"A search may have at most {SEARCH_MAX_TERMS} words (this one has {len(terms)}).",
            code="search_too_many_terms",
        )
    for term in terms:
        if len(term) > SEARCH_MAX_TERM_LENGTH:
            raise ValidationError(
                f"Each word of a search may be at most {SEARCH_MAX_TERM_LENGTH} characters long "
                f"(“{term[:20]}…” has {len(term)}).",
                code="search_term_too_long",
            )


class ClaimQuerySet(models.QuerySet):
    """Claim.objects: the named selections of claims that pages, the API and jobs read."""

    def open(self):
        return self.filter(status=Status.OPEN)

    def due(self):
        return self.filter(status=Status.DUE)

    def resolved(self):
        return self.filter(status=Status.RESOLVED)

    def for_outlet(self, outlet):
        return self.filter(article__outlet=outlet)

    def with_sources(self):
        return self.select_related("article__outlet", "claimant")

    def with_details(self):
        """Everything a claim's page shows, in a number of queries that no list makes grow."""
        return self.with_sources().prefetch_related("about", "topics", "evidence", "transitions")

    def outlet_own(self):
        """The outlet's own forecasts and figures: what an outlet's track record is made of."""
        return self.filter(claimant_type=ClaimantType.OUTLET)

    def reported(self):
        """Targets and forecasts of others that an article reports."""
        return self.filter(claimant_type=ClaimantType.REPORTED)

    def concerning(self, entity):
        """Claims made by the entity or about it (a subquery, so no duplicate rows)."""
        about = self.model.about.through.objects.filter(entity=entity).values("claim_id")
        return self.filter(Q(claimant=entity) | Q(pk__in=about))

    def track_record(self):
        """Counts by status and verdict, by hedge class and by stated probability, in one
        query; every track record of a part of the registry is this (the whole registry's is
        ClaimTallyQuerySet.track_record(), the same figures from maintained counts).

        Conditional signals (a test an outlet sets for its own thesis) are counted apart, in
        `signals`, and in nothing else: they are not predictions, so they never count for or
        against whoever set them.
        """
        counts = self.order_by().aggregate(
            **{name: Count("pk", filter=condition) for name, condition in _counted().items()},
            **{
                name: Sum(value, filter=condition) for name, (value, condition) in _summed().items()
            },
        )
        return TrackRecord.from_counts(counts)


# The claim filters (ClaimFilterSet) that are columns of the claim tally, with the same values:
# a list filtered by these alone is counted from the tally.
TALLIED_FILTERS = ("status", "verdict", "kind")


class ClaimTallyQuerySet(models.QuerySet):
    """ClaimTally rows: claims counted by kind, status, verdict, hedge class, conditional,
    probability and deadline year, kept by database triggers (claims.models.ClaimTally)."""

    def track_record(self):
        """The same figures as Claim.objects.track_record(), from the tally: each row counts
        for its `claims`, so a few hundred rows stand for every claim.

        The query is the same on every call, and building its ~60 filtered sums through the ORM
        costs 10–20 ms of Python against ~1 ms in the database (docs/performance.md): it is
        built once per database and kept as SQL.
        """
        sql, params, names = _tally_record_sql(self)
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        counts = dict(zip(names, row, strict=True))
        for name in _summed():
            # Exact decimals, whatever type the database hands back for a sum of them.
            counts[name] = None if counts[name] is None else Decimal(str(counts[name]))
        return TrackRecord.from_counts(counts)

    def claims(self) -> int:
        """How many claims the rows stand for (an exact COUNT of those claims)."""
        return self.aggregate(n=Sum("claims", default=0))["n"]

    def count_matching(self, filters: Mapping[str, str]) -> int | None:
        """How many claims a list filtered by `filters` holds (ClaimFilterSet's names and
        checked values; empty ones filter nothing), or None when one of them is not a column
        the tally counts by (then only a COUNT of the claims can say)."""
        given = {name: value for name, value in filters.items() if value}
        if not set(given) <= set(TALLIED_FILTERS):
            return None
        if self.query.where:  # a part of the tally: through the ORM
            return self.filter(**given).claims()
        # Asked on every list's miss, reader's and API's: a sum over ~120 rows that the database
        # answers in 0.1 ms, where building the ORM's aggregate cost ~1 ms (issue 16).
        names = tuple(sorted(given))
        with connections[self.db].cursor() as cursor:
            cursor.execute(_tally_count_sql(self, names), [given[name] for name in names])
            return cursor.fetchone()[0]

    def by_status_and_year(self) -> list[tuple[str, int, int]]:
        """(status, deadline year, claims) for every year a deadline falls in."""
        return list(
            self.filter(deadline_year__isnull=False)
            .values_list("status", "deadline_year")
            .annotate(n=Sum("claims"))
            .filter(n__gt=0)
            .order_by("status", "deadline_year")
        )


# A hit rate over fewer verdicts than this is shown with a note that it says little yet.
SMALL_SAMPLE = 5
# Stated probabilities are grouped in bins this wide: [0, 0.1), [0.1, 0.2) … [0.9, 1].
CALIBRATION_BINS = 10
# The verdicts a hit rate is made of: unresolvable claims were neither right nor wrong.
JUDGED_VERDICTS = (Verdict.CORRECT, Verdict.PARTLY_CORRECT, Verdict.INCORRECT)
# The verdicts a Brier score is made of: a partly correct outcome is neither 1 nor 0.
BINARY_VERDICTS = (Verdict.CORRECT, Verdict.INCORRECT)


def _record_conditions() -> dict[str, Q]:
    """Which claims each of a TrackRecord's status and verdict counts counts."""
    # Conditional signals count in no figure of a record, only in `signals`.
    return {
        "total": Q(conditional=False),
        **{status: Q(status=status, conditional=False) for status in (Status.OPEN, Status.DUE)},
        **{verdict: Q(verdict=verdict, conditional=False) for verdict in Verdict.values},
        "signals": Q(conditional=True),
    }


def record_counts(path: str = "", *, only: Q | None = None) -> dict[str, Count]:
    """The Count expressions of a TrackRecord's status and verdict counts, over the claims at
    `path` from the rows being annotated ("" when the rows are the claims; "claims" for
    articles, "articles__claims" for outlets), only those matching `only` (a Q on the claim's
    own fields). `<rows>.annotate(**record_counts(path))`, then TrackRecord.of(row)."""
    prefix = f"{path}__" if path else ""
    counts = {}
    for name, condition in _record_conditions().items():
        if only is not None:
            condition &= only
        # Under a path, the conditions name the related claims' fields.
        counts[name] = Count(
            f"{prefix}pk", filter=_prefixed(condition, prefix) if prefix else condition
        )
    return counts


def _prefixed(condition: Q, prefix: str) -> Q:
    """`condition` with every field name under `prefix`."""
    prefixed = copy.deepcopy(condition)
    prefixed.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1])
        for child in condition.children
    ]
    return prefixed


def _bin_condition(index: int) -> Q:
    low = Decimal(index) / CALIBRATION_BINS
    high = Decimal(index + 1) / CALIBRATION_BINS
    # The last bin holds certainty (1.0) too.
    upper = Q(probability__lte=high) if index == CALIBRATION_BINS - 1 else Q(probability__lt=high)
    return Q(probability__gte=low) & upper


def _counted() -> dict[str, Q]:
    """Every count of a full TrackRecord (TrackRecord.from_counts), by the claims it counts:
    written once, for the aggregate over claims and the one over the tally alike."""
    conditions = _record_conditions()
    for hedge_class in HedgeClass.values:
        in_class = Q(hedge_class=hedge_class, conditional=False)
        conditions[f"hedge_{hedge_class}_total"] = in_class
        for verdict in JUDGED_VERDICTS:
            conditions[f"hedge_{hedge_class}_{verdict}"] = in_class & Q(verdict=verdict)
    stated, binary, correct = _probability_conditions()
    conditions.update(stated=stated, brier_n=binary, brier_correct=correct)
    for index in range(CALIBRATION_BINS):
        in_bin = _bin_condition(index)
        conditions[f"bin_{index}_n"] = binary & in_bin
        conditions[f"bin_{index}_correct"] = correct & in_bin
    return conditions


# The whole tally's record query, by database alias: built once (ClaimTallyQuerySet.track_record).
_WHOLE_TALLY_RECORD_SQL: dict[str, tuple[str, tuple, tuple[str, ...]]] = {}
# The SQL of ClaimTallyQuerySet.count_matching(), by database and the names it is filtered by.
_TALLY_COUNT_SQL: dict[tuple[str, tuple[str, ...]], str] = {}


def _tally_record_sql(tally: models.QuerySet) -> tuple[str, tuple, tuple[str, ...]]:
    """The SQL of ClaimTallyQuerySet.track_record() over `tally`, its parameters and the names
    of its columns: for the whole tally kept once built, for a part of it built each time."""
    if tally.query.where:
        return _build_tally_record_sql(tally)
    if tally.db not in _WHOLE_TALLY_RECORD_SQL:
        _WHOLE_TALLY_RECORD_SQL[tally.db] = _build_tally_record_sql(tally)
    return _WHOLE_TALLY_RECORD_SQL[tally.db]


def _tally_count_sql(tally: models.QuerySet, names: tuple[str, ...]) -> str:
    """The SQL of the number of claims in the tally's rows with the columns `names` equal to
    as many parameters, in that order: built once per database and set of names."""
    key = (tally.db, names)
    if key not in _TALLY_COUNT_SQL:
        quote, meta = connections[tally.db].ops.quote_name, tally.model._meta
        claims = quote(meta.get_field("claims").column)
        where = " AND ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
        _TALLY_COUNT_SQL[key] = f"SELECT COALESCE(SUM({claims}), 0) FROM {quote(meta.db_table)}" + (
            f" WHERE {where}" if where else ""
        )
    return _TALLY_COUNT_SQL[key]


def _build_tally_record_sql(tally: models.QuerySet) -> tuple[str, tuple, tuple[str, ...]]:
    query = tally.order_by().query.chain()
    query.clear_select_clause()  # the sums alone, in one row
    for name, condition in _counted().items():
        query.add_annotation(Sum("claims", filter=condition, default=0), name, select=True)
    for name, (value, condition) in _summed().items():
        query.add_annotation(Sum(value * F("claims"), filter=condition), name, select=True)
    sql, params = query.get_compiler(tally.db).as_sql()
    return sql, tuple(params), tuple(query.annotation_select)


def _summed() -> dict[str, tuple[F, Q]]:
    """The sums of a Brier score, each (value per claim, which claims)."""
    _, binary, correct = _probability_conditions()
    # Brier = mean((p - o)²) = (Σp² − 2·Σ_{o=1} p + n_{o=1}) / n: sums the database adds up
    # exactly, over decimals, in the same query as the counts.
    return {
        "brier_sum_p2": (F("probability") * F("probability"), binary),
        "brier_sum_p_correct": (F("probability"), correct),
    }


def _probability_conditions() -> tuple[Q, Q, Q]:
    """Claims that state a probability; those of them judged right or wrong; those right."""
    stated = Q(probability__isnull=False, conditional=False)
    return stated, stated & Q(verdict__in=BINARY_VERDICTS), stated & Q(verdict=Verdict.CORRECT)


@dataclass(frozen=True)
class HedgeRecord:
    """How the forecasts of one hedge class ("will", "could"…) turned out."""

    hedge_class: str
    label: str
    total: int
    correct: int
    partly_correct: int
    incorrect: int

    @property
    def judged(self) -> int:
        return self.correct + self.partly_correct + self.incorrect

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.judged if self.judged else None

    @property
    def small_sample(self) -> bool:
        return self.judged < SMALL_SAMPLE


@dataclass(frozen=True)
class CalibrationBin:
    """Judged claims whose stated probability is in [low, high) ([low, high] for the last bin)."""

    low: Decimal
    high: Decimal
    count: int
    correct: int

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.count if self.count else None

    @property
    def label(self) -> str:
        if self.high == 1:
            return f"{self.low:.0%} to 100%"
        return f"{self.low:.0%} to under {self.high:.0%}"


@dataclass(frozen=True)
class TrackRecord:
    total: int
    open: int
    due: int
    correct: int
    partly_correct: int
    incorrect: int
    unresolvable: int
    # Conditional signals among the claims, counted in none of the figures above.
    signals: int = 0
    # Filled by ClaimQuerySet.track_record(); empty for a row's counts (TrackRecord.of).
    by_hedge: tuple[HedgeRecord, ...] = ()
    # Claims that state a probability, and the judged ones among them (correct or incorrect).
    stated_probability: int = 0
    calibration: tuple[CalibrationBin, ...] = ()
    brier_score: float | None = None

    @classmethod
    def from_counts(cls, counts: dict) -> TrackRecord:
        by_hedge = tuple(
            HedgeRecord(
                hedge_class=value,
                label=label,
                total=counts[f"hedge_{value}_total"],
                **{verdict: counts[f"hedge_{value}_{verdict}"] for verdict in JUDGED_VERDICTS},
            )
            for value, label in HedgeClass.choices
            if counts[f"hedge_{value}_total"]
        )
        calibration = tuple(
            CalibrationBin(
                low=Decimal(index) / CALIBRATION_BINS,
                high=Decimal(index + 1) / CALIBRATION_BINS,
                count=counts[f"bin_{index}_n"],
                correct=counts[f"bin_{index}_correct"],
            )
            for index in range(CALIBRATION_BINS)
        )
        return cls(
            **{name: counts[name] for name in ("total", *RECORD_COUNT_NAMES)},
            by_hedge=by_hedge,
            stated_probability=counts["stated"],
            calibration=calibration if counts["brier_n"] else (),
            brier_score=_brier(counts),
        )

    @classmethod
    def of(cls, row) -> TrackRecord:
        """The record of a row annotated with record_counts()."""
        return cls(**{name: getattr(row, name) for name in ("total", *RECORD_COUNT_NAMES)})

    @property
    def pending(self) -> int:
        """Claims still waiting for a verdict, whether or not their deadline has passed."""
        return self.open + self.due

    @property
    def resolved(self) -> int:
        return self.correct + self.partly_correct + self.incorrect + self.unresolvable

    @property
    def judged(self) -> int:
        # An unresolvable claim was neither right nor wrong, so it does not count either way.
        return self.correct + self.partly_correct + self.incorrect

    @property
    def share_correct(self) -> float | None:
        """Correct claims among those judged (the hit rate); None until something is judged."""
        return self.correct / self.judged if self.judged else None

    @property
    def small_sample(self) -> bool:
        """Whether the hit rate rests on too few verdicts to say much (fewer than SMALL_SAMPLE)."""
        return self.judged < SMALL_SAMPLE

    @property
    def came_due(self) -> int:
        """Claims that can be judged: due for a verdict, or already resolved."""
        return self.due + self.resolved

    @property
    def coverage(self) -> float | None:
        """Resolved ÷ due: how much of what could be judged has been; None if nothing could."""
        return self.resolved / self.came_due if self.came_due else None

    @property
    def verdicts(self) -> list[tuple[str, str, int]]:
        """(value, label, count) for each verdict, in the order readers expect."""
        return [(v.value, v.label, getattr(self, v.value)) for v in Verdict]


RECORD_COUNT_NAMES = (Status.OPEN, Status.DUE, *Verdict.values, "signals")


def _brier(counts: dict) -> float | None:
    n = counts["brier_n"]
    if not n:
        return None
    sum_p2 = Decimal(counts["brier_sum_p2"] or 0)
    sum_p_correct = Decimal(counts["brier_sum_p_correct"] or 0)
    return float((sum_p2 - 2 * sum_p_correct + counts["brier_correct"]) / n)


def search(queryset: models.QuerySet, words: Iterable[str]) -> models.QuerySet:
    """Claims with every word in at least one of SEARCH_FIELDS (case-insensitive), as the API's
    SearchFilter reads ?search=."""
    for word in words:
        matches = Q()
        for field in SEARCH_FIELDS:
            matches |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(matches)
    return queryset


class _FiltersCopiedOnePerFilterSet(dict):
    """A FilterSet class's filters (its base_filters), of which django-filter makes a deep copy
    for each FilterSet, only to set the model and that FilterSet (as `parent`) on each filter.
    A deep copy took every filter's choices, querysets and form field with it: 0.7 ms of every
    claim list's miss, the reader's and the API's (issue 16). Each filter is copied on its own
    instead; what the copies share (the field's arguments) no request changes. A filter with a
    `method` is bound to its copy again, as its setter does, so that the method is looked up on
    the FilterSet the copy belongs to; a form field is left to each copy to make."""

    def __deepcopy__(self, memo) -> dict:
        copies = {}
        for name, filter_ in self.items():
            copied = copy.copy(filter_)
            copied.__dict__.pop("_field", None)
            if copied.method is not None:
                copied.method = copied.method  # binds the FilterMethod to the copy
            copies[name] = copied
        return copies


class ClaimFilterSet(django_filters.FilterSet):
    """What a claim is and where it stands: the filters every list of claims offers, the
    reader site's and the API's alike. Each subclass sets Meta.model (claims.models imports
    this module, so it cannot), adds how it names articles and outlets, and may word the
    shared filters for its readers in `filter_labels` ({name: label})."""

    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, empty_label="Any verdict")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, empty_label="Any kind")
    deadline_after = django_filters.DateFilter(
        field_name="deadline",
        lookup_expr="gte",
        label="Deadline on or after this date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_before = django_filters.DateFilter(
        field_name="deadline",
        lookup_expr="lte",
        label="Deadline on or before this date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    filter_labels: dict[str, str] = {}
    # The claim columns (claims.cache.SHAPE_COLUMNS) and links each filter reads, by name: the
    # tags of a list's shape (claims.cache.cached_shape). Each subclass adds its own filters'.
    columns_read: dict[str, tuple[str, ...]] = {
        "status": ("status",),
        "verdict": ("verdict",),
        "kind": ("kind",),
        "deadline_after": ("deadline",),
        "deadline_before": ("deadline",),
    }

    @classmethod
    def columns_read_by(cls, query: Mapping[str, str]) -> set[str]:
        """The columns the filters sent in `query` read. By what was sent, not what was
        understood: a name that is ignored today is a filter once its source is created."""
        return {
            column
            for name, columns in cls.columns_read.items()
            if query.get(name)
            for column in columns
        }

    @classmethod
    def get_filters(cls) -> dict[str, django_filters.Filter]:
        # Why the first attempt at one FilterSet for the site and the API failed: django-filter's
        # metaclass gives a subclass the very Filter objects its base declared, and Filter.field
        # builds its form field once and caches it on that object. drf-spectacular reads .field
        # on the API FilterSet's class-level filters to write the schema, before any model is
        # set on them, so from the first /api/schema/ on, every FilterSet sharing those objects
        # (deep-copied per request, cache and all) had a field with no label: the reader's list
        # said "None “bogus” was ignored". Each class gets filters of its own, with its model,
        # so nothing one audience does to a filter reaches the other.
        filters = _FiltersCopiedOnePerFilterSet(copy.deepcopy(super().get_filters()))
        for name, filter_ in filters.items():
            if cls._meta.model is not None:
                filter_.model = cls._meta.model
            if name in cls.filter_labels:
                filter_.label = cls.filter_labels[name]
        return filters

    def get_form_class(self) -> type[forms.Form]:
        # django-filter makes the form class, and each filter's form field, again for every
        # FilterSet it makes: 0.9 ms of every claim list, the reader's and the API's, for the
        # same ten fields each time (issue 16). Made once per class, from copies of its
        # filters, so that no form field is left on a class-level filter. Each form deep-copies
        # the fields it is given, so what one request's form does to a field (the reader's
        # drop-down options) stays in that form.
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            filters = copy.deepcopy(cls.base_filters)
            fields = {name: filter_.field for name, filter_ in filters.items()}
            form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            cls._form_class = form_class
        return form_class
