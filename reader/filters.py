"""The reader site's claim list filters: claims.queries.ClaimFilterSet's, with sources by slug,
the search box and a sort order (the API's are in api.filters).

A value that does not parse (a made-up status, a date like 2025-13-45, an unknown outlet) is
left out of the filtering and reported back, so a mistyped link still shows a page.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from claims.cache import SOURCES_TAG, cached_fragment, list_shape_tags_reading
from claims.models import Claim
from claims.queries import SEARCHED_COLUMNS, ClaimFilterSet, search, validate_search_terms
from registry.models import Article, Entity, Outlet, Topic

ORDERINGS = {
    "deadline": "Deadline, soonest first",
    "-deadline": "Deadline, latest first",
    "-updated_at": "Recently changed",
}
DEFAULT_ORDERING = "deadline"
# The entity box's suggestions (reader.views.entity_suggestions): a few, never every entity.
ENTITY_SUGGESTIONS = 12


def _html_attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html writes them, in their order.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(f"{value}")}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """Django's Select, the same HTML, written in Python: through the template renderer each
    <option> costs two template includes, 8 ms of every claim list for its 90 outlets and
    topics (issue 16). Option groups, which the list's filters do not use, go to Django."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            f'\n  <option value="{conditional_escape(f"{option['value']}")}"'
            f"{_html_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            for _group_name, group, _index in widget["optgroups"]
            for option in group
        )
        return mark_safe(
            f'<select name="{conditional_escape(widget["name"])}"'
            f"{_html_attrs(widget['attrs'])}>{options}\n</select>"
        )


class EntityField(forms.ModelChoiceField):
    """An entity typed into a text box: its slug (what a link and a chosen suggestion send) or
    its name, in any case. A text box, not a drop-down of every entity: at 2,000 entities the
    options were 120 KB of every claim list and most of its render time (issue 16)."""

    widget = forms.TextInput(
        attrs={
            "list": "entity-suggestions",
            "autocomplete": "off",
            "data-suggestions": "entity",
        }
    )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        entity = (
            self.queryset.filter(slug=value).first()
            or self.queryset.filter(name__iexact=value).order_by("pk").first()
        )
        if entity is None:
            raise forms.ValidationError(
                "No claimant or subject has this name.", code="invalid_choice"
            )
        return entity

    def prepare_value(self, value):
        # The box shows what was typed (a slug from a link, or a name), never a primary key.
        return value.slug if isinstance(value, Entity) else value


class EntityFilter(django_filters.ModelChoiceFilter):
    field_class = EntityField


def _validate_typed_search(value: str) -> None:
    validate_search_terms(value, value.split())


def _ordering_expressions(value: str) -> list:
    if value == "-updated_at":
        return [F("updated_at").desc(), F("id").desc()]
    # Claims without a deadline go last either way: they cannot come due.
    if value == "-deadline":
        return [F("deadline").desc(nulls_last=True), F("id").desc()]
    return [F("deadline").asc(nulls_last=True), F("id").asc()]


# The claim columns each order sorts by: the tags of the list's shape, with its filters'.
COLUMNS_SORTED_BY = {
    "deadline": ("deadline",),
    "-deadline": ("deadline",),
    "-updated_at": ("updated_at",),
}


# The drop-downs whose options are rows of a table: kept as a fragment under SOURCES_TAG, which
# every write of an outlet or topic moves, rather than read and built on every list.
SOURCE_DROP_DOWNS = ("outlet", "topic")


def _source_options(form: forms.Form) -> dict[str, list[tuple[str, str]]]:
    return {
        name: [
            (getattr(row, field.to_field_name), field.label_from_instance(row))
            for row in field.queryset
        ]
        for name, field in ((name, form.fields[name]) for name in SOURCE_DROP_DOWNS)
    }


class _ClaimListForm(forms.Form):
    def show_source_options(self) -> None:
        """Give the drop-downs their options, before rendering: shown only, a value sent is
        still checked against the table (ModelChoiceField)."""
        options = cached_fragment(
            "claim-list-options", "sources", [SOURCES_TAG], lambda: _source_options(self)
        )
        for name in SOURCE_DROP_DOWNS:
            field = self.fields[name]
            field.widget.choices = [("", field.empty_label), *options[name]]

    # The base class's filters would otherwise come first, splitting search from sources.
    field_order = [
        "search",
        "status",
        "verdict",
        "kind",
        "outlet",
        "entity",
        "topic",
        "deadline_after",
        "deadline_before",
        "ordering",
    ]


