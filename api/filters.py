"""The API's filters: claims.queries.ClaimFilterSet's, with sources by id, and evidence's.

An unreadable value is a 400 naming the parameter (django-filter's DRF backend), where the
reader site's list leaves it out and says so (reader.filters).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.filters import SearchFilter
from rest_framework.request import Request

from claims.choices import ClaimantType
from claims.models import Claim, Evidence
from claims.queries import (
    SEARCH_MAX_LENGTH,
    SEARCH_MAX_TERM_LENGTH,
    SEARCH_MAX_TERMS,
    ClaimFilterSet,
    validate_search_terms,
)
from registry.models import Article, Entity, Outlet


class ClaimFilter(ClaimFilterSet):
    claimant_type = django_filters.ChoiceFilter(choices=ClaimantType.choices)
    article = django_filters.ModelChoiceFilter(queryset=Article.objects.all())
    outlet = django_filters.ModelChoiceFilter(
        field_name="article__outlet", queryset=Outlet.objects.all()
    )
    claimant = django_filters.ModelChoiceFilter(queryset=Entity.objects.all())

    columns_read = {
        **ClaimFilterSet.columns_read,
        "claimant_type": ("claimant_type",),
        "article": ("article_id",),
        "outlet": ("article_id",),
        "claimant": ("claimant_id",),
    }

    class Meta:
        model = Claim
        # The order of the parameters in the schema.
        fields = [
            "status",
            "kind",
            "verdict",
            "claimant_type",
            "article",
            "outlet",
            "claimant",
            "deadline_after",
            "deadline_before",
        ]


class EvidenceFilter(django_filters.FilterSet):
    claim = django_filters.ModelChoiceFilter(queryset=Claim.objects.all())
    stance = django_filters.ChoiceFilter(choices=Evidence.Stance.choices)

    class Meta:
        model = Evidence
        fields = ["claim", "stance"]


class BoundedSearchFilter(SearchFilter):
    """`?search=` within the reader site's limits (claims.queries.validate_search_terms): a
    longer one is a 400 naming the parameter and the limit, never a minute of the database."""

    def get_search_terms(self, request: Request) -> list[str]:
        try:
            terms = super().get_search_terms(request)
        except exceptions.ValidationError as error:  # a NUL character: DRF answers with a list
            raise exceptions.ValidationError({self.search_param: error.detail}) from None
        raw = request.query_params.get(self.search_param, "")
        try:
            validate_search_terms(raw, terms)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({self.search_param: error.messages}) from None
        return terms

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["maxLength"] = SEARCH_MAX_LENGTH
            parameter["description"] = (
                f"Words to look for, all of them: at most {SEARCH_MAX_TERMS} words of at most "
                f"{SEARCH_MAX_TERM_LENGTH} characters each (a longer search is a 400)."
            )
        return parameters
