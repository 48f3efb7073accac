"""Intake in the editors' admin: add an article from its text, review the claims proposed.

The article's admin (registry.admin.ArticleAdmin, which cannot import claims) is registered
again here with three pages of its own and links to them: "Add an article from its text",
the review of an article's proposals, and "Propose claims" (a re-run). Every reading goes
through `claims.intake` (read_article, propose_claims), as the API and the command do.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

import registry.admin  # noqa: F401 - registers ArticleAdmin first, so it can be replaced here
from claims.choices import Kind
from claims.deadlines import HorizonError
from claims.intake import IntakeError, desk, propose_claims, read_article
from claims.intake.from_url import read_article_from_url
from claims.intake.reading import MAX_ARTICLE_BYTES
from claims.models import Proposal
from registry.admin import ArticleAdmin
from registry.models import Article, Outlet, TextSource
from registry.precision import Precision

PRECISIONS = Article.PUBLICATION_PRECISIONS


class ArticleTextForm(forms.Form):
    """Step one reads what the editor gives; step two (the same form, filled in with what was
    read) confirms title, outlet and date and stores the article."""

    text = forms.CharField(
        label="The article's text",
        required=False,
        strip=False,  # kept verbatim: it is what quotes are checked against
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text="Paste the article (its title on the first line reads best), upload a page, "
        "or give only its address below.",
    )
    page = forms.FileField(
        label="Or a saved HTML page",
        required=False,
        help_text="A page saved from the browser (.html), "
        f"at most {MAX_ARTICLE_BYTES // 2**20} MB.",
    )
    title = forms.CharField(max_length=300, required=False)
    outlet = forms.ModelChoiceField(Outlet.objects.all(), required=False)
    new_outlet = forms.CharField(
        label="Or a new outlet", max_length=200, required=False, help_text="Its name."
    )
    published_on = forms.DateField(
        label="Published on", required=False, help_text="YYYY-MM-DD; the 1st when only the month."
    )
    published_precision = forms.ChoiceField(
        label="Date known to the", choices=PRECISIONS, initial=Precision.DAY
    )
    url = forms.URLField(label="Address", required=False, assume_scheme="https")
    source_kind = forms.CharField(widget=forms.HiddenInput, required=False)
    source_name = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_published_on(self):
        day = self.cleaned_data.get("published_on")
        if day and day > timezone.localdate():
            raise ValidationError(
                f"{day.isoformat()} is in the future: enter the day the article was published."
            )
        return day


class ProposalForm(forms.Form):
    """One proposal on the review page; its prefix is the row's id."""

    selected = forms.BooleanField(label="Select", required=False)
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 70}))
    kind = forms.ChoiceField(choices=Kind.choices)
    claimant = forms.CharField(
        max_length=200, required=False, help_text="Empty when the claim is the outlet's own."
    )
    deadline_text = forms.CharField(label="Horizon words", max_length=200, required=False)


