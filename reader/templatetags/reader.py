"""Template filters of the reader site: dates in words, JSON-LD safely embedded, and the site's
fixed links."""

from __future__ import annotations

import functools
import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from reader import dates

register = template.Library()

# The same escapes as Django's json_script: no "</script>", "<!--" or "&" survives as such.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def deadline(claim) -> str:
    """The claim's deadline with its precision: "31 December 2025, to the year"."""
    return dates.describe_deadline(claim.deadline, claim.deadline_precision)


@register.filter
def deadline_source(claim) -> str:
    """Whose deadline it is: "The article says …" or "No horizon in the article; judged …"."""
    return dates.describe_deadline_source(claim)


@register.filter
def published(article) -> str:
    """An article's date to the precision the article gives: "April 2026"."""
    return dates.describe_publication(article.published_on, article.published_precision)


@register.filter
def time_left(claim) -> str:
    return dates.describe_time_left(claim.deadline, timezone.localdate())


@register.filter
def percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


@register.filter
def json_ld(data: dict[str, Any] | None) -> SafeString | str:
    """A <script type="application/ld+json"> element holding ``data``."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        SafeString(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


@register.filter
def svg_number(value: float) -> str:
    """A number for an SVG attribute, as a str: never localised (a decimal comma would break the
    drawing), and printed as it is, where a number goes through Django's number formatting
    (about 300 of them on the home page's timeline, ~8 ms of its render)."""
    return format(value, "g")


@register.simple_tag
def site_url(name: str) -> str:
    """{% url name %} for a view that takes no arguments, reversed once per script prefix: the
    site's header, footer and feed links are twenty such, 0.8 ms of every page's miss through
    Django's reverse() (issue 16). The URLconf does not change while a process runs."""
    return _reversed(name, get_script_prefix())


@functools.cache
def _reversed(name: str, script_prefix: str) -> str:
    return reverse(name)  # under the script prefix that is set now, the one in the key
