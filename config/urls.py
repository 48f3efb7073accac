"""The project's addresses: each app's own urls, and the probes."""

from django.contrib import admin
from django.urls import include, path

from config import health
from config.security import allow_framing
from reader.views import claim_embed

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # The reader's page that other sites may frame: only config may lift the framing ban.
    path("claims/<slug:slug>/embed/", allow_framing(claim_embed), name="claim-embed"),
    path("", include("reader.urls")),
]

# JSON under /api/, the site's pages elsewhere.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
