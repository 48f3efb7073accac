"""The reader site's one form: reporting an error on a claim's page."""

from __future__ import annotations

from django import forms

MESSAGE_MAX_LENGTH = 4000


class ErrorReportForm(forms.Form):
    message = forms.CharField(
        label="What is wrong?",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The statement, the deadline, the verdict or the evidence: say what and why, "
        "with a link to a source if you have one.",
    )
    email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        help_text="Only to tell you what the editors did. It is not published.",
    )
    # A honeypot: hidden from people by the stylesheet (no inline style under our CSP), and
    # filled in by robots that fill in every field.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
