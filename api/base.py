"""What every endpoint of the REST API shares: parsing, pagination, ordering, ETags and
preconditions, the shape of error answers, and the translation of validation errors (the
lifecycle's refusals among them) into 400 answers.

The endpoints are in api/claims.py and api/sources.py, their filters in api/filters.py; the URLs,
schema and docs in api/urls.py, and what the schema says of errors and ETags in api/schema.py.
This module knows no model and no service: it imports nothing from claims or registry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_etags, quote_etag
from rest_framework import exceptions, parsers, status
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a body nested too deeply for Python's json module (which
    raises RecursionError, a 500) is refused as a parse error (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply."
            ) from error


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, with every error body an object as the schema documents: a bare list of
    messages (DRF's `ValidationError("…")`, e.g. its search filter's "Null characters are not
    allowed.") becomes {"non_field_errors": [...]}."""
    # Imported here: DRF's views module reads the settings that name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


class OneValuePerParameter(BaseFilterBackend):
    """Refuse (400, naming it) a query parameter given more than once: `page_size=1&page_size=2`
    would otherwise quietly mean the last one. First among the filter backends, which every read
    and every write to an existing object runs through (DRF's get_object filters too)."""

    def filter_queryset(self, request: Request, queryset, view):
        repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise exceptions.ValidationError(
                {name: ["Given more than once: send it once."] for name in repeated}
            )
        return queryset


class Pagination(PageNumberPagination):
    """Pages of 25, or of `page_size` from 1 to 100. A page_size outside that is refused (400)
    rather than quietly replaced, so that a client never mistakes a short page for the end."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class StableOrderingFilter(OrderingFilter):
    """`?ordering=made_on` with the id as a tie-breaker, so that pages never overlap or skip rows
    when many claims share a date."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering.append("id")
        return ordering


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This resource has changed since you read it."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The resource has changed since the ETag given in If-Match: fetch it again, then reapply "
        "your change."
    )
    default_code = "precondition_failed"


def etag_for(content: bytes) -> str:
    """A strong ETag: the hash of the exact bytes of a representation."""
    return quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())


def representation_bytes(response: Response) -> bytes:
    """What a read's ETag hashes. For JSON, the compact rendering whatever parameters the client
    asked the renderer for (`Accept: application/json; indent=4` changes the bytes, not the
    representation), so that the ETag is the one If-Match is checked against. Any other format
    (the browsable API's HTML) is its own representation: its bytes."""
    renderer = response.accepted_renderer
    if not isinstance(renderer, JSONRenderer):
        return response.content
    if response.accepted_media_type == renderer.media_type:
        return response.content  # already the compact rendering
    return JSONRenderer().render(response.data)


class ConditionalMixin:
    """ETags on a DRF view's reads, and 304 for a GET whose If-None-Match is still current.

    The ETag is a hash of the response body rather than something cheaper such as Claim.version,
    because a claim's representation also holds its evidence and transitions, which change
    without touching the claim row; a hash is right for every resource without bookkeeping.
    The query still runs; what a 304 saves is the transfer and the client's work.
    """

    etag_methods = ("GET", "HEAD", "PATCH")  # PATCH answers with the object as a GET would

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in self.etag_methods or response.status_code != 200:
            return response
        response.render()
        response["ETag"] = etag_for(representation_bytes(response))
        # Caches may keep the body, but must ask again (cheaply, with the ETag) before reusing it.
        patch_cache_control(response, no_cache=True)
        if request.method in ("GET", "HEAD"):
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response


class ConditionalUpdateMixin(ConditionalMixin):
    """PATCH (and no PUT) under a row lock, refused if If-Match or check_not_stale says the
    client's copy is out of date."""

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Change the fields sent. With If-Match (the ETag of what you read), the change is
        refused with 412 if the object has changed since."""
        with transaction.atomic():
            # Lock the row before reading it, so that the checks and the write see one state.
            pk = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            locked = self.get_queryset().model.objects.select_for_update().filter(pk=pk)
            list(locked.values_list("pk", flat=True))
            instance = self.get_object()
            self.check_if_match(request, instance)
            serializer = self.get_serializer(instance, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            self.check_not_stale(instance, serializer.validated_data)
            serializer.save()
        # Read back as GET reads it, so that the answer and its ETag are what a GET would give.
        return Response(self.get_serializer(self.get_queryset().get(pk=instance.pk)).data)

    def check_if_match(self, request: Request, instance) -> None:
        """Refuse (412) a write whose If-Match names no ETag of the current JSON representation."""
        header = request.headers.get("If-Match")
        if header is None:
            return
        etags = parse_etags(header)
        if "*" in etags:  # "any current representation": the instance exists, so it matches
            return
        current = etag_for(JSONRenderer().render(self.get_serializer(instance).data))
        if current not in etags:
            raise PreconditionFailed()

    def check_not_stale(self, instance, validated_data: dict) -> None:
        """A view's own staleness check on the validated input; raise to refuse the write."""


@contextmanager
def lifecycle_errors_as_400() -> Iterator[None]:
    """Django's ValidationError (model validation from full_clean, and the lifecycle's refusals:
    LifecycleError is one) as a 400 with field errors, in DRF's usual shape:
    {"field": ["message"], "non_field_errors": [...]}."""
    try:
        yield
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
            ) from error
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
        raise exceptions.ValidationError(detail) from error
