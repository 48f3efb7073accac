"""Articles from a URL: fetch the page safely, then read it like a saved page.

`read_article_from_url(url)` is the intake's way in for an address instead of pasted text or an
uploaded file. It fetches with the project's one fetcher (`claims.fetching.fetch`, `text_only`:
public addresses only, checked on every redirect, timeouts, and the intake's own size cap), reads
the page with `read_article` (trafilatura for the text and title, htmldate for the date), and
returns the article with the address it came from and where it ended up, plus the fields of a
`Snapshot` (text, title, final URL, SHA-256 of the body) so that the caller can keep what the
page said when it was read. It stores nothing: the intake's review page decides what to keep.

Every failure is an `IntakeError` whose message says why, for an editor to read: a private
address ("… resolves to 10.0.0.5, a private address"), a page that is not HTML or text, one
over the size cap, an error status, a timeout, a TLS failure, a redirect loop.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from claims import fetching
from claims.intake.reading import MAX_ARTICLE_BYTES, Article, IntakeError, read_article
from claims.validators import normalize_web_address
from registry.precision import Precision


@dataclass
class ArticleFromURL:
    """An article read from the web, with where it came from and what the page said."""

    article: Article
    url: str  # as given (normalised)
    final_url: str  # after redirects: the address to keep as the article's
    fetched_at: datetime.datetime
    snapshot: dict  # a Snapshot's fields: url, final_url, status_code, content_type, size,
    # title, text, sha256 (and error_kind, error: empty here, since a failure raises)


def read_article_from_url(
    url: str,
    *,
    published_on: datetime.date | None = None,
    published_precision: Precision = Precision.DAY,
    title: str = "",
    outlet: str = "",
    today: datetime.date | None = None,
    fetch: Callable[..., fetching.FetchResult] = fetching.fetch,
) -> ArticleFromURL:
    """Fetch the page at `url` and read it (see the module's docstring). What the editor gives
    (`published_on`, `title`, `outlet`) wins over what is read, as in `read_article`.
    Raises IntakeError, saying why, when the address or the page cannot be used."""
    # The fetcher refuses what must not be fetched (schemes, private addresses), and says why.
    url = normalize_web_address(url)
    result = fetch(url, text_only=True, max_bytes=MAX_ARTICLE_BYTES, resolve=fetching.resolve_host)
    if result.failed:
        raise IntakeError(f"The page could not be fetched: {result.error}.")
    if not 200 <= (result.status_code or 0) < 300:
        raise IntakeError(
            f"The page could not be fetched: the server answered {result.status_code}."
        )
    body = result.body or b""
    article = read_article(
        body,
        published_on=published_on,
        published_precision=published_precision,
        title=title,
        outlet=outlet,
        today=today,
    )
    snapshot = {
        "url": result.url,
        "final_url": result.final_url,
        "status_code": result.status_code,
        "content_type": result.content_type,
        "size": result.size,
        "title": article.title,
        "text": article.text,
        "sha256": hashlib.sha256(body).hexdigest(),
        "error_kind": "",
        "error": "",
    }
    return ArticleFromURL(
        article=article,
        url=url,
        final_url=result.final_url,
        fetched_at=timezone.now(),
        snapshot=snapshot,
    )
