from __future__ import annotations

from django.contrib import admin


class RegistryAdminSite(admin.AdminSite):
    """The editors' admin. Its front page, the editors' desk, is a column of panels above the
    list of models: the count of notifications that failed for good (if any), the editors who
    get no notices for want of an email address (if any), then the queue of claims due for a
    verdict, and the claims whose evidence has died (if any). Each panel is a template under
    templates/admin/desk/ fed by one method here."""

    site_header = "Claim registry: editors"
    site_title = "Claim registry"
    index_title = "Editors' desk"
    due_queue_size = 25

    def index(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            **self.failed_notifications_panel(request),
            **self.editors_without_email_panel(request),
            **self.due_queue_panel(request),
            **self.dead_evidence_panel(request),
        }
        return super().index(request, extra_context)

    def failed_notifications_panel(self, request) -> dict:
        from claims.models import Notification, NotificationState

        if not request.user.has_perm("claims.view_notification"):
            return {"failed_notifications": 0}
        failed = Notification.objects.filter(state=NotificationState.FAILED).count()
        return {"failed_notifications": failed}

    def editors_without_email_panel(self, request) -> dict:
        from claims.jobs.notifications import editors_without_email

        unreachable = list(editors_without_email().only("username", "first_name", "last_name"))
        return {
            "editors_without_email": unreachable,
            "signed_in_without_email": request.user in unreachable,
            "can_change_users": request.user.has_perm("auth.change_user"),
        }

    def due_queue_panel(self, request) -> dict:
        from claims.models import Claim

        due = Claim.objects.due().with_sources().order_by("deadline", "id")
        return {"due_claims": due[: self.due_queue_size], "due_total": due.count()}

    def dead_evidence_panel(self, request) -> dict:
        """The desk's queue of claims whose evidence has died (claims.jobs.link_checks)."""
        from claims.jobs.link_checks import claims_with_dead_evidence

        dead = claims_with_dead_evidence().order_by("deadline", "id")
        return {
            "dead_evidence_claims": dead[: self.due_queue_size],
            "dead_evidence_total": dead.count(),
        }
