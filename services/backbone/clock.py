"""Where `now` comes from: the system clock in production, a fixed one in tests."""

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