class ClaimFilter(ClaimFilterSet):
    """The reader site's claim list: sources by slug, a search box and a sort order."""

    search = django_filters.CharFilter(
        method="filter_search", label="Search", validators=[_validate_typed_search]
    )
    outlet = django_filters.ModelChoiceFilter(
        field_name="article__outlet",
        queryset=Outlet.objects.all(),
        to_field_name="slug",
        label="Outlet",
        empty_label="Any outlet",
    )
    # Reached from an article's page; too many articles for a drop-down.
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.select_related("outlet"),
        to_field_name="slug",
        label="Article",
        widget=forms.HiddenInput,
    )
    entity = EntityFilter(
        queryset=Entity.objects.all(),
        method="filter_entity",
        label="Made by or about",
    )
    topic = django_filters.ModelChoiceFilter(
        field_name="topics",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        label="Topic",
        empty_label="Any topic",
    )
    ordering = django_filters.ChoiceFilter(
        choices=list(ORDERINGS.items()),
        method="order_by",
        label="Sort by",
        empty_label=None,
    )

    filter_labels = {"deadline_after": "Deadline from", "deadline_before": "Deadline until"}
    columns_read = {
        **ClaimFilterSet.columns_read,
        "outlet": ("article_id",),
        "article": ("article_id",),
        "entity": ("claimant_id", "about"),
        "topic": ("topics",),
        "search": SEARCHED_COLUMNS,
    }

    class Meta:
        model = Claim
        fields: list[str] = []
        form = _ClaimListForm

    @classmethod
    def get_filters(cls) -> dict[str, django_filters.Filter]:
        # Every drop-down of the list (the shared status, verdict and kind ones too) as a
        # QuickSelect; fields with a widget of their own (the entity box, the article) keep it.
        filters = super().get_filters()
        for filter_ in filters.values():
            if getattr(filter_.field_class, "widget", None) is forms.Select:
                filter_.extra.setdefault("widget", QuickSelect)
        return filters

    def filter_queryset(self, queryset):
        # The default order applies whenever no valid ordering was asked for.
        queryset = queryset.order_by(*_ordering_expressions(DEFAULT_ORDERING))
        return super().filter_queryset(queryset)

    def filter_search(self, queryset, name, value):
        # At most SEARCH_MAX_TERMS words: the field's validator saw to it.
        return search(queryset, value.split())

    def filter_entity(self, queryset, name, value):
        return queryset.concerning(value)

    def order_by(self, queryset, name, value):
        return queryset.order_by(*_ordering_expressions(value))

    def form_html(self) -> SafeString:
        """The filter form (reader/partials/claim_filters.html), with its drop-downs' options.
        Made with the rest of the list's page but its rows (reader.views._claim_listing), and
        kept with it."""
        self.form.show_source_options()
        return render_to_string("reader/partials/claim_filters.html", {"filter": self})

    @property
    def ignored(self) -> list[str]:
        """One sentence per filter value that was not understood, for the page to show."""
        messages = []
        for name, errors in self.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else name
            value = self.data.get(name, "")
            messages.append(f"{label} “{value[:80]}” was ignored: {' '.join(errors)}")
        return messages

    @property
    def given(self) -> dict:
        """The filters that narrow the list, by name, with their understood values."""
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if name != "ordering" and value not in (None, "")
        }

    @property
    def active(self) -> bool:
        """Whether any filter other than the ordering narrows the list."""
        return bool(self.given)


def list_shape_tags(query: QueryDict) -> set[str]:
    """The tags of a claim list's shape (claims.cache.cached_shape), from its query string: the
    columns each filter sent reads (ClaimFilter.columns_read) and the one it is sorted by. An
    ordering not understood sorts by the default's."""
    ordering = query.get("ordering") or DEFAULT_ORDERING
    return list_shape_tags_reading(
        ClaimFilter.columns_read_by(query)
        | set(COLUMNS_SORTED_BY.get(ordering, COLUMNS_SORTED_BY[DEFAULT_ORDERING]))
    )
