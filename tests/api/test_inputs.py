"""What the API does with input it should not take at face value: numbers out of range, web
addresses that are not public pages, text-direction controls, deeply nested JSON, repeated query
parameters, NUL characters, addresses no route matches; and ETags across renderer parameters."""

from __future__ import annotations

import pytest
from django.test import Client

from api.claims import ClaimViewSet
from claims.models import Claim, Evidence
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def new_claim(**fields) -> dict:
    return {
        "statement": "Robot density reaches 492.",
        "quote": "492 robots per 10,000 workers",
        "kind": "target",
        "article": ArticleFactory().pk,
        "claimant_type": "outlet",
        "deadline_text": "by 2025",
        **fields,
    }


@pytest.mark.parametrize(
    ("probability", "accepted"),
    [("1.5", False), ("1.001", False), ("-0.001", False), ("1", True), ("0", True)],
)
def test_a_probability_out_of_range_is_a_field_error(editor_api, probability, accepted):
    response = editor_api.post("/api/v1/claims/", new_claim(probability=probability), format="json")

    if accepted:
        assert response.status_code == 201, response.json()
        return
    assert response.status_code == 400
    assert list(response.json()) == ["probability"]
    assert not Claim.objects.exists()


def test_a_probability_patched_out_of_range_is_a_field_error(editor_api):
    claim = ClaimFactory()

    response = editor_api.patch(
        f"/api/v1/claims/{claim.id}/", {"probability": "1.5"}, format="json"
    )

    assert response.status_code == 400 and list(response.json()) == ["probability"]


def test_an_evidence_link_in_capitals_is_stored_in_lower_case(editor_api):
    claim = ClaimFactory()

    response = editor_api.post(
        "/api/v1/evidence/",
        {
            "claim": claim.id,
            "url": "HTTP://EXAMPLE.ORG/Report",
            "title": "Report",
            "stance": "supports",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["url"] == "http://example.org/Report"
    assert Evidence.objects.get().url == "http://example.org/Report"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://user:pass@example.org/", "user name and password"),
        ("http://127.0.0.1:8000/admin/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.1.2.3/", "private-network"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://localhost/", "local network"),
    ],
)
def test_an_evidence_link_that_is_not_a_public_page_is_refused_with_the_reason(
    editor_api, url, reason
):
    claim = ClaimFactory()

    response = editor_api.post(
        "/api/v1/evidence/",
        {"claim": claim.id, "url": url, "title": "Report", "stance": "supports"},
        format="json",
    )

    assert response.status_code == 400
    assert reason in " ".join(response.json()["url"])
    assert not Evidence.objects.exists()


def test_a_mixed_script_host_is_stored_and_shown_as_punycode(editor_api):
    evidence = EvidenceFactory()

    response = editor_api.patch(
        f"/api/v1/evidence/{evidence.id}/", {"url": "https://аpple.com/report"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["url"] == "https://xn--pple-43d.com/report"


def test_text_direction_controls_are_refused_in_a_statement_and_an_evidence_title(editor_api):
    claim_response = editor_api.post(
        "/api/v1/claims/", new_claim(statement="Exports \u202erise"), format="json"
    )
    evidence_response = editor_api.post(
        "/api/v1/evidence/",
        {
            "claim": ClaimFactory().id,
            "url": "https://example.org/",
            "title": "A \u2067b\u2069",
            "stance": "context",
        },
        format="json",
    )

    assert claim_response.status_code == 400 and "U+202E" in claim_response.json()["statement"][0]
    assert evidence_response.status_code == 400 and "U+2067" in evidence_response.json()["title"][0]


def test_a_deeply_nested_json_body_is_a_400_not_a_server_error(editor_api):
    body = '{"statement": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = editor_api.generic("POST", "/api/v1/claims/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("fragments", [False, True], ids=["fragments off", "fragments on"])
def test_a_repeated_query_parameter_is_a_400_naming_it(api, fragments, request):
    if fragments:  # a list's shape kept for the query given once must not answer it given twice
        request.getfixturevalue("fragments_on")
    ClaimFactory()

    for _ in range(3):  # its tags start, then it is stored
        once = api.get("/api/v1/claims/?page_size=2&kind=target")  # the last of each below
    repeated = api.get("/api/v1/claims/?page_size=1&page_size=2&kind=forecast&kind=target")
    on_one_claim = api.get(f"/api/v1/claims/{Claim.objects.get().id}/?ordering=id&ordering=-id")

    assert repeated.status_code == 400
    assert set(repeated.json()) == {"page_size", "kind"}
    assert "more than once" in repeated.json()["page_size"][0]
    assert once.status_code == 200
    assert on_one_claim.status_code == 400 and list(on_one_claim.json()) == ["ordering"]


def test_a_nul_character_is_refused_with_an_error_object(api):
    response = api.get("/api/v1/articles/?search=robots%00")

    assert response.status_code == 400
    # An object naming the parameter (the documented shape), not a bare list.
    assert response.json() == {"search": ["Null characters are not allowed."]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/%0A/",
        "/api/v1/claims/1%0A/",
        "/api/v1/claims/é%0A/",
        "/api/nothing/here",
        "/api/redoc/",
    ],
)
def test_every_address_under_api_that_matches_nothing_is_a_json_404(api, path):
    response = api.get(path, follow=True)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_the_reader_sites_404_stays_a_page(api):
    response = api.get("/claims/no-such-claim/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_server_error_under_api_is_json(db, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ClaimViewSet, "list", broken)

    response = Client(raise_request_exception=False).get("/api/v1/claims/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_if_match_accepts_the_etag_of_an_indented_read(editor_api):
    claim = ClaimFactory()
    url = f"/api/v1/claims/{claim.id}/"
    indented = editor_api.get(url, HTTP_ACCEPT="application/json; indent=4")
    compact = editor_api.get(url, HTTP_ACCEPT="application/json")

    response = editor_api.patch(
        url, {"statement": "New."}, format="json", HTTP_IF_MATCH=indented["ETag"]
    )

    assert b"\n    " in indented.content  # it was indented
    assert indented["ETag"] == compact["ETag"]
    assert response.status_code == 200, response.json()


def test_an_indented_read_answers_304_to_the_compact_reads_etag(api):
    claim = ClaimFactory()
    url = f"/api/v1/claims/{claim.id}/"
    etag = api.get(url)["ETag"]

    response = api.get(url, HTTP_ACCEPT="application/json; indent=2", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
