"""The reader site's addresses. URL names keep their namespaces ("claims:detail",
"registry:outlet", "feeds:due"; "home", "sitemap" and "robots" have none), so that links and
reverse() read as before the site became an app of its own."""

from __future__ import annotations

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from reader import views
from reader.sitemaps import SITEMAPS

claim_patterns = [
    path("", views.claim_list, name="list"),
    path("entities.json", views.entity_suggestions, name="entity-suggestions"),
    path("<slug:slug>/", views.claim_detail, name="detail"),
    path("<slug:slug>/report/", views.report_error, name="report"),
    # /claims/<slug>/embed/ is in config.urls: the one page other sites may frame.
    path(
        "<slug:slug>/evidence/<int:evidence_id>/snapshot/",
        views.evidence_snapshot,
        name="evidence_snapshot",
    ),
]

source_patterns = [
    path("outlets/", views.outlet_index, name="outlets"),
    path("articles/", views.article_index, name="articles"),
    path("claimants/", views.claimant_index, name="claimants"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("outlets/<slug:slug>/", views.outlet_detail, name="outlet"),
    path("claimants/<slug:slug>/", views.claimant_detail, name="claimant"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
]

open_data_patterns = [
    path("", views.open_data_page, name="page"),
    path("claims.csv", views.download_csv, name="csv"),
    path("claims.json", views.download_json, name="json"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("how-we-judge/", views.how_we_judge, name="how-we-judge"),
    path("data/", include((open_data_patterns, "open-data"))),
    path("favicon.ico", views.favicon, name="favicon"),
    path("claims/", include((claim_patterns, "claims"))),
    path("", include((source_patterns, "registry"))),
    path("", include("reader.feed_urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
