"""The editors' admin. Every lifecycle change goes through claims.lifecycle; the list pages
fetch their related rows in the page's own query (no per-row queries)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from claims import error_reports, lifecycle
from claims.forms import ClaimAdminForm, EvidenceForm, preview_deadline
from claims.intake import admin as intake_admin  # noqa: F401 - the article's intake pages
from claims.jobs import runs, snapshots
from claims.models import Claim, ErrorReport, Evidence, Job, Notification, Status, Transition
from claims.queries import SEARCH_FIELDS
from registry.models import Article


class ReadOnlyAdmin(admin.ModelAdmin):
    """For logs that only the lifecycle and the jobs write: editors read them, nobody edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeadlineYearFilter(admin.SimpleListFilter):
    title = "deadline year"
    parameter_name = "deadline_year"

    def lookups(self, request, model_admin):
        years = Claim.objects.dates("deadline", "year")
        return [(str(d.year), str(d.year)) for d in years] + [("none", "No deadline")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(deadline__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(deadline__year=int(self.value()))
        return queryset


class EvidenceInline(admin.StackedInline):
    model = Evidence
    form = EvidenceForm
    extra = 0
    fields = [
        ("url", "stance"),
        ("title", "publisher", "published_on"),
        "note",
        ("added_by", "added_at"),
        "loaded_version",
    ]
    readonly_fields = ["added_by", "added_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("added_by")


class TransitionInline(admin.TabularInline):
    model = Transition
    verbose_name_plural = "lifecycle log"
    fields = ["at", "action", "from_status", "to_status", "verdict", "by", "via", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    form = ClaimAdminForm
    inlines = [EvidenceInline, TransitionInline]
    # Four columns that fit a laptop beside the nav sidebar and a phone: the kind, the verdict
    # and the article are filters, and who made a claim is the line under its statement.
    list_display = ["short_statement", "status_label", "deadline", "evidence_count"]
    list_filter = [
        "status",
        "kind",
        "verdict",
        "claimant_type",
        DeadlineYearFilter,
        ("article__outlet", admin.RelatedOnlyFieldListFilter),
        ("article", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["article__outlet", "claimant"]
    search_fields = SEARCH_FIELDS
    autocomplete_fields = ["article", "claimant", "about"]
    filter_horizontal = ["topics"]
    # No prepopulated slug: the admin's script would copy the whole statement. An empty slug
    # is made on save by claims.slugs, the rule the API uses too.
    readonly_fields = Claim.LIFECYCLE_FIELDS
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["statement", "slug", "kind", "quote", "article", "made_on"]}),
        (
            "Who makes it",
            {"fields": ["claimant_type", "claimant", "conditional", "about", "topics"]},
        ),
        (
            "Deadline",
            {
                "fields": [
                    "deadline_text",
                    ("deadline", "deadline_precision"),
                    "deadline_source",
                    "deadline_reason",
                    "ambiguity",
                ],
                "description": 'Type the article\'s words ("within two years", "by 2025"); '
                "the date is worked out from the article's publication date when you save, and "
                "shown under the words before you do. A date you type yourself (YYYY-MM-DD) is "
                "kept as it is. Where the article gives no horizon, the deadline is the registry's "
                'reading: say so, and why, as readers will see it after "because".',
            },
        ),
        (
            "How it will be judged",
            {"fields": ["resolution_criteria", "probability", ("hedge", "hedge_class")]},
        ),
        ("Status and verdict", {"fields": []}),  # per claim: status_fieldset()
        (None, {"fields": ["change_reason", "loaded_version"]}),
    ]

    class Media:
        # The deadline a save would store, shown beside the horizon words as they are typed.
        js = ["claims-deadline-preview.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(evidence_total=Count("evidence"))

    def get_urls(self):
        preview = path(
            "deadline-preview/",
            self.admin_site.admin_view(self.deadline_preview_view),
            name="claims_claim_deadline_preview",
        )
        return [preview, *super().get_urls()]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "deadline_text" in form.base_fields:
            widget = form.base_fields["deadline_text"].widget
            widget.attrs["data-preview-url"] = reverse("admin:claims_claim_deadline_preview")
        return form

    def deadline_preview_view(self, request):
        """GET words, date, precision, article, date_changed, words_changed (as the claim page
        holds them) -> JSON {deadline, precision, says}, or {error} with a 400. Saves nothing."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        query = request.GET
        article = None
        if (article_id := query.get("article", "")).isdigit():
            article = Article.objects.filter(pk=article_id).first()
        try:
            preview = preview_deadline(
                words=query.get("words", "")[:200],
                date=query.get("date", "").strip(),
                precision=query.get("precision", ""),
                date_changed=query.get("date_changed") == "1",
                words_changed=query.get("words_changed") == "1",
                article=article,
            )
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        return JsonResponse(preview)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new claim has no verdict yet: keep the add page short
            return [fs for fs in fieldsets if fs[0] != "Status and verdict"]
        posted = request.POST if request.method == "POST" else None
        return [
            self.status_fieldset(obj, posted) if name == "Status and verdict" else (name, options)
            for name, options in fieldsets
        ]

    @staticmethod
    def status_fieldset(obj: Claim, posted=None) -> tuple[str, dict]:
        """Only what applies to the claim as stored: its verdict and how to reopen it once
        resolved, else how to record a verdict (ClaimAdminForm.action_fields)."""
        actions = list(ClaimAdminForm.action_fields(obj, posted))
        if obj.status == Status.RESOLVED:
            fields = [
                "status",
                ("verdict", "resolved_by", "resolved_at"),
                "verdict_summary",
                *actions,
            ]
            description = "To withdraw the verdict, give the reason for reopening and save."
        else:
            status = ("status", "due_since") if obj.status == Status.DUE else "status"
            fields = [status, *actions]
            description = (
                "Choose a verdict and write its rationale, then save, to resolve the claim"
                + (" before its deadline." if obj.status == Status.OPEN else ".")
            )
        return "Status and verdict", {"fields": fields, "description": description}

    def save_model(self, request, obj, form, change):
        about, topics = form.cleaned_data.get("about", ()), form.cleaned_data.get("topics", ())
        if not change:
            lifecycle.create_claim(
                claim=obj, about=about, topics=topics, by=request.user, via="admin"
            )
            return
        lifecycle.edit_claim(
            claim=obj,
            about=about,
            topics=topics,
            expected_version=form.expected_version,
            by=request.user,
            via="admin",
            reason=form.cleaned_data.get("change_reason", ""),
        )

    def save_related(self, request, form, formsets, change):
        # The claim's own many-to-many fields were saved with it, by the lifecycle.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        # The verdict comes last, after the evidence an editor may have added with it.
        action = form.lifecycle_action()
        if action and action[0] == "resolve":
            lifecycle.resolve_claim(
                claim=form.instance,
                verdict=action[1],
                summary=form.cleaned_data["verdict_rationale"],
                by=request.user,
                via="admin",
            )
        elif action:
            lifecycle.reopen_claim(
                claim=form.instance, reason=action[1], by=request.user, via="admin"
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Evidence:
            return super().save_formset(request, form, formset, change)
        forms_by_item = {id(item_form.instance): item_form for item_form in formset.forms}
        for item in formset.save(commit=False):
            lifecycle.save_evidence(
                evidence=item,
                by=request.user,
                expected_version=forms_by_item[id(item)].expected_version,
            )
        for item in formset.deleted_objects:
            item.delete()

    @admin.display(description="statement", ordering="statement")
    def short_statement(self, obj):
        short = obj.statement if len(obj.statement) <= 90 else obj.statement[:88] + "…"
        title = obj.article.title if len(obj.article.title) <= 60 else obj.article.title[:58] + "…"
        return format_html(
            '<span title="{}">{}</span><span class="registry-statement-source">{} · {}</span>',
            obj.statement,
            short,
            obj.made_by,
            title,
        )

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        if obj.verdict:
            return f"{obj.get_status_display()}: {obj.get_verdict_display().lower()}"
        return obj.get_status_display()

    @admin.display(description="evidence", ordering="evidence_total")
    def evidence_count(self, obj):
        return obj.evidence_total

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:  # the next claim is most often from the same article
            location = response["Location"]
            separator = "&" if "?" in location else "?"
            response["Location"] = location + separator + intake_admin.kept_for_next_claim(obj)
        return response


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    form = EvidenceForm
    list_display = [
        "title",
        "stance",
        "publisher",
        "published_on",
        "claim",
        "added_by",
        "added_at",
        "link_state",
        "link_checked_at",
    ]
    list_filter = ["stance", "link_state"]
    list_select_related = ["claim", "added_by"]
    search_fields = ["title", "url", "publisher", "note", "claim__statement"]
    autocomplete_fields = ["claim"]
    fields = [
        "claim",
        "url",
        "title",
        "publisher",
        "published_on",
        "stance",
        "note",
        "loaded_version",
        "link_health",
    ]
    readonly_fields = ["link_health"]
    actions = ["take_snapshot"]

    def save_model(self, request, obj, form, change):
        lifecycle.save_evidence(
            evidence=obj, by=request.user, expected_version=form.expected_version
        )

    @admin.display(description="link health")
    def link_health(self, obj):
        """The link's state, its latest checks (claims.jobs.link_checks) and snapshots."""
        if obj.pk is None:
            return "Checked, and a snapshot taken, once saved."
        checks = format_html_join(
            "",
            "<li>{}: {} {} {}</li>",
            (
                (
                    c.checked_at.strftime("%Y-%m-%d %H:%M"),
                    c.get_outcome_display(),
                    c.status_code or "",
                    c.error,
                )
                for c in obj.link_checks.all()[:5]
            ),
        )
        snapshots = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (s.taken_at.strftime("%Y-%m-%d %H:%M"), s.error or s.title or "taken")
                for s in obj.snapshots.defer("text").all()[:3]
            ),
        )
        return format_html(
            "<p>{} · next check {}</p><p>Latest checks:</p><ul>{}</ul><p>Snapshots:</p><ul>{}</ul>",
            obj.get_link_state_display(),
            obj.link_next_check_at.strftime("%Y-%m-%d %H:%M"),
            checks or mark_safe("<li>none yet</li>"),
            snapshots or mark_safe("<li>none yet</li>"),
        )

    @admin.action(description="Take a snapshot of the page now", permissions=["change"])
    def take_snapshot(self, request, queryset):
        count = snapshots.request_snapshots(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} snapshot{'s' if count != 1 else ''} asked for.")


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ["at", "claim", "action", "from_status", "to_status", "verdict", "by", "via"]
    list_filter = ["action", "to_status", "via"]
    list_select_related = ["claim", "by"]
    search_fields = ["claim__statement", "reason"]
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The log of what editors were told, and whether it reached them. Read-only: rows are
    written by the notification job alone."""

    list_display = [
        "created_at",
        "event_name",
        "claim_link",
        "recipient",
        "state",
        "attempts",
        "sent_at",
        "error",
    ]
    list_filter = ["state", "event", "created_at", ("recipient", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["recipient", "claim"]
    search_fields = ["claim__statement", "recipient__username", "recipient__email", "subject"]
    date_hierarchy = "created_at"
    fields = [
        ("event", "event_date"),
        "claim",
        "recipient",
        "subject",
        ("state", "attempts"),
        ("created_at", "next_attempt_at"),
        ("claimed_at", "sent_at"),
        "last_error",
        ("message_id", "handed_over_at"),
        "episode",
    ]
    readonly_fields = [name for row in fields for name in ([row] if isinstance(row, str) else row)]
    list_per_page = 100

    @admin.display(description="event", ordering="event")
    def event_name(self, obj):
        return obj.event_label

    @admin.display(description="claim", ordering="claim__statement")
    def claim_link(self, obj):
        if obj.claim_id is None:
            return "—"
        url = reverse("admin:claims_claim_change", args=[obj.claim_id])
        return format_html('<a href="{}">{}</a>', url, obj.claim.statement[:70])

    @admin.display(description="last error")
    def error(self, obj):
        return obj.last_error[:80]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Each background job's latest run; the changelist also shows the schedule."""

    list_display = [
        "name",
        "schedule",
        "last_started_at",
        "last_outcome",
        "counts",
        "last_succeeded_at",
        "error",
    ]
    readonly_fields = [
        "name",
        "last_started_at",
        "last_finished_at",
        "last_outcome",
        "last_counts",
        "last_succeeded_at",
        "last_error",
    ]
    fields = readonly_fields

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "beat_schedule": runs.beat_schedule(),
            "broker": runs.broker_description(),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="schedule")
    def schedule(self, obj):
        when = [entry["when"] for entry in runs.beat_schedule() if entry["task"] == obj.name]
        return ", ".join(when) or "on demand"

    @admin.display(description="last counts")
    def counts(self, obj):
        return ", ".join(
            f"{key.replace('_', ' ')}: {value}" for key, value in obj.last_counts.items()
        )

    @admin.display(description="last error")
    def error(self, obj):
        return obj.last_error[:80]


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    """Readers' error reports, newest first: an editor reads one, fixes what needs fixing on the
    claim, and marks it handled with a reply, which the reader is emailed if they left an
    address (claims.error_reports). Reports come from the site's form only."""

    list_display = ["created_at", "state", "claim_link", "short_message", "has_address", "replied"]
    list_filter = ["state", "created_at"]
    list_select_related = ["claim"]
    search_fields = ["message", "email", "claim__statement", "claim__slug"]
    date_hierarchy = "created_at"
    fields = [
        "claim_link",
        "message",
        ("email", "created_at"),
        "state",
        "reply",
        ("handled_by", "handled_at", "reply_sent_at"),
    ]
    readonly_fields = [
        "claim_link",
        "message",
        "email",
        "created_at",
        "handled_by",
        "handled_at",
        "reply_sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        # New reports first: the queue is what is still to do.
        return super().get_queryset(request).order_by("-state", "-created_at", "-id")

    def save_model(self, request, obj, form, change):
        error_reports.save_handling(obj, by=request.user)

    @admin.display(description="claim", ordering="claim__statement")
    def claim_link(self, obj):
        url = reverse("admin:claims_claim_change", args=[obj.claim_id])
        return format_html(
            '<a href="{}">{}</a> (<a href="{}">public page</a>)',
            url,
            obj.claim.statement[:70],
            obj.claim.get_absolute_url(),
        )

    @admin.display(description="report")
    def short_message(self, obj):
        return obj.message[:90] + ("…" if len(obj.message) > 90 else "")

    @admin.display(description="address left", boolean=True)
    def has_address(self, obj):
        return bool(obj.email)

    @admin.display(description="reply emailed", boolean=True)
    def replied(self, obj):
        return obj.reply_sent_at is not None if obj.email else None
