"""`manage.py propose_claims FILE [--published] [--format json|text]`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.claims.intake.conftest import FIXTURES


def run(*args) -> str:
    out = StringIO()
    call_command("propose_claims", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_has_exactly_the_documented_shape():
    data = json.loads(run(str(FIXTURES / "multi_claim.txt"), "--format", "json"))
    assert list(data) == ["article", "proposals"]
    assert list(data["article"]) == ["title", "published_on", "published_precision", "outlet"]
    assert data["article"] == {
        "title": "Growth outlook",
        "published_on": "2025-02-10",
        "published_precision": "day",
        "outlet": "",
    }
    assert len(data["proposals"]) == 4
    for proposal in data["proposals"]:
        assert list(proposal) == [
            "quote",
            "kind",
            "statement",
            "claimant",
            "deadline",
            "deadline_text",
            "deadline_precision",
            "hedge",
            "hedge_class",
        ]
    assert data["proposals"][0]["deadline"] == "2030-12-31"
    assert data["proposals"][0]["deadline_precision"] == "year"


def test_published_gives_the_date_when_the_article_prints_none():
    data = json.loads(
        run(str(FIXTURES / "dates_none.txt"), "--published", "2024-03-10", "--format", "json")
    )
    assert data["article"]["published_on"] == "2024-03-10"
    assert data["proposals"][0]["deadline"] == "2026-03-10"


def test_no_date_is_null_in_json():
    data = json.loads(run(str(FIXTURES / "dates_none.txt"), "--format", "json"))
    assert data["article"]["published_on"] is None
    assert data["article"]["published_precision"] is None
    assert data["proposals"][0]["deadline"] is None


def test_html_files_are_read_too():
    data = json.loads(run(str(FIXTURES / "page.html"), "--format", "json"))
    assert data["article"]["outlet"] == "Energy Desk"
    assert "SCRIPTTEXT" not in json.dumps(data)


def test_the_text_format_is_a_readable_table():
    out = run(str(FIXTURES / "list_horizon.txt"))
    assert "Title:     The national energy plan" in out
    assert "Published: 2024-03-01, to the day" in out
    assert "3 proposals" in out
    assert "target     2028-12-31  for 2028" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--published", "2024-02-30"], "is not a date"),
        (["--published", "2999-01-01"], "in the future"),
    ],
)
def test_bad_arguments_are_clear_errors(args, message):
    with pytest.raises(CommandError, match=message):
        run(str(FIXTURES / "dates_none.txt"), *args)


def test_a_missing_file_and_an_empty_file_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "nothing.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        run(str(empty))
