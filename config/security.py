"""The site's locks: who is signing in from where, what a locked-out sign-in sees, and the
headers that tell browsers what a page may do (see README.md, "Security")."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str:
    """The client's address, read exactly as the API's throttle reads it: X-Forwarded-For only
    as far as API_NUM_PROXIES proxies are trusted to have written it, else the connection's."""
    return BaseThrottle().get_ident(request)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a sign-in from a username and address that failed too often: what
    happened and when to try again. Every refused try starts the cool-off again."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-ins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": minutes,
        "retry_at": timezone.now() + cool_off,
    }
    response = TemplateResponse(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response.render()
