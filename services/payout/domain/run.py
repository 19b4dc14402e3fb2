"""A payout run: one closed period of one council, its transfers and the bank's answers.

Its id is derived from the council and the period, so closing the same period again finds
the same run and pays nothing twice. Each line is one worker's transfer (the sum of their
payable rewards); the bank's answer per line settles its rewards as paid or failed.
"""

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


def run_id(tenant: str, period: str) -> UUID:
    """One run per council and period."""
    return uuid5(NAMESPACE_URL, f"conbini:payout-run:{tenant}:{period}")


class RunStateError(ValueError):
    """The run cannot do this (an unknown line, a line settled twice differently …)."""


class PayoutRun(Aggregate):
    """One period's payout."""

    class Closed(Aggregate.Created):
        """The accountant closed the period: its payable rewards became transfers."""

        tenant: str
        period: str
        period_start: date
        period_end: date
        pay_on: date
        lines: list[dict[str, Any]]
        """`{"line": n, "worker_id", "amount", "reward_ids": [...], "file": k}` per transfer."""
        skipped: list[dict[str, Any]]
        """`{"worker_id", "amount", "reason"}`: payable but not transferable (no account …)."""
        withholding: int
        reward_count: int

    class LineSettled(Aggregate.Event):
        """The bank's answer for one line."""

        line: int
        ok: bool
        reason: str

    @event(Closed)
    def __init__(  # noqa: PLR0913 - one parameter per fact of the close
        self,
        *,
        id: UUID,  # noqa: A002 - run_id(tenant, period)
        tenant: str,
        period: str,
        period_start: date,
        period_end: date,
        pay_on: date,
        lines: list[dict[str, Any]],
        skipped: list[dict[str, Any]],
        withholding: int,
        reward_count: int,
    ) -> None:
        del id
        self.tenant, self.period = tenant, period
        self.period_start, self.period_end, self.pay_on = period_start, period_end, pay_on
        self.lines = lines
        self.skipped = skipped
        self.withholding, self.reward_count = withholding, reward_count
        self.settled: dict[int, tuple[bool, str]] = {}

    @property
    def total(self) -> int:
        """Yen in all transfers."""
        return sum(int(line["amount"]) for line in self.lines)

    def line(self, number: int) -> dict[str, Any]:
        """One line.

        Raises:
            RunStateError: no such line.
        """
        for found in self.lines:
            if found["line"] == number:
                return found
        msg = f"run {self.period} has no line {number}"
        raise RunStateError(msg)

    def settle(self, number: int, *, ok: bool, reason: str = "") -> bool:
        """Record the bank's answer for a line once; False when the same answer came before.

        Raises:
            RunStateError: no such line, or a different answer was recorded already.
        """
        self.line(number)
        if number in self.settled:
            if self.settled[number][0] == ok:
                return False
            before = "paid" if self.settled[number][0] else "failed"
            msg = f"line {number} was already settled as {before}"
            raise RunStateError(msg)
        self._line_settled(line=number, ok=ok, reason=reason[:200])
        return True

    @event(LineSettled)
    def _line_settled(self, *, line: int, ok: bool, reason: str) -> None:
        self.settled[line] = (ok, reason)
