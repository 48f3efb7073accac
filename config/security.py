"""The site's locks: who is signing in from where, what a locked-out sign-in sees, and the
headers that tell browsers what a page may do (see README.md, "Security")."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.csp import CSP, build_policy
from rest_framework import renderers
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


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy of settings.PERMISSIONS_POLICY (feature: allowed origins, an
    empty list for none) to every answer that has none yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def set_csp(response: HttpResponse, policy: dict) -> None:
    """Gives one answer its own Content-Security-Policy. Set as a header rather than through
    Django's csp_override, so that the response cache stores and replays it with the page
    (ContentSecurityPolicyMiddleware leaves a header it finds alone)."""
    response[str(CSP.HEADER_ENFORCE)] = build_policy(policy)


def allow_framing(view: Callable) -> Callable:
    """Lets any site show this view in a frame: `frame-ancestors *` in its Content-Security-Policy
    and no X-Frame-Options. For pages meant to be embedded (an embeddable claim card); every
    other page refuses to be framed."""

    @wraps(view)
    def framable(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        set_csp(response, {**settings.SECURE_CSP, "frame-ancestors": ["*"]})
        response.xframe_options_exempt = True
        return response

    return framable


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, under the site's Content-Security-Policy but for inline `style`
    attributes, which its templates use for layout (they cannot run script; `<style>` elements
    and every script stay as strict as everywhere else)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            set_csp(response, {**settings.SECURE_CSP, "style-src-attr": [CSP.UNSAFE_INLINE]})
        return super().render(data, accepted_media_type, renderer_context)

    def get_context(self, data, accepted_media_type, renderer_context) -> dict:
        context = super().get_context(data, accepted_media_type, renderer_context)
        # Pygments' colours for code in Markdown descriptions come as an inline <style>; our
        # descriptions have no code to colour.
        context["code_style"] = None
        return context
