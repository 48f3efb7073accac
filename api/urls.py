"""The REST API's addresses: version 1 under /api/v1/, its OpenAPI schema at /api/schema/, and
interactive docs (Swagger UI at /api/docs/, Redoc at /api/redoc/) served from our own static
files."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api.claims import ClaimViewSet, EvidenceViewSet
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


@csrf_exempt  # it changes nothing, whatever the method; a CSRF refusal would be an HTML 403
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """A JSON 404 for any other address under /api/ (say /api/v1/claims/1.5/), as clients of a
    JSON API expect, rather than the reader site's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Only addresses ending in a slash, so that /api/v1/claims still redirects to /api/v1/claims/.
    re_path(r"^.*/$", not_found),
]
