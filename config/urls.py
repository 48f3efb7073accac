from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from claims import views as claim_views
from claims.sitemaps import SITEMAPS
from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api")),
    path("", claim_views.home, name="home"),
    path("claims/", include("claims.urls")),
    path("", include("registry.urls")),
    path("", include("claims.feed_urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", claim_views.robots_txt, name="robots"),
]

# JSON under /api/, the site's pages elsewhere.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
