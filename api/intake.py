"""POST /api/v1/intake/: an article's text (or a saved HTML page) in, its proposed claims out.

Editors only (claims.add_claim, which the Editors group holds). Nothing is stored: the answer
is what `manage.py propose_claims --format json` prints, read by the same functions
(claims.intake.read_article and propose_claims), plus the intake's notes.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.intake import IntakeError, propose_claims, read_article
from registry.precision import Precision


class CanProposeClaims(permissions.BasePermission):
    """Proposing claims is editors' work: it needs claims.add_claim, not just an account."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("claims.add_claim"))


class IntakeRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False, trim_whitespace=False, help_text="The article as plain text."
    )
    html = serializers.CharField(
        required=False, trim_whitespace=False, help_text="Or the article as a saved HTML page."
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    outlet = serializers.CharField(required=False, allow_blank=True, max_length=200)
    published_on = serializers.DateField(
        required=False, allow_null=True, help_text="When the article does not print its date."
    )
    published_precision = serializers.ChoiceField(
        choices=[Precision.DAY, Precision.MONTH, Precision.YEAR], default=Precision.DAY
    )

    def validate_published_on(self, day):
        today = timezone.localdate()
        if day and day > today:
            raise serializers.ValidationError(
                f"{day.isoformat()} is in the future (today is {today.isoformat()})."
            )
        return day

    def validate(self, data: dict) -> dict:
        given = [name for name in ("text", "html") if name in data]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"text": ["Send the article as either `text` or `html` (one of them)."]}
            )
        return data


class IntakeArticleSerializer(serializers.Serializer):
    title = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    published_precision = serializers.CharField(allow_null=True)
    outlet = serializers.CharField()


class IntakeProposalSerializer(serializers.Serializer):
    quote = serializers.CharField()
    kind = serializers.ChoiceField(choices=["forecast", "target", "statistic"])
    statement = serializers.CharField()
    claimant = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    deadline_text = serializers.CharField()
    deadline_precision = serializers.CharField()
    hedge = serializers.CharField()
    hedge_class = serializers.CharField()


class IntakeResponseSerializer(serializers.Serializer):
    article = IntakeArticleSerializer()
    proposals = IntakeProposalSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class IntakeView(APIView):
    """Propose the claims of an article. Stores nothing: an editor reviews and records them."""

    permission_classes = [CanProposeClaims]

    @extend_schema(
        operation_id="intake_propose",
        request=IntakeRequestSerializer,
        responses={200: IntakeResponseSerializer},
    )
    def post(self, request):
        incoming = IntakeRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        field = "text" if "text" in data else "html"
        try:
            article = read_article(
                data[field],
                published_on=data.get("published_on"),
                published_precision=Precision(data["published_precision"]),
                title=data.get("title", ""),
                outlet=data.get("outlet", ""),
            )
        except IntakeError as error:
            raise serializers.ValidationError({field: [str(error)]}) from error
        if field == "html" and article.source != "html":
            raise serializers.ValidationError(
                {"html": ["This is not an HTML page; send plain text as `text`."]}
            )
        result = propose_claims(article)
        return Response({**result.as_dict(), "notes": result.notes})
