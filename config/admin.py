from __future__ import annotations

from django.contrib import admin


class RegistryAdminSite(admin.AdminSite):
    """The editors' admin. Its front page opens on the queue of claims due for a verdict, after
    the count of notifications that failed for good (if any), linking to their list."""

    site_header = "Claim registry: editors"
    site_title = "Claim registry"
    index_title = "Editors' desk"
    due_queue_size = 25

    def index(self, request, extra_context=None):
        from claims.models import Claim, Notification, NotificationState

        due = Claim.objects.due().with_sources().order_by("deadline", "id")
        can_see_notifications = request.user.has_perm("claims.view_notification")
        extra_context = {
            **(extra_context or {}),
            "due_claims": due[: self.due_queue_size],
            "due_total": due.count(),
            "failed_notifications": (
                Notification.objects.filter(state=NotificationState.FAILED).count()
                if can_see_notifications
                else 0
            ),
        }
        extra_context |= self.dead_evidence_context()
        return super().index(request, extra_context)

    def dead_evidence_context(self) -> dict:
        """The desk's queue of claims whose evidence has died (claims.jobs.link_checks)."""
        from claims.jobs.link_checks import claims_with_dead_evidence

        dead = claims_with_dead_evidence().order_by("deadline", "id")
        return {
            "dead_evidence_claims": dead[: self.due_queue_size],
            "dead_evidence_total": dead.count(),
        }
