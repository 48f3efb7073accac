from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config import health
from reader import views as claim_views
from reader.sitemaps import SITEMAPS

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", claim_views.home, name="home"),
    path("claims/", include("reader.urls")),
    path("", include("reader.source_urls")),
    path("", include("reader.feed_urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", claim_views.robots_txt, name="robots"),
]
