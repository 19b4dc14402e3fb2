"""Confirmed work as the worker page shows it: when, how long, and what it pays.

The amount is the one payout accrues for the work (reward plus travel, integer yen, an
hourly reward rounded up to the yen); withholding tax, when the task is of a kind that
has it, is taken later by payout, so such an amount is only expected (よていの 金額).
"""

from dataclasses import dataclass, replace
from datetime import datetime

MINUTES_PER_HOUR = 60


def reward_yen(*, kind: str, rate_yen: int, minutes: int) -> int:
    """Rate × minutes ÷ 60 rounded up when hourly; the rate when fixed (nothing for 0 minutes)."""
    if kind == "hourly":
        return -(-rate_yen * minutes // MINUTES_PER_HOUR)
    return rate_yen if minutes else 0


@dataclass(frozen=True, kw_only=True)
class ConfirmedWork:
    """Work the requester confirmed (検収), with the task's reward rule."""

    started_at: datetime
    finished_at: datetime
    worked_minutes: int
    reward_kind: str
    reward_yen: int
    """Yen per hour when hourly, yen per task when fixed."""
    transport_allowance_yen: int
    withholding_applies: bool

    @property
    def pay_yen(self) -> int:
        """Reward plus travel (travel only when a reward is due), before any withholding."""
        reward = reward_yen(
            kind=self.reward_kind, rate_yen=self.reward_yen, minutes=self.worked_minutes
        )
        return reward + (self.transport_allowance_yen if reward else 0)

    @property
    def travel_yen(self) -> int:
        """The travel allowance inside `pay_yen`."""
        return self.pay_yen - reward_yen(
            kind=self.reward_kind, rate_yen=self.reward_yen, minutes=self.worked_minutes
        )

    def settled_at(self, worked_minutes: int) -> "ConfirmedWork":
        """The same work paid for the minutes a settled dispute agreed on."""
        return replace(self, worked_minutes=worked_minutes)
