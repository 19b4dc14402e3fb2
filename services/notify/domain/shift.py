"""When a worker may press はじめる and おわる: the broker's check-in window, applied here too.

The broker refuses a check-in outside [start − `CHECK_IN_EARLY`, end] and drops a check-out
before the shift's start; notify applies the same rule, so the page never says
「はじめました」 for a check-in the broker would refuse.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

CHECK_IN_EARLY = timedelta(minutes=60)
"""How long before the shift's start a check-in is accepted; the broker's own value
(`broker.domain.task.CHECK_IN_EARLY`, which a test keeps equal)."""


class Step(StrEnum):
    """What a check-in or check-out from the page did."""

    RECORDED = "recorded"
    REPEATED = "repeated"  # recorded before (or the broker recorded the start): nothing new
    ENDED = "ended"  # confirmed, cancelled or no longer theirs: nothing recorded
    TOO_EARLY = "too_early"  # before the window opens: nothing recorded
    TOO_LATE = "too_late"  # after the window closed: nothing recorded


@dataclass(frozen=True, kw_only=True)
class Shift:
    """The times of one assigned task, and what they allow."""

    starts_at: datetime
    ends_at: datetime | None
    """None for jobs recorded before notify kept the end (then only the start is checked)."""

    @property
    def check_in_opens_at(self) -> datetime:
        """The first moment a check-in is accepted."""
        return self.starts_at - CHECK_IN_EARLY

    def check_in_step(self, at: datetime) -> Step | None:
        """TOO_EARLY or TOO_LATE when a check-in at `at` is outside the window, else None."""
        if at < self.check_in_opens_at:
            return Step.TOO_EARLY
        if self.ends_at is not None and at > self.ends_at:
            return Step.TOO_LATE
        return None

    def check_out_step(self, at: datetime) -> Step | None:
        """TOO_EARLY when a check-out at `at` comes before the shift's start, else None."""
        return Step.TOO_EARLY if at < self.starts_at else None
