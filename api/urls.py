"""The REST API's addresses: version 1 under /api/v1/, its OpenAPI schema at /api/schema/, and
interactive docs (Swagger UI) at /api/docs/, served from our own static files. Any other address
under /api/ is a JSON 404 (config.errors)."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api.claims import ClaimViewSet, EvidenceViewSet
from api.intake import IntakeView
from api.sources import ArticleViewSet, EntityViewSet, OutletViewSet, TopicViewSet

# Path converters rather than regexes: with each viewset's lookup_value_converter = "int",
# /claims/abc/ never reaches a view, and the schema types ids as integers.
router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # /claims/1.json: ?format=json (or Accept) is enough
router.register("claims", ClaimViewSet)
router.register("evidence", EvidenceViewSet)
router.register("articles", ArticleViewSet)
router.register("outlets", OutletViewSet)
router.register("entities", EntityViewSet)
router.register("topics", TopicViewSet)

app_name = "api"
urlpatterns = [
    path("v1/intake/", IntakeView.as_view(), name="intake"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
