"""Article intake: from an article's text to the claims it makes, proposed for an editor.

Plain functions and dataclasses, no models: `read_article` reads text or a saved HTML page,
`propose_claims` proposes its claims. The admin review, the API and `manage.py propose_claims`
all call these two.
"""

from __future__ import annotations

from claims.intake.proposals import IntakeResult, Proposal, propose_claims
from claims.intake.reading import MAX_ARTICLE_BYTES, Article, IntakeError, read_article

__all__ = [
    "MAX_ARTICLE_BYTES",
    "Article",
    "IntakeError",
    "IntakeResult",
    "Proposal",
    "propose_claims",
    "read_article",
]
