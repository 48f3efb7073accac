"""Bad input gets a clear error (IntakeError) or a clear note, never a crash."""

from __future__ import annotations

import pytest

from claims.intake import MAX_ARTICLE_BYTES, IntakeError, propose_claims, read_article


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", ""])
def test_empty_text_is_refused(data):
    with pytest.raises(IntakeError, match="empty"):
        read_article(data)


def test_a_binary_file_is_refused():
    with pytest.raises(IntakeError, match="binary"):
        read_article(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_text_in_an_unknown_encoding_is_refused_with_a_reason():
    with pytest.raises(IntakeError, match="not UTF-8"):
        read_article("Title\nCafé prices rose 5% in 2024.".encode("latin-1"))


def test_an_html_page_in_its_declared_charset_is_read():
    page = (
        '<html><head><meta charset="latin-1"><title>Café</title></head><body><p>'
        + ("Café prices rose 5% in 2024, according to the ministry of trade. " * 5)
        + "</p></body></html>"
    )
    assert "Café prices" in read_article(page.encode("latin-1")).text


def test_control_characters_mean_binary():
    with pytest.raises(IntakeError, match="binary"):
        read_article(b"Title\n" + b"\x01\x02\x03\x04" * 50)


def test_text_at_the_limit_is_read_and_one_byte_more_is_refused():
    line = b"Output rose 5% in 2024 according to the ministry of industry.\n"
    at_limit = (line * (MAX_ARTICLE_BYTES // len(line) + 1))[:MAX_ARTICLE_BYTES]
    assert len(read_article(at_limit).text) == MAX_ARTICLE_BYTES
    with pytest.raises(IntakeError, match="2 MB"):
        read_article(at_limit + b"x")


def test_html_without_article_text_is_refused():
    with pytest.raises(IntakeError, match="No article text"):
        read_article(
            b"<html><head><script>var x = 1;</script><style>p{}</style></head><body></body></html>"
        )


def test_text_in_another_language_finds_no_claims_and_says_so(fixture_bytes):
    result = propose_claims(read_article(fixture_bytes("german.txt")))
    assert result.proposals == []
    assert any("does not read as English" in note for note in result.notes)
