from __future__ import annotations

from django.contrib import admin


class RegistryAdminSite(admin.AdminSite):
    """The editors' admin. Its front page opens on the queue of claims due for a verdict."""

    site_header = "Claim registry: editors"
    site_title = "Claim registry"
    index_title = "Editors' desk"
    due_queue_size = 25

    def index(self, request, extra_context=None):
        from claims.models import Claim

        due = Claim.objects.due().with_sources().order_by("deadline", "id")
        extra_context = {
            **(extra_context or {}),
            "due_claims": due[: self.due_queue_size],
            "due_total": due.count(),
        }
        return super().index(request, extra_context)
