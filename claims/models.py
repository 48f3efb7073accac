"""What was said and how it turned out.

The fields here hold state; how a claim moves between states (open -> due -> resolved, and
back) is decided only in `claims.lifecycle`, which every caller (admin, commands, jobs, API)
goes through. The check constraints below repeat the essential invariants in the database, so
that no path, not even a raw UPDATE, can store a claim that contradicts them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# Re-exported: migrations and much code name them as claims.models.Status and so on.
from claims.choices import (
    ClaimantType,
    DeadlineSource,
    ErrorReportState,
    HedgeClass,
    JobOutcome,
    Kind,
    LinkState,
    NotificationState,
    Status,
    Verdict,
)
from claims.queries import ClaimQuerySet
from claims.validators import normalize_web_address, validate_web_address
from registry.models import Article, Entity, Topic
from registry.precision import Precision
from registry.validators import validate_no_bidi_controls


def _choices_constraint(field: str, choices: type[models.TextChoices], *, blank: bool = False):
    values = list(choices.values) + ([""] if blank else [])
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": values}), name=f"claim_{field}_valid"
    )


class WebAddressField(models.URLField):
    """A link readers click: normalised and checked by claims.validators whenever the model is
    cleaned (admin, API, seed loader), so the database's constraint never sees a bad one."""

    default_validators = [validate_web_address]

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_web_address(value) if value else value


