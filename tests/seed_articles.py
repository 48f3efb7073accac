"""Where tests find the five source articles of the seed registry.

They live outside the repository (settings.SEED_ARTICLES_DIR, by default ../shared/articles), so
a user's plain clone does not have them. Outside CI a test that needs them is skipped with the
reason; under CI (the CI variable set) it fails instead, so a green CI run always means it ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

# The seed registry as it was before issue 14 read the articles again (an installation loaded
# from it is what seed_registry must bring up to date).
SEED_BEFORE_ISSUE_14 = (
    Path(__file__).resolve().parent / "fixtures" / "registry_before_issue_14.yaml"
)


def seed_articles_dir() -> Path:
    """The folder of the seed articles, or skip (fail under CI) when it is not there."""
    folder = Path(settings.SEED_ARTICLES_DIR)
    if folder.is_dir() and any(folder.iterdir()):
        return folder
    reason = (
        f"The seed registry's source articles are not in {folder} (a plain clone has no "
        "../shared; set SEED_ARTICLES_DIR to where they are)."
    )
    if os.environ.get("CI"):
        pytest.fail(f"{reason} CI must run this test.", pytrace=False)
    pytest.skip(reason)
