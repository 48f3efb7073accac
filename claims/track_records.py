"""A track record: how a set of claims turned out, as counted by ClaimQuerySet.track_record()."""

from __future__ import annotations

from dataclasses import dataclass

from claims.models import Verdict


@dataclass(frozen=True)
class TrackRecord:
    total: int
    open: int
    due: int
    correct: int
    partly_correct: int
    incorrect: int
    unresolvable: int
    # Conditional signals among the claims, counted in none of the figures above.
    signals: int = 0

    @property
    def pending(self) -> int:
        """Claims still waiting for a verdict, whether or not their deadline has passed."""
        return self.open + self.due

    @property
    def resolved(self) -> int:
        return self.correct + self.partly_correct + self.incorrect + self.unresolvable

    @property
    def judged(self) -> int:
        # An unresolvable claim was neither right nor wrong, so it does not count either way.
        return self.correct + self.partly_correct + self.incorrect

    @property
    def share_correct(self) -> float | None:
        """Correct claims among those judged; None until something has been judged."""
        return self.correct / self.judged if self.judged else None

    @property
    def verdicts(self) -> list[tuple[str, str, int]]:
        """(value, label, count) for each verdict, in the order readers expect."""
        return [(v.value, v.label, getattr(self, v.value)) for v in Verdict]
