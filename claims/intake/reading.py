"""Read an article from what an editor gives: plain text or a saved HTML page.

Plain text reads naturally when its first line is the title and a line near it prints the date.
From HTML, trafilatura takes the main text and the title (scripts, styles, menus and footers
never reach the text), and htmldate reads the date from the page's metadata; a date printed near
the title is the fallback. Bad input raises an `IntakeError` whose message says what is wrong.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone

from claims.intake.dates import find_printed_date
from registry.precision import Precision

MAX_ARTICLE_BYTES = 2 * 1024 * 1024


class IntakeError(ValueError):
    """An article that cannot be read; the message is shown to editors verbatim."""


@dataclass
class Article:
    """An article as read: its text (verbatim, the quotes' source) and what it says of itself."""

    text: str
    title: str = ""
    outlet: str = ""
    published_on: datetime.date | None = None
    published_precision: Precision = Precision.DAY
    source: str = "text"  # "text" or "html"
    notes: list[str] = field(default_factory=list)
    # Offsets in `text` of the title line and of the date line, which are not body text.
    title_span: tuple[int, int] | None = None
    date_span: tuple[int, int] | None = None


_HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<!--)", re.I)
# Lines at the top of a page that are chrome, not its title.
_CHROME = re.compile(
    r"^(?:skip to (?:main )?content|menu|home|search|share|print|subscribe|sign in|log in"
    r"|advertisement|contents?|table of contents|.*\d+\s*min(?:ute)?s? read)$",
    re.I,
)
_SHOUTED_NAME = re.compile(r"^[A-Z][A-Z&.'\- ]{1,40}$")  # "MERICS", "THE ROBOTICS BRIEFING"
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?([A-Z][\w&.'\- ]{1,60}?)\s*(?:\.|\||$)", re.I
)
_PUBLISHER_LABEL = re.compile(r"^(?:publisher|published by|source)\s*:?\s*(.*)$", re.I)


def decode(data: bytes | str) -> tuple[str, bool]:
    """The text of a file and whether it is HTML. Raises IntakeError for empty, binary, too big."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > MAX_ARTICLE_BYTES:
        raise IntakeError(
            f"The article is {len(raw):,} bytes; the most that can be read is "
            f"{MAX_ARTICLE_BYTES:,} bytes (2 MB). "
            "Paste the article's text rather than the whole page."
        )
    if not raw.strip():
        raise IntakeError("The article is empty: there is no text to read.")
    if b"\x00" in raw[:8192]:
        raise IntakeError("This is a binary file, not text or an HTML page.")
    is_html = bool(_HTML_START.match(raw[:2048]))
    if isinstance(data, str):
        text = data
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            charset = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", raw[:4096], re.I)
            try:
                text = raw.decode(charset[1].decode() if charset else "", errors="strict")
            except (LookupError, UnicodeDecodeError):
                raise IntakeError(
                    "This file is not UTF-8 text (is it a binary file, or text in another "
                    "encoding?). Save it as UTF-8 text or HTML and try again."
                ) from None
    controls = sum(1 for char in text[:8192] if ord(char) < 32 and char not in "\t\n\r\f")
    if controls > len(text[:8192]) // 100:
        raise IntakeError("This is a binary file, not text or an HTML page.")
    if not is_html and re.match(r"\s*<(?:!doctype|html)\b", text[:2048], re.I):
        is_html = True
    return text, is_html


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    lines, position = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            lines.append((position, line.rstrip("\r\n")))
        position += len(line)
    return lines


def _outlet_from_text(lines: list[tuple[int, str]]) -> str:
    for _offset, line in lines[:6]:
        stripped = line.strip()
        if (
            _SHOUTED_NAME.match(stripped)
            and len(stripped.split()) <= 4
            and not _CHROME.match(stripped)
        ):
            return stripped
    for index, (_offset, line) in enumerate(lines):
        if label := _PUBLISHER_LABEL.match(line.strip()):
            name = label[1] or (lines[index + 1][1] if index + 1 < len(lines) else "")
            return name.split("|")[0].strip()
    for _offset, line in reversed(lines[-15:]):
        if match := _COPYRIGHT.search(line):
            return match[1].strip()
    return ""


def _head(article: Article, printed_lines: list[tuple[int, str]]) -> None:
    """Title, outlet and date from the first lines of the text."""
    date = find_printed_date([line for _offset, line in printed_lines])
    if date:
        offset, line = printed_lines[date.line]
        article.date_span = (offset, offset + len(line))
        if article.published_on is None:
            article.published_on, article.published_precision = date.date, date.precision
            article.notes.append(f'Publication date read from "{line.strip()}".')
    if not article.outlet:
        article.outlet = _outlet_from_text(printed_lines)
    for number, (offset, line) in enumerate(printed_lines[:8]):
        stripped = line.strip()
        if date and number == date.line or _CHROME.match(stripped):
            continue
        if stripped == article.outlet and _SHOUTED_NAME.match(stripped):
            continue
        if len(stripped) <= 300:
            article.title_span = (offset, offset + len(line))
            article.title = article.title or stripped
        break


def read_article(
    data: bytes | str,
    *,
    published_on: datetime.date | None = None,
    published_precision: Precision = Precision.DAY,
    title: str = "",
    outlet: str = "",
    today: datetime.date | None = None,
) -> Article:
    """Read an article's text, title, outlet and publication date from plain text or HTML.

    What the editor gives (``published_on``, ``title``, ``outlet``) wins over what is read. A
    printed date after ``today`` is not believed: it is dropped, with a note. Raises
    IntakeError for empty, binary or oversized input, and for an editor's date in the future.
    """
    today = today or timezone.localdate()
    if published_on and published_on > today:
        raise IntakeError(
            f"The publication date {published_on.isoformat()} is in the future (today is "
            f"{today.isoformat()})."
        )
    text, is_html = decode(data)
    article = Article(
        text="",
        title=title.strip(),
        outlet=outlet.strip(),
        published_on=published_on,
        published_precision=Precision(published_precision),
    )
    if published_on:
        article.notes.append("Publication date given by the editor.")
    if is_html:
        _read_html(text, article)
    else:
        article.text = text
    if not article.text.strip():
        raise IntakeError("No article text was found in this page.")
    _head(article, _lines_with_offsets(article.text))
    if article.published_on and article.published_on > today and not published_on:
        article.notes.append(
            f"The date printed near the title ({article.published_on.isoformat()}) is in the "
            "future, so it is not taken as the publication date. Enter the publication date."
        )
        article.published_on, article.published_precision = None, Precision.DAY
    if article.published_on is None:
        article.notes.append(
            'No publication date found: enter it, and horizons such as "within two years" '
            "will be read from it."
        )
    if not article.title:
        article.notes.append("No title found.")
    return article


def _read_html(html: str, article: Article) -> None:
    import htmldate
    import trafilatura

    document = trafilatura.bare_extraction(
        html, include_tables=True, include_comments=False, with_metadata=True, favor_recall=True
    )
    article.source = "html"
    article.text = (document.text if document else "") or ""
    if not article.title and document and document.title:
        article.title = document.title.strip()
    if not article.outlet and document and document.sitename:
        article.outlet = document.sitename.strip()
    if article.published_on is None:
        found = htmldate.find_date(html, extensive_search=False, original_date=True)
        if found:
            article.published_on = datetime.date.fromisoformat(found)
            article.published_precision = Precision.DAY
            article.notes.append("Publication date read from the page's metadata.")
