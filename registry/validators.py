"""Checks on what editors type that every path applies (admin, API, seed loader, full_clean)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

# Explicit embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a one-line
# field they can make a title or statement display in another order than it is stored and
# searched ("Trojan Source"), and they leak their direction into the text around them.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def validate_no_bidi_controls(value: str) -> None:
    """Refuse invisible text-direction controls, naming those found."""
    found = sorted({f"U+{ord(ch):04X}" for ch in str(value) if ch in BIDI_CONTROLS})
    if found:
        raise ValidationError(
            "Remove the invisible text-direction characters (%(found)s): they make the text "
            "display in a different order than it is written.",
            code="bidi_control",
            params={"found": ", ".join(found)},
        )
