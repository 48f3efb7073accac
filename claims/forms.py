"""Editors' forms. They validate and translate what an editor typed; the lifecycle applies it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from claims import quotes, versions
from claims.deadlines import HorizonError, deadline_from_entry
from claims.models import Claim, Evidence, Status, Verdict
from claims.slugs import unused_claim_slug
from claims.validators import (
    normalize_web_address,
    public_address_refusal,
    validate_web_address,
)
from registry.models import Article
from registry.precision import Precision

# The one date format forms read (config/formats/): the message says so, with an example that
# dd/mm and mm/dd would read differently.
DATE_FORMAT_MESSAGE = "Enter a valid date as YYYY-MM-DD: 2026-11-12 is 12 November 2026."


class WebAddressFormField(forms.CharField):
    # Django's URL form field quietly adds "https://" to a scheme-less address; an editor who
    # pasted half a link should be told instead.
    widget = forms.URLInput
    default_validators = [validate_web_address]

    def to_python(self, value):
        return normalize_web_address(super().to_python(value))


class RefusesStaleSaves(forms.Form):
    """For a model form of a versioned row (Claim, Evidence): a save from a form loaded at an
    older version than the stored one is refused, with what changed since, while the form
    keeps what the editor typed. The refusal carries the stored version in the hidden field,
    so that the next save, once the editor has seen the changes, goes through on top."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = DATE_FORMAT_MESSAGE

    def refuse_if_stale(self) -> None:
        if self.instance._state.adding:
            return
        # The admin saves inside a transaction: this lock holds until our save commits.
        stored = versions.lock(self.instance)
        try:
            versions.refuse_if_stale(stored, self.cleaned_data.get("loaded_version"))
        except versions.StaleEdit as stale:
            self.data = self.data.copy()  # a bound form's data is immutable
            self.data[self.add_prefix("loaded_version")] = str(stale.current_version)
            changes = [self._take_stored_unless_typed(change, stale) for change in stale.changes]
            name = self.instance._meta.verbose_name
            raise forms.ValidationError(
                [
                    f"Someone else changed this {name} since you opened it, so it was not saved. "
                    "What changed:",
                    *(changes or stale.describe_changes()),
                    "Everything you typed is still in the form below. Check it against these "
                    "changes, then save again to save it on top.",
                ],
                code="stale",
            ) from stale

    def _take_stored_unless_typed(self, change: versions.Change, stale: versions.StaleEdit) -> str:
        """Show the stored value in a field the editor left as loaded, so that saving on top
        keeps the other editor's change there; a field the editor changed keeps their typing."""
        field = self.fields.get(change.field)
        if field is None or stale.loaded is None:
            return change.describe()
        attname = self.instance._meta.get_field(change.field).attname
        if field.has_changed(getattr(stale.loaded, attname), self[change.field].data):
            return f"{change.describe()}. You changed it too: the form keeps your version."
        stored = getattr(stale.stored, attname)
        self.data[self.add_prefix(change.field)] = (
            "" if stored is None else str(field.prepare_value(stored))
        )
        return f"{change.describe()}. The form now shows it."

    @property
    def expected_version(self) -> int | None:
        """The version the editor's save is based on, for the lifecycle's own check."""
        return self.cleaned_data.get("loaded_version")