class Claim(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    claimant_type = models.CharField(
        "who makes it", max_length=8, choices=ClaimantType.choices, default=ClaimantType.OUTLET
    )
    claimant = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_made",
        help_text="The government body, company or analyst the article reports. "
        "Empty when the claim is the outlet's own.",
    )
    about = models.ManyToManyField(Entity, blank=True, related_name="claims_about")
    topics = models.ManyToManyField(Topic, blank=True, related_name="claims")

    statement = models.TextField(
        help_text="One checkable sentence, written by an editor.",
        validators=[validate_no_bidi_controls],
    )
    quote = models.TextField(help_text="Verbatim from the article.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    made_on = models.DateField(help_text="Usually the article's publication date.")

    deadline = models.DateField(
        null=True, blank=True, help_text="The last day of the period by which it can be judged."
    )
    deadline_text = models.CharField(
        "horizon words",
        max_length=200,
        blank=True,
        help_text="The article's own words, e.g. "
        '"in the next 18 months", "by 2025", "(2024-2026)".',
    )
    deadline_precision = models.CharField(max_length=8, choices=Precision.choices, blank=True)
    deadline_source = models.CharField(
        "whose deadline",
        max_length=8,
        choices=DeadlineSource.choices,
        blank=True,
        help_text="The article's horizon words, or, where the article gives none, the registry's "
        "reading (then say why in the deadline reason). Empty when there is no deadline.",
    )
    deadline_reason = models.TextField(
        "why this deadline",
        blank=True,
        help_text="For the registry's reading: why this date, as a reader will see it after "
        '"because", e.g. "the article\'s other predictions run through 2027".',
        validators=[validate_no_bidi_controls],
    )
    ambiguity = models.TextField(
        blank=True,
        help_text="Where the article is ambiguous: what conflicts, the reading chosen, why.",
    )
    resolution_criteria = models.TextField(blank=True)
    probability = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Only when the article states one, from 0 to 1.",
        # A field error for the editor; the claim_probability_range constraint stays as the net.
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    # How sure the claim's own words are, as claims.intake reads them ("will", "could"): the
    # track records' hit rate per class (claims.queries.TrackRecord.by_hedge).
    hedge = models.CharField(
        "hedge word",
        max_length=40,
        blank=True,
        help_text='The word that says how sure the claim is, e.g. "will", "could", "expects".',
    )
    hedge_class = models.CharField(max_length=8, choices=HedgeClass.choices, blank=True)

    conditional = models.BooleanField(
        "conditional signal",
        default=False,
        help_text='A test the outlet sets for its own thesis ("watch for …", "will be the '
        'strongest validation"), not a prediction it makes: shown as a signal and counted in no '
        "track record.",
    )

    # Lifecycle state: written only by claims.lifecycle.
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    due_since = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    verdict_summary = models.TextField("verdict rationale", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    # Bumped by every write, so that a save based on a stale form is refused, not applied.
    version = models.PositiveIntegerField(default=1)
    # The seed values this row was last loaded with; a re-run leaves rows that differ alone.
    seed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The version is kept in each history row: a refused stale edit is shown what changed since
    # the version the editor loaded (claims.versions).
    history = HistoricalRecords(excluded_fields=["seed_fingerprint"])
    objects = ClaimQuerySet.as_manager()

    # What editors (admin), API clients and the seed loader may set; declared once, here. The
    # lifecycle works out which of them an edit changes by comparing with the stored row.
    EDITABLE_FIELDS = [
        "slug",
        "article",
        "claimant_type",
        "claimant",
        "statement",
        "quote",
        "kind",
        "made_on",
        "about",
        "topics",
        "deadline_text",
        "deadline",
        "deadline_precision",
        "ambiguity",
        "resolution_criteria",
        "probability",
        "deadline_source",
        "deadline_reason",
        "conditional",
        "hedge",
        "hedge_class",
    ]
    # Written only by claims.lifecycle: read-only in the admin, refused by edit_claim.
    LIFECYCLE_FIELDS = [
        "status",
        "due_since",
        "verdict",
        "verdict_summary",
        "resolved_by",
        "resolved_at",
    ]

    class Meta:
        ordering = ["deadline", "id"]
        permissions = [("resolve_claim", "Can record a verdict on a claim or reopen it")]
        indexes = [
            # The flagging job's scan: only open claims carry a live deadline.
            models.Index(
                fields=["deadline"], condition=Q(status="open"), name="claim_open_deadline_idx"
            ),
            models.Index(fields=["status", "deadline"], name="claim_status_deadline_idx"),
            models.Index(fields=["-updated_at"], name="claim_updated_idx"),
            models.Index(fields=["verdict", "-resolved_at"], name="claim_verdict_idx"),
            # The lists' default order (reader list, API): a page is an index range, not a sort
            # of every claim (300 ms at 200,000 claims without it; docs/performance.md).
            models.Index(fields=["deadline", "id"], name="claim_deadline_id_idx"),
            # The lists filtered by kind and status: their counts (the reader's capped one, the
            # API's) read this index alone instead of scanning the table (6 ms -> 0.4 ms, and
            # 28 ms -> 2 ms for the API's, at 200,000 claims; docs/performance.md).
            models.Index(fields=["kind", "status"], name="claim_kind_status_idx"),
            # The home page's recent verdicts.
            models.Index(
                fields=["-resolved_at", "-id"],
                condition=Q(status="resolved"),
                name="claim_recent_verdicts_idx",
            ),
        ]
        constraints = [
            _choices_constraint("status", Status),
            _choices_constraint("kind", Kind),
            _choices_constraint("verdict", Verdict, blank=True),
            _choices_constraint("claimant_type", ClaimantType),
            _choices_constraint("deadline_precision", Precision, blank=True),
            _choices_constraint("hedge_class", HedgeClass, blank=True),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=models.F("made_on")),
                name="claim_deadline_not_before_made_on",
                violation_error_message="The deadline cannot be before the day the claim was made.",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True, deadline_precision="")
                | (Q(deadline__isnull=False) & ~Q(deadline_precision="")),
                name="claim_deadline_has_precision",
            ),
            models.CheckConstraint(
                # A verdict exactly when resolved, and never without its rationale and date.
                condition=(
                    Q(status="resolved")
                    & ~Q(verdict="")
                    & ~Q(verdict_summary="")
                    & Q(resolved_at__isnull=False)
                )
                | (~Q(status="resolved") & Q(verdict="") & Q(resolved_at__isnull=True)),
                name="claim_verdict_iff_resolved",
                violation_error_message=(
                    "A claim has a verdict, with its rationale, exactly when it is resolved."
                ),
            ),
            models.CheckConstraint(
                condition=Q(due_since__isnull=True) | ~Q(status="open"),
                name="claim_open_not_due",
            ),
            models.CheckConstraint(
                condition=Q(claimant_type="outlet", claimant__isnull=True)
                | Q(claimant_type="reported", claimant__isnull=False),
                name="claim_claimant_matches_type",
                violation_error_message=(
                    "A reported claim names its claimant; the outlet's own does not."
                ),
            ),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__gte=0, probability__lte=1),
                name="claim_probability_range",
            ),
            models.CheckConstraint(condition=~Q(statement=""), name="claim_statement_not_empty"),
            _choices_constraint("deadline_source", DeadlineSource, blank=True),
            models.CheckConstraint(
                condition=Q(deadline_source="") | Q(deadline__isnull=False),
                name="claim_deadline_source_has_deadline",
                violation_error_message="Only a claim with a deadline says whose deadline it is.",
            ),
            models.CheckConstraint(
                condition=~Q(deadline_source="registry") | ~Q(deadline_reason=""),
                name="claim_registry_deadline_has_reason",
                violation_error_message="A deadline that is the registry's reading says why "
                "(the deadline reason).",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:100]

    def get_absolute_url(self) -> str:
        return reverse("claims:detail", args=[self.slug])

    @property
    def made_by(self) -> str:
        return self.claimant.name if self.claimant_id else self.article.outlet.name