class IntakeArticleAdmin(ArticleAdmin):
    change_form_template = "admin/registry/article/intake_change_form.html"
    change_list_template = "admin/registry/article/intake_change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("from-text/", view(self.from_text_view), name="registry_article_from_text"),
            path(
                "<int:article_id>/proposals/",
                view(self.review_view),
                name="registry_article_proposals",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        extra_context = {**(extra_context or {})}
        if article is not None:
            extra_context |= {
                "article_claims": article.claims.order_by("deadline", "id"),
                "pending_proposals": article.proposals.filter(state=Proposal.State.PENDING).count(),
                "can_add_claim": request.user.has_perm("claims.add_claim"),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- Add an article from its text ---------------------------------------------------------

    def from_text_view(self, request):
        if not (request.user.has_perm("registry.add_article") and _can_review(request.user)):
            raise PermissionDenied
        notes: list[str] = []
        confirming = False
        if request.method != "POST":
            form = ArticleTextForm()
        else:
            form = ArticleTextForm(request.POST, request.FILES)
            if form.is_valid() and "_create" in request.POST:
                article = self._create_article(request, form)
                if article is not None:
                    return HttpResponseRedirect(
                        reverse("admin:registry_article_proposals", args=[article.pk])
                    )
                confirming = True
            elif form.is_valid():
                values, notes = self._read(form)
                if values is not None:  # shown again, filled in: the editor confirms or corrects
                    form, confirming = ArticleTextForm(values), True
            else:
                confirming = bool(request.POST.get("text"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Add an article from its text",
            "opts": self.model._meta,
            "form": form,
            "confirming": confirming,
            "notes": notes,
        }
        return TemplateResponse(request, "admin/registry/article/from_text.html", context)

    def _read(self, form: ArticleTextForm) -> tuple[dict | None, list[str]]:
        """Read the text or page: the form's values filled in with what was read, and the
        reading's notes; (None, []) with the form's error when it cannot be read."""
        data = form.cleaned_data
        upload = data.get("page")
        source_kind, source_name = TextSource.PASTED, ""
        raw: bytes | str = data.get("text") or ""
        if upload is not None:
            if upload.size > MAX_ARTICLE_BYTES:
                form.add_error(
                    "page",
                    f"The file is {upload.size:,} bytes; the most that can be read is "
                    f"{MAX_ARTICLE_BYTES:,} bytes (2 MB).",
                )
                return None, []
            raw, source_kind, source_name = upload.read(), TextSource.HTML_FILE, upload.name
        given = {
            "published_on": data.get("published_on"),
            "published_precision": Precision(data.get("published_precision") or Precision.DAY),
            "title": data.get("title") or "",
        }
        url = data.get("url") or ""
        from_url = upload is None and not str(raw).strip() and bool(url)
        try:
            if from_url:
                # Only an address: the safe fetcher brings the page (public addresses only).
                fetched = read_article_from_url(url, **given)
                read, source_kind, source_name = fetched.article, TextSource.URL, fetched.final_url
            else:
                read = read_article(raw, **given)
        except IntakeError as error:
            form.add_error(
                "page" if upload is not None else "url" if from_url else "text", str(error)
            )
            return None, []
        outlet = data.get("outlet") or Outlet.objects.filter(name__iexact=read.outlet).first()
        values = {
            "text": read.text,
            "title": read.title,
            "outlet": outlet.pk if outlet else "",
            "new_outlet": data.get("new_outlet") or ("" if outlet else read.outlet),
            "published_on": read.published_on.isoformat() if read.published_on else "",
            "published_precision": read.published_precision.value
            if read.published_on
            else data.get("published_precision"),
            "url": data.get("url") or "",
            "source_kind": source_kind,
            "source_name": source_name,
        }
        return values, read.notes

    def _create_article(self, request, form: ArticleTextForm) -> Article | None:
        data = form.cleaned_data
        text = data.get("text") or ""
        for name, missing in (
            ("text", not text.strip() and "The article is empty: there is no text to read."),
            ("title", not data.get("title") and "Enter the article's title."),
            (
                "outlet",
                not (data.get("outlet") or data.get("new_outlet"))
                and "Choose the outlet, or name a new one.",
            ),
            (
                "published_on",
                not data.get("published_on") and "Enter the day the article was published.",
            ),
        ):
            if missing:
                form.add_error(name, missing)
        if form.errors:
            return None
        precision = Precision(data["published_precision"])
        try:
            read = read_article(
                text,
                published_on=data["published_on"],
                published_precision=precision,
                title=data["title"],
            )
        except IntakeError as error:
            form.add_error("text", str(error))
            return None
        result = propose_claims(read)
        if not result.proposals:  # another language, or nothing checkable: nothing is stored
            form.add_error("text", " ".join(result.notes[-1:]) + " Nothing was stored.")
            return None
        try:
            with transaction.atomic():
                outlet = data.get("outlet") or desk.outlet_named(data["new_outlet"])
                article = desk.store_article(
                    text=read.text,
                    title=data["title"],
                    outlet=outlet,
                    published_on=_first_of_period(data["published_on"], precision),
                    published_precision=precision,
                    source_kind=data.get("source_kind") or TextSource.PASTED,
                    source_name=data.get("source_name") or "",
                    url=data.get("url") or "",
                )
                added, notes = desk.refresh_proposals(article)
        except ValidationError as error:
            for name, texts in error.message_dict.items():
                form.add_error(name if name in form.fields else None, texts)
            return None
        messages.success(
            request, f"Article stored with its text; {len(added)} claims proposed for review."
        )
        for note in notes:
            messages.info(request, note)
        return article

    # --- Review -------------------------------------------------------------------------------

    def review_view(self, request, article_id: int):
        if not _can_review(request.user):
            raise PermissionDenied
        article = get_object_or_404(Article.objects.select_related("outlet"), pk=article_id)
        pending = list(article.proposals.filter(state=Proposal.State.PENDING))
        errors: dict[int, list[str]] = {}
        if request.method == "POST":
            if "_propose" in request.POST:
                added, notes = desk.refresh_proposals(article)
                messages.success(request, f"{len(added)} new claims proposed.")
                for note in notes:
                    messages.info(request, note)
                return HttpResponseRedirect(request.path)
            forms_by_row = {p.pk: ProposalForm(request.POST, prefix=f"p{p.pk}") for p in pending}
            valid = _save_typed(pending, forms_by_row)
            selected = [p for p in pending if _selected(forms_by_row[p.pk])]
            if "_accept" in request.POST or "_reject" in request.POST:
                if not selected:
                    messages.warning(request, "Select the proposals first (the box by each).")
                elif not valid:
                    messages.error(request, "Correct the errors below; nothing was accepted.")
                elif "_reject" in request.POST:
                    count = desk.reject(selected, by=request.user)
                    messages.success(request, f"{count} proposals rejected.")
                    return HttpResponseRedirect(request.path)
                else:
                    try:
                        claims = desk.accept(selected, by=request.user)
                    except desk.AcceptError as error:
                        errors = error.errors
                        messages.error(
                            request,
                            "Some selected proposals cannot become claims "
                            "yet (see below); nothing was accepted.",
                        )
                    else:
                        messages.success(request, f"{len(claims)} claims created.")
                        return HttpResponseRedirect(request.path)
            elif "_preview" in request.POST:
                messages.info(request, "Your changes are saved; the deadlines are shown below.")
            else:
                messages.success(request, "Your changes are saved.")
        else:
            forms_by_row = {
                p.pk: ProposalForm(initial=_initial(p), prefix=f"p{p.pk}") for p in pending
            }
        rows = [
            {
                "number": number,
                "proposal": p,
                "form": forms_by_row[p.pk],
                "deadline": _deadline_shown(p, article),
                "errors": errors.get(p.pk, []),
            }
            for number, p in enumerate(pending, start=1)
        ]
        decided = article.proposals.exclude(state=Proposal.State.PENDING).select_related(
            "claim", "decided_by"
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Proposed claims: {article.title}",
            "opts": self.model._meta,
            "original": article,
            "article": article,
            "rows": rows,
            "decided": decided,
            "segments": _segments(article.source_text, pending),
        }
        return TemplateResponse(request, "admin/registry/article/proposals.html", context)


def kept_for_next_claim(claim) -> str:
    """The query string that prefills the next claim's add page ("Save and add another") with
    this claim's article, claimant and what it is about."""
    from django.http import QueryDict

    kept = QueryDict(mutable=True)
    kept["article"] = str(claim.article_id)
    kept["claimant_type"] = claim.claimant_type
    if claim.claimant_id:
        kept["claimant"] = str(claim.claimant_id)
    about = ",".join(str(pk) for pk in claim.about.values_list("pk", flat=True))
    if about:
        kept["about"] = about
    return kept.urlencode(safe=",")


def _can_review(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("claims.add_claim")


def _first_of_period(day: datetime.date, precision: Precision) -> datetime.date:
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return day.replace(day=1)
    return day


def _initial(proposal: Proposal) -> dict:
    return {
        "statement": proposal.statement,
        "kind": proposal.kind,
        "claimant": proposal.claimant,
        "deadline_text": proposal.deadline_text,
    }


def _selected(form: ProposalForm) -> bool:
    return form.data.get(form.add_prefix("selected")) == "on"


def _save_typed(pending: list[Proposal], forms_by_row: dict[int, ProposalForm]) -> bool:
    """Keep what the editor typed on every row, valid or not yet: nothing typed is lost."""
    valid = True
    for proposal in pending:
        form = forms_by_row[proposal.pk]
        valid = form.is_valid() and valid
        changed = False
        for name in ("statement", "kind", "claimant", "deadline_text"):
            value = form.data.get(form.add_prefix(name))
            if value is None:
                continue
            value = value.strip() if name != "kind" else value
            limit = Proposal._meta.get_field(name).max_length
            if name == "kind" and value not in Kind.values:
                continue
            value = value[:limit] if limit else value
            if getattr(proposal, name) != value:
                if name == "deadline_text":  # new words: the deadline is read from them
                    proposal.deadline, proposal.deadline_precision = _read_words(value, proposal)
                setattr(proposal, name, value)
                changed = True
        if changed:
            proposal.save(
                update_fields=[
                    "statement",
                    "kind",
                    "claimant",
                    "deadline_text",
                    "deadline",
                    "deadline_precision",
                    "updated_at",
                ]
            )
    return valid


def _read_words(words: str, proposal: Proposal) -> tuple[datetime.date | None, str]:
    # Unreadable words keep no deadline; the review shows why, and accepting refuses them.
    try:
        return desk.deadline_for(Proposal(deadline_text=""), words, proposal.article)
    except HorizonError:
        return None, ""


def _deadline_shown(proposal: Proposal, article: Article) -> dict:
    try:
        day, precision = desk.deadline_for(proposal, proposal.deadline_text, article)
    except HorizonError as error:
        return {"error": str(error)}
    return {"date": day, "precision": precision}


def _segments(text: str, pending: list[Proposal]) -> list[dict]:
    """The article's text in pieces, each proposal's quote marked with its number."""
    spans = sorted(
        (p.start, p.end, number)
        for number, p in enumerate(pending, start=1)
        if 0 <= p.start < p.end <= len(text)
    )
    pieces, position = [], 0
    for start, end, number in spans:
        if start < position:  # overlaps the previous quote: its number is shown there
            continue
        if start > position:
            pieces.append({"text": text[position:start]})
        pieces.append({"text": text[start:end], "number": number})
        position = end
    if position < len(text):
        pieces.append({"text": text[position:]})
    return pieces


admin.site.unregister(Article)
admin.site.register(Article, IntakeArticleAdmin)