class EvidenceForm(RefusesStaleSaves, forms.ModelForm):
    url = WebAddressFormField(label="URL", max_length=2000)

    class Meta:
        model = Evidence
        fields = ["url", "title", "publisher", "published_on", "stance", "note"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if self.initial.get("url") != url and (message := public_address_refusal(url)):
            raise forms.ValidationError(message, code="private_address")
        return url

    def clean(self):
        cleaned = super().clean()
        # An unchanged row of the claim page's evidence is not saved: nothing to refuse.
        if self.has_changed():
            self.refuse_if_stale()
        return cleaned


class ClaimAdminForm(RefusesStaleSaves, forms.ModelForm):
    """The claim page: the claim's fields, plus the lifecycle actions an editor can take from it.

    The horizon words are turned into a deadline when the editor changes them (or leaves the
    date empty); a date typed by the editor always wins over the words.
    """

    record_verdict = forms.ChoiceField(
        label="Record a verdict", choices=[("", "---------"), *Verdict.choices], required=False
    )
    verdict_rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Required with a verdict: what the evidence shows, and why this verdict.",
    )
    reopen_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="To withdraw the verdict and reopen the claim, say why.",
    )
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        help_text="Kept in the claim's history and lifecycle log. Required when the deadline "
        "moves; optional otherwise.",
    )

    VERDICT_FIELDS = ("record_verdict", "verdict_rationale")
    REOPEN_FIELDS = ("reopen_reason",)

    class Meta:
        model = Claim
        fields = Claim.EDITABLE_FIELDS
        # The browser's own range check; the model's validators give the field error.
        widgets = {"probability": forms.NumberInput(attrs={"min": "0", "max": "1"})}

    @classmethod
    def action_fields(cls, claim: Claim | None, data=None) -> tuple[str, ...]:
        """The lifecycle fields that apply to `claim` as stored: a verdict can be recorded on
        an open or due claim, and only a resolved one can be reopened. A new claim has none.

        A field the editor filled in (`data`, the POST) stays even if it no longer applies
        (someone resolved the claim since): the form refuses it with a message at the field,
        and what the editor typed is not lost."""
        if claim is None or claim.pk is None:
            return ()
        applies = cls.REOPEN_FIELDS if claim.status == Status.RESOLVED else cls.VERDICT_FIELDS
        typed = [
            name
            for name in (*cls.VERDICT_FIELDS, *cls.REOPEN_FIELDS)
            if name not in applies and data is not None and (data.get(name) or "").strip()
        ]
        return (*applies, *typed)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        applicable = self.action_fields(self.instance, self.data if self.is_bound else None)
        for name in (*self.VERDICT_FIELDS, *self.REOPEN_FIELDS):
            if name not in applicable:
                self.fields.pop(name, None)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields[
                "slug"
            ].help_text = "The claim's address. Leave empty to make a short one from the statement."
        if "made_on" in self.fields:
            self.fields["made_on"].required = False
            self.fields["made_on"].help_text = "Leave empty to use the article's publication date."

    def clean(self):
        cleaned = super().clean()
        self.refuse_if_stale()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get("statement"):
            cleaned["slug"] = unused_claim_slug(cleaned["statement"], exclude_pk=self.instance.pk)
        article = cleaned.get("article")
        if article and not cleaned.get("made_on"):
            cleaned["made_on"] = article.published_on
        self._read_deadline(cleaned, article)
        self._require_reason_for_a_moved_deadline(cleaned)
        self._check_lifecycle_action(cleaned)
        self._check_quote(cleaned, article)
        return cleaned

    def _check_quote(self, cleaned: dict, article) -> None:
        # The lifecycle refuses it too; here it is a field error rather than a failed save.
        changed = {"quote", "article"} & set(self.changed_data)
        if "quote" in cleaned and (changed or not self.instance.pk):
            try:
                quotes.check_quote(cleaned["quote"], article)
            except ValidationError as error:
                self.add_error("quote", error.message_dict["quote"])

    def _require_reason_for_a_moved_deadline(self, cleaned: dict) -> None:
        # Before _post_clean, the instance still holds the stored deadline. Giving a claim its
        # first deadline moves nothing.
        if self.instance._state.adding or self.instance.deadline is None:
            return
        if "deadline" in self.errors or "deadline_text" in self.errors:
            return
        if cleaned.get("deadline") == self.instance.deadline:
            return
        if not (cleaned.get("change_reason") or "").strip():
            new = cleaned.get("deadline")
            self.add_error(
                "change_reason",
                f"The deadline moves from {self.instance.deadline.isoformat()} to "
                f"{new.isoformat() if new else 'none'}: say why (the reason goes in the "
                "claim's lifecycle log).",
            )

    def _read_deadline(self, cleaned: dict, article) -> None:
        if article is None:  # reported on the article field; relative words need its date
            return
        try:
            cleaned["deadline"], cleaned["deadline_precision"] = deadline_from_entry(
                words=cleaned.get("deadline_text") or "",
                date=cleaned.get("deadline"),
                precision=cleaned.get("deadline_precision") or "",
                date_changed="deadline" in self.changed_data,
                words_changed="deadline_text" in self.changed_data,
                published_on=article.published_on,
                published_precision=article.published_precision,
            )
        except HorizonError as error:
            self.add_error("deadline_text", str(error))

    def _check_lifecycle_action(self, cleaned: dict) -> None:
        verdict = cleaned.get("record_verdict")
        rationale = (cleaned.get("verdict_rationale") or "").strip()
        reopen = (cleaned.get("reopen_reason") or "").strip()
        resolved = self.instance.pk and self.instance.status == Status.RESOLVED
        if verdict and not rationale:
            self.add_error("verdict_rationale", "A verdict needs a written rationale.")
        if rationale and not verdict:
            self.add_error("record_verdict", "Choose the verdict this rationale explains.")
        if verdict and resolved:
            self.add_error("record_verdict", "This claim is already resolved; reopen it first.")
        if reopen and not resolved:
            self.add_error("reopen_reason", "Only a resolved claim can be reopened.")
        if verdict and reopen:
            self.add_error("reopen_reason", "Reopen or record a verdict, not both at once.")

    def lifecycle_action(self) -> tuple[str, str] | None:
        """("resolve", verdict) or ("reopen", reason), if the editor asked for one."""
        if self.cleaned_data.get("record_verdict"):
            return "resolve", self.cleaned_data["record_verdict"]
        if (self.cleaned_data.get("reopen_reason") or "").strip():
            return "reopen", self.cleaned_data["reopen_reason"].strip()
        return None


def preview_deadline(
    *,
    words: str,
    date: str,
    precision: str,
    date_changed: bool,
    words_changed: bool,
    article: Article | None,
) -> dict:
    """The deadline a save of the claim page would store, for the preview beside the horizon
    words: read as ClaimAdminForm reads it (deadline_from_entry), saving nothing. Returns
    {"deadline": "YYYY-MM-DD" or None, "precision", "says"}; raises ValidationError with the
    message to show."""
    typed = forms.DateField(required=False, error_messages={"invalid": DATE_FORMAT_MESSAGE})
    day = typed.clean(date)
    if precision and precision not in Precision.values:
        raise forms.ValidationError(f"Unknown precision {precision!r}.")
    try:
        deadline, deadline_precision = deadline_from_entry(
            words=words,
            date=day,
            precision=precision,
            date_changed=date_changed,
            words_changed=words_changed,
            published_on=article.published_on if article else None,
            published_precision=article.published_precision if article else Precision.DAY,
        )
    except HorizonError as error:
        raise forms.ValidationError(str(error)) from error
    if deadline is None:
        return {"deadline": None, "precision": "", "says": "No deadline."}
    label = Precision(deadline_precision or Precision.DAY).label
    return {
        "deadline": deadline.isoformat(),
        "precision": deadline_precision,
        "says": f"{deadline.isoformat()} ({deadline.day} {deadline:%B %Y}), {label}.",
    }
