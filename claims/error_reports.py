"""Readers' reports of errors on a claim's page, and the editors' answer to them.

A report is filed from the form on the claim's page (reader.views.report_error) and lands on the
editors' desk as a queue (claims.admin.ErrorReportAdmin). When an editor marks it handled with a
reply, a reader who left an address is emailed the reply once the change commits; a failed send
is logged and leaves `reply_sent_at` empty, so the desk shows the reply was not delivered.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from claims.models import Claim, ErrorReport, ErrorReportState

logger = logging.getLogger(__name__)


def file_report(*, claim: Claim, message: str, email: str = "") -> ErrorReport:
    report = ErrorReport(claim=claim, message=message.strip(), email=email.strip())
    report.full_clean()
    report.save()
    return report


def save_handling(report: ErrorReport, *, by) -> ErrorReport:
    """Store an editor's change to a report (its state and reply). The first time it is
    handled with a reply, the reply is emailed to the reader, if they left an address."""
    if report.state == ErrorReportState.HANDLED:
        report.handled_at = report.handled_at or timezone.now()
        report.handled_by = report.handled_by or by
    else:
        report.handled_at = None
        report.handled_by = None
    report.save()
    if (
        report.state == ErrorReportState.HANDLED
        and report.reply.strip()
        and report.email
        and report.reply_sent_at is None
    ):
        report_id = report.pk
        transaction.on_commit(lambda: send_reply(report_id), robust=True)
    return report


def send_reply(report_id: int) -> bool:
    """Email a handled report's reply to its reader, once; whether it was sent now."""
    # Taken with a conditional update, so two saves in a row never send it twice.
    now = timezone.now()
    taken = ErrorReport.objects.filter(
        pk=report_id, state=ErrorReportState.HANDLED, reply_sent_at__isnull=True
    ).update(reply_sent_at=now)
    if not taken:
        return False
    report = ErrorReport.objects.select_related("claim").get(pk=report_id)
    body = (
        f"You reported an error on this claim in the claim registry:\n\n"
        f"“{report.claim.statement}”\n\n"
        f"Your report:\n{report.message}\n\n"
        f"What the editors did:\n{report.reply}\n"
    )
    try:
        send_mail(
            "Your error report to the claim registry",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [report.email],
        )
    except Exception:
        logger.exception("Could not email the reply to error report %s.", report_id)
        ErrorReport.objects.filter(pk=report_id).update(reply_sent_at=None)
        return False
    return True
