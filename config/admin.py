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
        return super().index(request, extra_context)
