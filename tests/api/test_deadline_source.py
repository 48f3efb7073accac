"""Whose deadline it is, and conditional signals, in the API (issue 14)."""

from __future__ import annotations

import pytest

from claims.models import Claim, DeadlineSource
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_a_claim_says_whose_deadline_it_is_and_whether_it_is_a_signal(client):
    claim = ClaimFactory(
        deadline_text="",
        deadline_source=DeadlineSource.REGISTRY,
        deadline_reason="the plan runs to 2027",
        conditional=True,
    )

    body = client.get(f"/api/v1/claims/{claim.pk}/").json()

    assert (body["deadline_source"], body["deadline_reason"], body["conditional"]) == (
        "registry",
        "the plan runs to 2027",
        True,
    )


def test_an_editor_records_a_registry_reading_with_its_reason(editor_api):
    claim = ClaimFactory(deadline_text="")

    response = editor_api.patch(
        f"/api/v1/claims/{claim.pk}/",
        {"deadline_source": "registry", "deadline_reason": "the plan runs to 2027"},
        format="json",
    )

    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert (claim.deadline_source, claim.deadline_reason) == ("registry", "the plan runs to 2027")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"deadline_source": "registry"}, "says why"),
        ({"deadline_source": "guess", "deadline_reason": "why not"}, None),
        (
            {"deadline_source": "article", "deadline": None, "deadline_text": ""},
            "Only a claim with a deadline",
        ),
    ],
)
def test_a_deadline_source_that_cannot_hold_is_refused_and_nothing_changes(
    editor_api, body, message
):
    claim = ClaimFactory(deadline_text="")

    response = editor_api.patch(f"/api/v1/claims/{claim.pk}/", body, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()
    if message:
        assert message in " ".join(errors["non_field_errors"])
    else:
        assert "deadline_source" in errors
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.deadline_source, stored.deadline_reason, stored.version) == ("", "", 1)
