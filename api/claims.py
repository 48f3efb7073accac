"""The claims API: claims (each with its evidence and transitions) and evidence.

Serializers check the shape of what a client sends and translate it; every change to a claim is
made by claims.lifecycle, exactly as the admin makes it, and the horizon words are read by the
same claims.deadlines.deadline_from_entry as the admin's form.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api.base import ConditionalUpdateMixin, Conflict, Pagination, lifecycle_errors_as_400
from api.filters import ClaimFilter, EvidenceFilter
from claims import lifecycle, versions
from claims.cache import (
    LISTS_TAG,
    api_query_params,
    cached_fragment,
    cached_shape,
    claim_fragments,
    claim_tags,
    claims_to_page,
    fragments_on,
    list_shape_tags_reading,
    listed,
    shape_key,
)
from claims.deadlines import HorizonError, deadline_from_entry
from claims.models import Claim, ClaimTally, Evidence, Transition, Verdict
from claims.queries import SEARCH_FIELDS, SEARCHED_COLUMNS
from claims.slugs import unused_claim_slug
from claims.validators import (
    normalize_web_address,
    public_address_refusal,
    validate_web_address,
)

# Set by the resolve and reopen actions only; a client that sends one in a claim's body is told so
# rather than having it silently ignored. (Who resolved a claim is not published.)
LIFECYCLE_FIELDS = tuple(name for name in Claim.LIFECYCLE_FIELDS if name != "resolved_by")


# --- Serializers ----------------------------------------------------------------------------


class TransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transition
        fields = ["action", "from_status", "to_status", "verdict", "reason", "via", "at"]


@extend_schema_field(OpenApiTypes.URI)
class WebAddressField(serializers.CharField):
    """As in the admin's EvidenceForm: normalised, and a scheme-less, non-web or non-public
    address is refused, not "fixed" (DRF's URLField would also take ftp://)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=2000, validators=[validate_web_address], **kwargs)

    def to_internal_value(self, data) -> str:
        return normalize_web_address(super().to_internal_value(data))


class EvidenceSerializer(serializers.ModelSerializer):
    url = WebAddressField(help_text="A full http:// or https:// address.")
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Bumped by every change. Send the version you read with a PATCH to have it "
        "refused (409) if the evidence has changed since.",
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "claim",
            "url",
            "title",
            "publisher",
            "published_on",
            "stance",
            "note",
            "added_at",
            "version",
        ]
        read_only_fields = ["added_at"]

    def validate_url(self, url: str) -> str:
        if (self.instance is None or self.instance.url != url) and (
            message := public_address_refusal(url)
        ):
            raise serializers.ValidationError(message, code="private_address")
        return url

    def create(self, validated_data: dict) -> Evidence:
        validated_data.pop("version", None)
        return self._store(Evidence(**validated_data))

    def update(self, evidence: Evidence, validated_data: dict) -> Evidence:
        validated_data.pop("version", None)  # checked under the row lock by the view
        for name, value in validated_data.items():
            setattr(evidence, name, value)
        return self._store(evidence)

    def _store(self, evidence: Evidence) -> Evidence:
        # The history middleware sees no user on a token request: name the editor here.
        with lifecycle_errors_as_400():
            return lifecycle.save_evidence(evidence=evidence, by=self.context["request"].user)


class ClaimSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(
        max_length=120,
        required=False,
        help_text="The claim page's address; made from the statement when left out.",
    )
    made_on = serializers.DateField(
        required=False, help_text="Defaults to the article's publication date."
    )
    outlet = serializers.IntegerField(
        source="article.outlet_id", read_only=True, help_text="The id of the article's outlet."
    )
    made_by = serializers.CharField(
        read_only=True, help_text="The claimant's name, or the outlet's for its own claims."
    )
    # Declared so that the schema allows "" (no verdict yet): DRF drops allow_blank on read-only.
    verdict = serializers.ChoiceField(
        choices=Verdict.choices, allow_blank=True, read_only=True, help_text="Empty until resolved."
    )
    page_url = serializers.SerializerMethodField(help_text="The claim's public page.")
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Bumped by every change. Send the version you read with a PATCH to have it "
        "refused (409) if the claim has changed since.",
    )
    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Why you change it; kept in the claim's history and lifecycle log.",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            *Claim.EDITABLE_FIELDS,
            "outlet",
            "made_by",
            "status",
            "verdict",
            "verdict_summary",
            "due_since",
            "resolved_at",
            "version",
            "created_at",
            "updated_at",
            "page_url",
            "change_reason",
        ]
        read_only_fields = [*LIFECYCLE_FIELDS, "created_at", "updated_at"]
        extra_kwargs = {
            "probability": {"min_value": 0, "max_value": 1},
            "deadline_text": {
                "help_text": 'The article\'s words ("within two years", "by 2025"): the deadline '
                "is worked out from the article's publication date unless you send a deadline."
            },
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, claim: Claim) -> str:
        return self.context["request"].build_absolute_uri(claim.get_absolute_url())

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            sent = [name for name in LIFECYCLE_FIELDS if name in data]
            if sent:
                message = "Changed only by POSTing to the claim's resolve/ or reopen/ action."
                raise serializers.ValidationError({name: [message] for name in sent})
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        deadline_input = {"deadline", "deadline_text", "deadline_precision", "article"}
        if self.instance is None or deadline_input & attrs.keys():
            attrs.update(self._read_deadline(attrs))
        if self.instance is None and not attrs.get("made_on"):
            attrs["made_on"] = attrs["article"].published_on
        return attrs

    def _read_deadline(self, attrs: dict) -> dict:
        claim = self.instance

        def entered(name: str):
            return attrs[name] if name in attrs else getattr(claim, name, None)

        def changed(name: str) -> bool:
            return name in attrs and (claim is None or attrs[name] != getattr(claim, name))

        article = entered("article")
        try:
            deadline, precision = deadline_from_entry(
                words=entered("deadline_text") or "",
                date=entered("deadline"),
                precision=entered("deadline_precision") or "",
                date_changed=changed("deadline"),
                words_changed=changed("deadline_text"),
                published_on=article.published_on,
                published_precision=article.published_precision,
            )
        except HorizonError as error:
            raise serializers.ValidationError({"deadline_text": [str(error)]}) from error
        return {"deadline": deadline, "deadline_precision": precision}

    def create(self, validated_data: dict) -> Claim:
        about, topics = validated_data.pop("about", ()), validated_data.pop("topics", ())
        validated_data.pop("version", None)
        validated_data.pop("change_reason", None)
        claim = Claim(**validated_data)
        claim.slug = claim.slug or unused_claim_slug(claim.statement)
        with lifecycle_errors_as_400():
            lifecycle.create_claim(
                claim=claim,
                about=about,
                topics=topics,
                by=self.context["request"].user,
                via="api",
            )
        return claim

    def update(self, claim: Claim, validated_data: dict) -> Claim:
        about, topics = validated_data.pop("about", None), validated_data.pop("topics", None)
        reason = validated_data.pop("change_reason", "")
        validated_data.pop("version", None)  # checked under the row lock by the view
        for name, value in validated_data.items():
            setattr(claim, name, value)
        # The lifecycle works out what this changes; nothing: no new version, no history row.
        with lifecycle_errors_as_400():
            lifecycle.edit_claim(
                claim=claim,
                about=about,
                topics=topics,
                by=self.context["request"].user,
                via="api",
                reason=reason,
            )
        return claim


class ClaimDetailSerializer(ClaimSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "evidence", "transitions"]


class VerdictSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    summary = serializers.CharField(help_text="What the evidence shows, and why this verdict.")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the verdict is withdrawn.")


# --- Views ------------------------------------------------------------------------------------


class CanResolveClaims(permissions.BasePermission):
    """Recording or withdrawing a verdict needs claims.resolve_claim, which the Editors group
    holds; being staff is not enough."""

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("claims.resolve_claim")


