"""The sources API, read-only: outlets, articles, and the entities and topics claims refer to by
id. Editors keep these up to date in the admin."""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from api.base import ConditionalMixin
from registry.models import Article, Entity, Outlet, Topic


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "slug", "name", "url"]


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "outlet",
            "authors",
            "url",
            "published_on",
            "published_precision",
            "date_note",
        ]


class EntitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["id", "slug", "name", "kind", "url"]


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "slug", "name"]


class ArticleFilter(django_filters.FilterSet):
    outlet = django_filters.ModelChoiceFilter(queryset=Outlet.objects.all())

    class Meta:
        model = Article
        fields = ["outlet"]


class OutletViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Outlets: the publishers whose articles claims come from. Read-only."""

    queryset = Outlet.objects.all()
    lookup_value_converter = "int"
    serializer_class = OutletSerializer
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "id"]
    ordering = ["name"]


class ArticleViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Articles: the source documents claims are quoted from, with their publication dates.
    Read-only."""

    queryset = Article.objects.all()
    lookup_value_converter = "int"
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    search_fields = ["title", "authors", "slug"]
    ordering_fields = ["published_on", "title", "id"]
    ordering = ["-published_on", "title"]


class EntityViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Entities: the companies, agencies, funds and people claims are made by or are about.
    Read-only."""

    queryset = Entity.objects.all()
    lookup_value_converter = "int"
    serializer_class = EntitySerializer
    filterset_fields = ["kind"]
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "id"]
    ordering = ["name"]


class TopicViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Topics claims are filed under. Read-only."""

    queryset = Topic.objects.all()
    lookup_value_converter = "int"
    serializer_class = TopicSerializer
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "id"]
    ordering = ["name"]
