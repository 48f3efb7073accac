"""Error pages that Django itself answers (no view matched, or a view raised): JSON under /api/,
as clients of a JSON API expect, and the reader site's HTML pages everywhere else.

DRF answers the errors its own views raise; these cover what never reaches a DRF view, such as
/api/v1/claims/%0A/ (no route matches) or an exception DRF does not handle.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def _for_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "Server error: the request was not completed."}, status=500)
    return defaults.server_error(request)