class RefusesStaleVersions:
    """A PATCH with the `version` the client read is refused (409) if the object has been
    written since: the admin's check (claims.versions), under the row lock that
    ConditionalUpdateMixin takes before it calls this."""

    checks_version = True  # PATCH can answer 409: documented by config/api_schema.py

    def check_not_stale(self, instance, validated_data: dict) -> None:
        try:
            versions.refuse_if_stale(instance, validated_data.get("version"))
        except versions.StaleEdit as stale:
            changed = "; ".join(stale.describe_changes())
            raise Conflict(
                f"{stale} Changed since: {changed}. Fetch it again, then reapply your change."
            ) from stale


class PageShape(NamedTuple):
    """A page of claims as a list's shape keeps it (ClaimPagination.shape): its rows (as
    claims.cache.listed keeps them), its number, its size and how many claims the list holds."""

    rows: list
    number: int
    per_page: int
    count: int


class CountedPaginator(Paginator):
    """A Django paginator told its count instead of asking the database for it."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # Paginator.count is a cached_property: this is its value


class ClaimPagination(Pagination):
    """Pages of claims whose `count`, when the list is filtered by nothing but status, verdict
    and kind, comes from the claim tally (claims.models.ClaimTally) instead of a COUNT(*) of
    every matching claim: 26–29 ms of the unfiltered list's 61–71 ms at 200,000 claims
    (docs/performance.md). Exact either way; ClaimViewSet's queryset holds every claim, which
    is what the tally counts."""

    # Query parameters that shape the page, not which claims are in the list.
    NOT_FILTERS = frozenset({"page", "page_size", "ordering", "format"})

    def shape(self, rows: list) -> PageShape:
        """The page just paginated (paginate_queryset), with `rows` in the place of its
        claims, to be kept: page_from_shape answers with it as this page."""
        page = self.page
        return PageShape(rows, page.number, page.paginator.per_page, page.paginator.count)

    def page_from_shape(self, shape: PageShape, request) -> list:
        """Set up to answer (get_paginated_response) with a page shape() kept, as
        paginate_queryset would; its rows."""
        paginator = CountedPaginator([], shape.per_page, count=shape.count)
        self.page = Page(shape.rows, shape.number, paginator)
        self.request = request
        self.display_page_controls = self.template is not None and paginator.num_pages > 1
        return shape.rows

    def paginate_queryset(self, queryset, request, view=None):
        filters = {
            name: value
            for name, value in request.query_params.items()
            if name not in self.NOT_FILTERS
        }
        count = ClaimTally.objects.count_matching(filters)
        if count is not None:
            self.django_paginator_class = functools.partial(CountedPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)


class ClaimViewSet(
    RefusesStaleVersions,
    ConditionalUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Claims. Anyone may read; editors create and change them, and resolve or reopen them."""

    queryset = Claim.objects.with_sources().prefetch_related("about", "topics")
    pagination_class = ClaimPagination
    lookup_value_converter = "int"
    filterset_class = ClaimFilter
    search_fields = SEARCH_FIELDS
    ordering_fields = ["deadline", "made_on", "created_at", "updated_at", "resolved_at", "id"]
    ordering = ["deadline", "id"]
    # What the response cache retires these reads by (claims.cache): a list by any claim's
    # write, one claim by its own (every write to a claim bumps "claim-id:<id>").
    response_cache_tags = {"list": (LISTS_TAG,), "retrieve": ("claim-id:{pk}",)}
    # Query parameters a read of one claim may carry and still come from its fragment: any
    # other (a filter, which DRF's get_object applies to a detail too) reads it afresh.
    FRAGMENT_DETAIL_PARAMS = frozenset({api_settings.URL_FORMAT_OVERRIDE})

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # Read for the claims whose representation is not in the fragment cache only.
            queryset = queryset.prefetch_related(None)
        else:
            queryset = queryset.prefetch_related("evidence", "transitions")
        return queryset

    def list(self, request, *args, **kwargs):
        # Which claims are on the page, and how many the list holds, are kept until a write
        # moves what this list reads (claims.cache.cached_shape); the claims' representations
        # are each claim's own fragment. A query that is refused (a bad filter value, a page
        # past the last) raises and is never stored.
        shape = cached_shape(
            "api-claim-list",
            shape_key(request.query_params, api_query_params(self)),
            self._list_shape_tags(request),
            lambda: self._list_shape(request),
        )
        page = self.paginator.page_from_shape(shape, request)

        def represent(claims: list[Claim]) -> dict[int, dict]:
            prefetch_related_objects(claims, "about", "topics")
            data = self.get_serializer(claims, many=True).data
            return {claim.pk: item for claim, item in zip(claims, data, strict=True)}

        items = claim_fragments(
            "api-claim",
            page,
            represent,
            reload=lambda pks: self.get_queryset().filter(pk__in=pks),
            tags=lambda row: claim_tags(ids=[row.pk]),
            variant=[request.build_absolute_uri("/")],  # page_url is absolute
        )
        return self.get_paginated_response([items[row.pk] for row in page if row.pk in items])

    def _list_shape(self, request) -> PageShape:
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.paginate_queryset(claims_to_page(queryset))
        return self.paginator.shape(listed(rows) if fragments_on() else rows)

    def _list_shape_tags(self, request) -> set[str]:
        """What the list's shape is kept under: the columns its filters, its search and its
        ordering read (an ordering not understood is the default's, as DRF applies it)."""
        ordering_filter = next(f for f in self.filter_backends if issubclass(f, OrderingFilter))
        ordering = ordering_filter().get_ordering(request, self.get_queryset(), self)
        columns = {
            *ClaimFilter.columns_read_by(request.query_params),
            *(SEARCHED_COLUMNS if request.query_params.get("search") else ()),
            *(field.removeprefix("-") for field in ordering),
        }
        return list_shape_tags_reading(columns)

    def retrieve(self, request, *args, **kwargs):
        if not set(request.query_params) <= self.FRAGMENT_DETAIL_PARAMS:
            return super().retrieve(request, *args, **kwargs)
        pk = self.kwargs["pk"]
        data = cached_fragment(
            "api-claim-detail",
            pk,
            claim_tags(ids=[pk]),
            lambda: self.get_serializer(self.get_object()).data,
            variant=[request.build_absolute_uri("/")],
        )
        return Response(data)

    def get_serializer_class(self):
        serializers_by_action = {
            "list": ClaimSerializer,
            "resolve": VerdictSerializer,
            "reopen": ReopenSerializer,
        }
        return serializers_by_action.get(self.action, ClaimDetailSerializer)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = serializer.save()
        response = self._detail_response(claim, status.HTTP_201_CREATED)
        response["Location"] = self.reverse_action("detail", args=[claim.pk])
        return response

    @extend_schema(
        operation_id="claims_resolve", request=VerdictSerializer, responses=ClaimDetailSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[CanResolveClaims])
    def resolve(self, request, pk=None):
        """Record a verdict, early (from open) or once due."""
        claim = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with lifecycle_errors_as_400():
            lifecycle.resolve_claim(
                claim=claim,
                verdict=serializer.validated_data["verdict"],
                summary=serializer.validated_data["summary"],
                by=request.user,
                via="api",
            )
        return self._detail_response(claim)

    @extend_schema(
        operation_id="claims_reopen", request=ReopenSerializer, responses=ClaimDetailSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[CanResolveClaims])
    def reopen(self, request, pk=None):
        """Withdraw a verdict: the claim is due again if its deadline has passed, else open."""
        claim = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with lifecycle_errors_as_400():
            lifecycle.reopen_claim(
                claim=claim, reason=serializer.validated_data["reason"], by=request.user, via="api"
            )
        return self._detail_response(claim)

    def _detail_response(self, claim: Claim, status_code: int = status.HTTP_200_OK) -> Response:
        # Read back as GET reads it, so that the answer is what a GET would give.
        claim = self.get_queryset().get(pk=claim.pk)
        context = self.get_serializer_context()
        return Response(ClaimDetailSerializer(claim, context=context).data, status=status_code)


class EvidenceViewSet(
    RefusesStaleVersions,
    ConditionalUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Evidence for and against claims. Anyone may read; editors add and correct it."""

    queryset = Evidence.objects.all()
    lookup_value_converter = "int"
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    search_fields = ["title", "publisher", "note", "url"]
    ordering_fields = ["published_on", "added_at", "id"]
    ordering = ["id"]
