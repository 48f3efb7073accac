"""The API's filters: claims.queries.ClaimFilterSet's, with sources by id, and evidence's.

An unreadable value is a 400 naming the parameter (django-filter's DRF backend), where the
reader site's list leaves it out and says so (reader.filters).
"""

from __future__ import annotations

import django_filters

from claims.choices import ClaimantType
from claims.models import Claim, Evidence
from claims.queries import ClaimFilterSet
from registry.models import Article, Entity, Outlet


class ClaimFilter(ClaimFilterSet):
    claimant_type = django_filters.ChoiceFilter(choices=ClaimantType.choices)
    article = django_filters.ModelChoiceFilter(queryset=Article.objects.all())
    outlet = django_filters.ModelChoiceFilter(
        field_name="article__outlet", queryset=Outlet.objects.all()
    )
    claimant = django_filters.ModelChoiceFilter(queryset=Entity.objects.all())

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
