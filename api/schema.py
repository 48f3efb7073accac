"""The OpenAPI schema says what the API really answers: which errors each operation can give,
that reads need no credentials, and how ETags work. Schemathesis holds the API to it
(tests/api/test_schema.py), so a status code missing here fails the suite."""

from __future__ import annotations

import inspect

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly

from api.base import ConditionalMixin, ConditionalUpdateMixin

_ERRORS = {
    "400": "Invalid input: field errors, or non_field_errors for a rule across fields.",
    "401": "Credentials missing or not valid (send `Authorization: Token …`).",
    "403": "Signed in, but without the Editors group's permission for this.",
    "404": "No such object, or no such page.",
    "409": "`version` is stale: the object changed since that version was read.",
    "412": "If-Match names no current ETag: the object changed since it was read.",
    "415": "Send the body as application/json (or a form).",
    "429": "Too many requests from this address; retry after the Retry-After header's seconds.",
}

_ERROR_SCHEMA = {
    "type": "object",
    "description": 'Either {"detail": "message"} or {"field": ["message", ...], ...}.',
    "additionalProperties": {},
}


class AutoSchema(openapi.AutoSchema):
    def _conditional(self) -> bool:
        return isinstance(self.view, ConditionalMixin)

    def get_description(self) -> str:
        """The action's docstring, else the view's own: never one a view inherits from a mixin
        (ConditionalMixin's notes on ETags are for us, not for clients)."""
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        own = inspect.cleandoc(type(self.view).__doc__ or "")
        return (inspect.getdoc(action) if action is not None else "") or own

    def get_auth(self):
        auths = super().get_auth()
        # drf-spectacular knows IsAuthenticatedOrReadOnly, not this class: reads are anonymous.
        anonymous_reads = any(
            isinstance(permission, DjangoModelPermissionsOrAnonReadOnly)
            for permission in self.view.get_permissions()
        )
        if anonymous_reads and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if not self._conditional():
            return parameters
        if self.method == "GET":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="An ETag from an earlier answer: 304 if it is still current.",
                )
            )
        if self.method == "PATCH" and isinstance(self.view, ConditionalUpdateMixin):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The ETag of the JSON you read: 412 if the object changed since.",
                )
            )
        if self.method in ("GET", "PATCH"):
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=[200],
                    description="A hash of this representation, for If-None-Match and If-Match.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=_ERROR_SCHEMA
        )
        self.registry.register_on_missing(error)
        codes = {"401", "429"}  # a bad token is refused on any operation; anonymous are throttled
        if "{" in self.path:
            codes.add("404")
        if self.method == "GET" and self._is_list_view():
            codes |= {"400", "404"}  # filters and pages
        if self.method not in SAFE_METHODS:
            codes |= {"400", "403", "415"}
        if self.method == "PATCH" and isinstance(self.view, ConditionalUpdateMixin):
            codes.add("412")
        if self.method == "PATCH" and getattr(self.view, "checks_version", False):
            codes.add("409")
        for code in sorted(codes):
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": error.ref}},
                    "description": _ERRORS[code],
                },
            )
        if self.method == "GET" and self._conditional():
            responses.setdefault("304", {"description": "Not modified: your ETag is current."})
        return responses