# Evidence fields the link-health and snapshot jobs write, which are no editor's edit.
LINK_BOOKKEEPING_FIELDS = [
    "link_state",
    "link_checked_at",
    "link_failures",
    "link_next_check_at",
    "link_lease",
    "link_leased_until",
    "snapshot_due_at",
]


class Evidence(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        REFUTES = "refutes", "Refutes"
        CONTEXT = "context", "Context"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = WebAddressField(max_length=2000)
    title = models.CharField(max_length=300, validators=[validate_no_bidi_controls])
    publisher = models.CharField(max_length=200, blank=True, validators=[validate_no_bidi_controls])
    published_on = models.DateField(null=True, blank=True)
    stance = models.CharField(max_length=8, choices=Stance.choices)
    note = models.TextField(blank=True, help_text="An excerpt, or what this shows.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every write, like Claim.version: a save based on a stale form is refused.
    version = models.PositiveIntegerField(default=1)
    # Link health (claims.jobs.link_checks). `link_state` and `link_checked_at` are what readers
    # see; the rest is the job's bookkeeping, written with queryset.update() (no signal, no
    # history row, no cache invalidation). None of it is an editor's edit: not in the history.
    link_state = models.CharField(
        max_length=10, choices=LinkState.choices, default=LinkState.UNCHECKED
    )
    link_checked_at = models.DateTimeField(null=True, blank=True)
    link_failures = models.PositiveSmallIntegerField(default=0, help_text="Failed checks in a row.")
    link_next_check_at = models.DateTimeField(default=timezone.now)
    link_lease = models.UUIDField(null=True, blank=True, help_text="The run checking it now.")
    link_leased_until = models.DateTimeField(null=True, blank=True)
    # When a snapshot is wanted (set on adding the evidence, changing its URL, or an editor's
    # request); while one is being taken, the end of that run's lease. None: nothing to do.
    snapshot_due_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=LINK_BOOKKEEPING_FIELDS)

    class Meta:
        ordering = ["stance", "-published_on", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="evidence_url_http",
                violation_error_message="Evidence links must be http:// or https:// addresses.",
            ),
            models.CheckConstraint(
                condition=Q(stance__in=["supports", "refutes", "context"]),
                name="evidence_stance_valid",
            ),
            models.CheckConstraint(
                condition=Q(link_state__in=LinkState.values), name="evidence_link_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["link_next_check_at"], name="evidence_link_next_check"),
            models.Index(
                fields=["snapshot_due_at"],
                name="evidence_snapshot_due",
                condition=Q(snapshot_due_at__isnull=False),
            ),
            models.Index(
                fields=["claim"], name="evidence_dead_links", condition=Q(link_state="dead")
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def archive_url(self) -> str:
        """The Internet Archive's copy nearest the day the evidence was added (the Wayback
        Machine answers with its closest capture, earlier or later)."""
        day = (self.added_at or timezone.now()).strftime("%Y%m%d")
        return f"https://web.archive.org/web/{day}/{self.url}"


class Transition(models.Model):
    """One row per lifecycle change: who (or which job), when, from which status to which, why."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        FLAGGED_DUE = "flagged_due", "Deadline passed"
        RESOLVED = "resolved", "Resolved"
        REOPENED = "reopened", "Reopened"
        DEADLINE_MOVED = "deadline_moved", "Deadline moved"

    # Indexed through (claim, at) below; a second single-column index would only slow the
    # flagging job's bulk insert. No foreign-key constraint in the database either (like the
    # history tables'): this append-only log is written only by claims.lifecycle, with ids it
    # has just locked, and the per-row check cost the flagging job a third of its time
    # (bench/flagging.py). Django still deletes a claim's log with the claim.
    claim = models.ForeignKey(
        Claim,
        on_delete=models.CASCADE,
        related_name="transitions",
        db_index=False,
        db_constraint=False,
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=8, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=8, choices=Status.choices)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    reason = models.TextField(blank=True)
    # Indexed below for editors' rows only: the jobs' rows (by nobody) are most of the log.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    via = models.CharField(max_length=40, help_text='"admin", "api", "seed" or the job\'s name.')
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["claim", "at"], name="transition_claim_at_idx"),
            models.Index(
                fields=["by"], condition=Q(by__isnull=False), name="transition_by_editor_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.from_status or '-'} -> {self.to_status}"


class Notification(models.Model):
    """One email to one editor about one event: a claim due, a reminder, or a day's digest.

    Rows are created by the jobs in claims.jobs.notifications and sent by a later job, which takes
    each row with a conditional UPDATE (pending -> sending) before it sends, so two workers or
    a redelivered task never send the same row twice. The unique constraints below make each
    (editor, due episode) and each (editor, claim, reminder, deadline) exist once, however many
    runs try to create it.
    """

    DUE = "due"
    DIGEST = "digest"
    REMINDER_PREFIX = "reminder_"  # + days before the deadline, e.g. "reminder_30"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_notifications"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    event = models.CharField(max_length=20, help_text='"due", "reminder_30", "digest", …')
    event_date = models.DateField(
        help_text="The deadline a due notice or reminder is about, or the digest's day: a moved "
        "deadline gets notices of its own."
    )
    state = models.CharField(
        max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=200, blank=True, help_text="As sent.")
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="A pending notification is not sent before this."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a sender took it: its lease starts here."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # A due notice is about one due episode: the transition that made the claim due. A claim
    # that is due and stays due (its deadline corrected to another past date) is not announced
    # again; one that is due again after being open or resolved is a new episode.
    episode = models.ForeignKey(
        Transition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a due notice: the transition that made the claim due.",
    )
    message_id = models.CharField(
        max_length=200, blank=True, help_text="The email's Message-ID, the same on every attempt."
    )
    handed_over_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the mail server took the whole message but never confirmed it: the "
        "notice is tried once more at most, then counted as probably delivered.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's scan: only pending rows are looked at.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="notification_pending_idx",
            ),
            models.Index(fields=["claim", "event", "event_date"], name="notification_claim_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "claim", "event", "event_date"],
                condition=Q(claim__isnull=False) & ~Q(event="due"),
                name="notification_once_per_claim_event",
            ),
            models.UniqueConstraint(
                fields=["recipient", "episode"],
                condition=Q(episode__isnull=False),
                name="notification_once_per_due_episode",
            ),
            models.CheckConstraint(
                condition=(Q(event="due") & Q(episode__isnull=False))
                | (~Q(event="due") & Q(episode__isnull=True)),
                name="notification_episode_iff_due",
            ),
            models.UniqueConstraint(
                fields=["recipient", "event", "event_date"],
                condition=Q(claim__isnull=True),
                name="notification_once_per_day_event",
            ),
            models.CheckConstraint(
                condition=Q(state__in=NotificationState.values), name="notification_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(event="digest", claim__isnull=True)
                | (~Q(event="digest") & Q(claim__isnull=False)),
                name="notification_claim_unless_digest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_label} to {self.recipient}"

    @property
    def event_label(self) -> str:
        if self.event == self.DUE:
            return "Due for a verdict"
        if self.event == self.DIGEST:
            return "Daily digest"
        if self.event.startswith(self.REMINDER_PREFIX):
            days = self.event.removeprefix(self.REMINDER_PREFIX)
            return f"Reminder: deadline within {days} days"
        return self.event


class Job(models.Model):
    """A background job's latest run, so that editors can see the calendar is being watched.

    One row per job (its Celery task name), updated by every run; the schedule itself lives in
    settings.CELERY_BEAT_SCHEDULE.
    """

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=10, choices=JobOutcome.choices, blank=True)
    last_counts = models.JSONField(default=dict, blank=True, help_text="What the run did.")
    last_error = models.TextField(blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ResponseCacheEpoch(models.Model):
    """The response cache's generation kept where a failed cache cannot lose it (claims.cache).

    A write whose bump of the cache's generation fails bumps this row instead; every process
    re-reads it at most once a second and serves no stored page of an older epoch. `name` is
    "registry" for the whole registry; per-tag rows can sit beside it later.
    """

    name = models.CharField(max_length=100, primary_key=True)
    value = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class ErrorReport(models.Model):
    """A reader's report of an error on a claim's page, from the form there (no account): a
    queue on the editors' desk. An editor who marks it handled with a reply, when the reader
    left an address, has the reply emailed to them (claims.error_reports)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="error_reports")
    message = models.TextField(help_text="What the reader says is wrong, as they wrote it.")
    email = models.EmailField(
        blank=True, help_text="Where to tell the reader what happened; empty if they left none."
    )
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(
        max_length=8, choices=ErrorReportState.choices, default=ErrorReportState.NEW
    )
    reply = models.TextField(
        blank=True, help_text="What was done; emailed to the reader when marked handled."
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    reply_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the reply was emailed to the reader."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(state="new"), name="error_report_new_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ErrorReportState.values), name="error_report_state_valid"
            ),
            models.CheckConstraint(condition=~Q(message=""), name="error_report_message_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Report on “{self.claim}” ({self.get_state_display()})"


class LinkCheck(models.Model):
    """One check of an evidence link by the link-health job: what came back, and what the job
    concluded. Append-only; readers never see these rows, so writing one empties no cache."""

    class Outcome(models.TextChoices):
        OK = "ok", "Works"
        REDIRECTED = "redirected", "Moved to another page"
        FAILED = "failed", "Failed"

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="link_checks")
    url = models.CharField(max_length=2000, help_text="The address checked.")
    checked_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    method = models.CharField(
        max_length=4, blank=True, help_text="HEAD, or GET if HEAD was refused."
    )
    error_kind = models.CharField(max_length=24, blank=True)
    error = models.TextField(blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)
    state_after = models.CharField(
        max_length=10, choices=LinkState.choices, help_text="The link's state after this check."
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["evidence", "-checked_at"], name="linkcheck_evidence_at")]

    def __str__(self) -> str:
        return f"{self.url}: {self.get_outcome_display()} at {self.checked_at:%Y-%m-%d %H:%M}"


