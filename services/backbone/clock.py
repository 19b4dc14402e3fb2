"""Where `now` comes from: the system clock in production, a fixed one in tests."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the time (aware, UTC)."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that moves only when told to (tests, simulations)."""

    at: datetime = field(default_factory=lambda: datetime(2026, 10, 1, tzinfo=UTC))

    def now(self) -> datetime:
        """The set instant."""
        return self.at

    def advance(self, by: timedelta) -> None:
        """Move the clock forward."""
        self.at += by


@dataclass
class OffsetClock:
    """The system clock moved by a fixed offset: `conbini demo` replays a past month with it.

    Only for simulations (`CONBINI_CLOCK_OFFSET_DAYS`); stored events keep the real time.
    """

    offset: timedelta

    def now(self) -> datetime:
        """The shifted instant."""
        return datetime.now(UTC) + self.offset


def clock_from_env(env: Mapping[str, str]) -> Clock:
    """The system clock, or an offset one when `CONBINI_CLOCK_OFFSET_DAYS` is set."""
    days = float(env.get("CONBINI_CLOCK_OFFSET_DAYS", "0") or "0")
    return OffsetClock(timedelta(days=days)) if days else SystemClock()
