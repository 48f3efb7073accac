"""Editors' forms. They validate and translate what an editor typed; the lifecycle applies it."""

from __future__ import annotations

from django import forms

from claims.deadlines import HorizonError, deadline_from_entry
from claims.models import Claim, Evidence, Status, Verdict
from claims.validators import normalize_web_address, validate_web_address


class WebAddressFormField(forms.CharField):
    # Django's URL form field quietly adds "https://" to a scheme-less address; an editor who
    # pasted half a link should be told instead.
    widget = forms.URLInput
    default_validators = [validate_web_address]

    def to_python(self, value):
        return normalize_web_address(super().to_python(value))


class EvidenceForm(forms.ModelForm):
    url = WebAddressFormField(label="URL", max_length=2000)

    class Meta:
        model = Evidence
        fields = ["url", "title", "publisher", "published_on", "stance", "note"]


class ClaimAdminForm(forms.ModelForm):
    """The claim page: the claim's fields, plus the lifecycle actions an editor can take from it.

    The horizon words are turned into a deadline when the editor changes them (or leaves the
    date empty); a date typed by the editor always wins over the words.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
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
        help_text="Optional; kept in the claim's history (and required context when moving a deadline).",
    )

    class Meta:
        model = Claim
        fields = [
            "slug",
            "article",
            "claimant_type",
            "claimant",
            "statement",
            "quote",
            "kind",
            "made_on",
            "about",
            "topics",
            "deadline_text",
            "deadline",
            "deadline_precision",
            "ambiguity",
            "resolution_criteria",
            "probability",
        ]
        # The browser's own range check; the model's validators give the field error.
        widgets = {"probability": forms.NumberInput(attrs={"min": "0", "max": "1"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "made_on" in self.fields:
            self.fields["made_on"].required = False
            self.fields["made_on"].help_text = "Leave empty to use the article's publication date."
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        self._check_not_stale()
        article = cleaned.get("article")
        if article and not cleaned.get("made_on"):
            cleaned["made_on"] = article.published_on
        self._read_deadline(cleaned, article)
        self._check_lifecycle_action(cleaned)
        return cleaned

    def _check_not_stale(self) -> None:
        if not self.instance.pk or "loaded_version" not in self.fields:
            return
        loaded = self.cleaned_data.get("loaded_version")
        # The admin saves inside a transaction: this lock holds until our save commits.
        current = (
            Claim.objects.select_for_update()
            .values_list("version", flat=True)
            .get(pk=self.instance.pk)
        )
        if loaded is not None and loaded != current:
            raise forms.ValidationError(
                "Someone else changed this claim since you opened it. Your edits are still in the "
                "form below; open the claim in a new tab to see the current version, then save again.",
                code="stale",
            )
        # Keep what the editor typed, but compare against the stored row from now on.
        self.instance.version = current

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