class Snapshot(models.Model):
    """The page behind an evidence link as the registry saw it: its main text (trafilatura),
    title, final address and a SHA-256 of the body, taken when the evidence was added or on an
    editor's request. Only text is kept, never the page's HTML or scripts. A fetch that failed
    is recorded too (`error`), with no text."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="snapshots")
    url = models.CharField(max_length=2000, help_text="The address fetched.")
    taken_at = models.DateTimeField()
    final_url = models.CharField(max_length=2000, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    sha256 = models.CharField("SHA-256 of the body", max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes of body read.")
    error_kind = models.CharField(max_length=24, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["evidence", "-taken_at"], name="snapshot_evidence_at")]

    def __str__(self) -> str:
        return f"{self.url} at {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def succeeded(self) -> bool:
        return not self.error_kind


class Proposal(models.Model):
    """A claim the intake proposed for an article, waiting for an editor's decision.

    Rows, so that an editor can leave the review and come back: what they typed (statement,
    kind, claimant, horizon words) is saved on every submit. An accepted proposal points at the
    claim made from it; a rejected one is kept, so a re-run does not propose it again.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="proposals")
    position = models.PositiveIntegerField(help_text="Its order in the article.")
    start = models.PositiveIntegerField(default=0, help_text="Where the quote starts in the text.")
    end = models.PositiveIntegerField(default=0)
    quote = models.TextField()
    statement = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    claimant = models.CharField(max_length=200, blank=True, help_text="As the article names it.")
    deadline_text = models.CharField("horizon words", max_length=200, blank=True)
    deadline = models.DateField(null=True, blank=True)
    deadline_precision = models.CharField(max_length=8, choices=Precision.choices, blank=True)
    hedge = models.CharField(
        max_length=60, blank=True, help_text='The word, e.g. "is expected to".'
    )
    hedge_class = models.CharField(max_length=12, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    claim = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="proposal_kind_valid"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "accepted", "rejected"]),
                name="proposal_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.quote[:100]
