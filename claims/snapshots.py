"""Snapshots of evidence pages: what a page said when the registry fetched it, as text.

`snapshot_fields(result)` turns one fetch into a Snapshot's fields: the main text extracted by
trafilatura (menus, scripts and styles never reach it), the title, the final address, a
SHA-256 of the body as it came, or the error that stopped it. The job that takes them is
claims.jobs.snapshots; the intake's `read_article_from_url` keeps the same fields for an
article.
"""

from __future__ import annotations

import hashlib

from claims import fetching

TITLE_MAX = 500


def _extract(body: bytes, content_type: str) -> tuple[str, str]:
    """(title, main text) of an HTML or plain-text body."""
    if content_type == "text/plain":
        text = body.decode("utf-8", errors="replace").strip()
        first_line = text.split("\n", 1)[0].strip()
        return first_line[:TITLE_MAX], text
    import trafilatura

    document = trafilatura.bare_extraction(
        body, include_tables=True, include_comments=False, with_metadata=True, favor_recall=True
    )
    if not document:
        return "", ""
    return ((document.title or "").strip()[:TITLE_MAX], (document.text or "").strip())


def snapshot_fields(result: fetching.FetchResult) -> dict:
    """A Snapshot's fields (all but evidence and taken_at) from a `fetch(url, text_only=True)`."""
    fields = {
        "url": result.url[:2000],
        "final_url": result.final_url[:2000],
        "status_code": result.status_code,
        "content_type": result.content_type[:100],
        "size": result.size,
        "title": "",
        "text": "",
        "sha256": "",
        "error_kind": "",
        "error": "",
    }
    if result.failed:
        return fields | {"error_kind": str(result.error_kind), "error": result.error}
    if not 200 <= (result.status_code or 0) < 300:
        return fields | {
            "error_kind": "status",
            "error": f"the server answered {result.status_code}",
        }
    body = result.body or b""
    fields["sha256"] = hashlib.sha256(body).hexdigest()
    fields["title"], fields["text"] = _extract(body, result.content_type)
    if not fields["text"]:
        fields |= {"error_kind": "no_text", "error": "no text could be read from the page"}
    return fields
