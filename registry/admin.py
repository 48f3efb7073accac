from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from registry.models import Article, Entity, Outlet, Topic


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "article_count"]
    search_fields = ["name", "slug"]
    # The name first, where the page puts the focus; the slug follows it as it is typed.
    fields = ["name", "slug", "url", "note"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]  # Meta.ordering is dropped from the GROUP BY of the count annotation

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, obj):
        return obj.article_total


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "published_on", "published_precision", "claim_count"]
    list_filter = [("outlet", admin.RelatedOnlyFieldListFilter), "published_precision"]
    list_select_related = ["outlet"]
    search_fields = ["title", "authors", "slug", "outlet__name"]
    autocomplete_fields = ["outlet"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["-published_on", "title"]  # Meta.ordering is dropped by the count's GROUP BY
    fields = [
        "title",
        "slug",
        "outlet",
        "authors",
        "url",
        ("published_on", "published_precision"),
        "date_note",
        "source_file",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_total=Count("claims"))

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, obj):
        return obj.claim_total


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "url"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "kind", "url"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
