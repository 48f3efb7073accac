"""The vocabularies of claims, notifications and jobs (Django TextChoices).

Kept apart from the models so that code which only needs a name for a state (the selectors in
claims.queries, the reader's filters, the API's schema) does not load the models; claims.models
re-exports each of them, so `claims.models.Status` and the like still work (migrations use them).
"""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    OPEN = "open", "Open"
    DUE = "due", "Due for a verdict"
    RESOLVED = "resolved", "Resolved"


class Verdict(models.TextChoices):
    CORRECT = "correct", "Correct"
    PARTLY_CORRECT = "partly_correct", "Partly correct"
    INCORRECT = "incorrect", "Incorrect"
    UNRESOLVABLE = "unresolvable", "Unresolvable"


class Kind(models.TextChoices):
    FORECAST = "forecast", "Forecast"
    TARGET = "target", "Target"
    STATISTIC = "statistic", "Statistic"


class ClaimantType(models.TextChoices):
    # A track record must not mix an outlet's own forecasts with the targets it reports.
    OUTLET = "outlet", "The outlet's own claim"
    REPORTED = "reported", "Reported by the article"


class DeadlineSource(models.TextChoices):
    # Where the article gives no horizon, the deadline is the registry's, and says so (issue 14).
    ARTICLE = "article", "The article's words"
    REGISTRY = "registry", "The registry's reading"


class NotificationState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class JobOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class HedgeClass(models.TextChoices):
    """How sure a forecast's own words are (the classes of claims.intake.cues.HEDGES): the hit
    rate per class is the calibration a forecaster who gives no probability can have."""

    ASSERTED = "asserted", "Asserted (“will”)"
    EXPECTED = "expected", "Expected (“is expected to”, “likely”)"
    POSSIBLE = "possible", "Possible (“could”, “may”)"
    TARGET = "target", "Target (“aims to”, “plans to”)"


class ErrorReportState(models.TextChoices):
    NEW = "new", "New"
    HANDLED = "handled", "Handled"


class LinkState(models.TextChoices):
    """What the link-health job (claims.jobs.link_checks) last concluded about an evidence link."""

    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "Works"
    REDIRECTED = "redirected", "Moved to another page"
    FAILING = "failing", "Failing"  # failed its last check(s); not yet called dead
    DEAD = "dead", "Dead"  # failed LINK_DEAD_AFTER_FAILURES checks, days apart
