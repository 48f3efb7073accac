"""A claim's quote is a verbatim part of its article's text, when the registry keeps that text.

Verbatim after normalising what copying text changes without changing its words: runs of
whitespace (line breaks, non-breaking spaces), typographic quotes and apostrophes, and dashes.
Case, spelling and punctuation otherwise count.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

_TIDY = str.maketrans(
    {
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‘’‚‛′`", "'"),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        "\u00ad": None,  # a soft hyphen is invisible in the text it was copied from
        "\u200b": None,
    }
)
_SPACE = re.compile(r"\s+")
_SHOWN_WORDS = 6


def normalize(text: str) -> str:
    """Text as compared: NFC, one kind of quote, apostrophe and dash, single spaces."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).translate(_TIDY)).strip()


def quote_mismatch(quote: str, text: str) -> str:
    """Empty when ``quote`` is a verbatim part of ``text``; otherwise a message for the editor
    naming the first words of the quote that the text does not continue with."""
    wanted, source = normalize(quote), normalize(text)
    if not wanted or wanted in source:
        return ""
    words = wanted.split(" ")
    # The longest run of the quote's first words found in the text (a prefix found implies
    # every shorter prefix is found, so a binary search finds it).
    low, high = 0, len(words)
    while low < high:
        middle = (low + high + 1) // 2
        if " ".join(words[:middle]) in source:
            low = middle
        else:
            high = middle - 1
    differing = " ".join(words[low : low + _SHOWN_WORDS])
    if low == 0:
        return (
            f'The quote is not in the article\'s text: it opens with "{differing}", which the '
            "article does not contain. Copy the quote from the article's text."
        )
    matched = " ".join(words[:low])
    after = source[source.index(matched) + len(matched) :].lstrip()
    where = " ".join(after.split(" ")[:_SHOWN_WORDS])
    return (
        f"The quote is not in the article's text: it follows the article up to \""
        f'{" ".join(words[max(0, low - _SHOWN_WORDS) : low])}", then has "{differing}" where '
        f'the article has "{where or "(the end of the text)"}". Copy the quote from the '
        "article's text."
    )


def check_quote(quote: str, article) -> None:
    """Raise a ValidationError on ``quote`` when the article keeps its text and the quote is
    not a verbatim part of it. An article without text (typed in before intake kept texts)
    checks nothing."""
    text = getattr(article, "source_text", "") if article is not None else ""
    if not text:
        return
    if message := quote_mismatch(quote or "", text):
        raise ValidationError({"quote": [message]})
