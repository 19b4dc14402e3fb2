"""Where `now` comes from: the system clock in production, a fixed one in tests."""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

CLOCK_FILE_VARIABLE = "CONBINI_CLOCK_FILE"
"""Names a rehearsal clock's file (`conbini up --rehearsal` sets it for every process)."""


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
    """The system clock moved by a fixed offset.

    Only for simulations (`CONBINI_CLOCK_OFFSET_DAYS`); stored events keep the real time.
    """

    offset: timedelta

    def now(self) -> datetime:
        """The shifted instant."""
        return datetime.now(UTC) + self.offset


class ClockMovedBackError(ValueError):
    """A rehearsal clock may only move forward: events must stay in order."""


def read_offset(path: Path) -> timedelta:
    """The offset a rehearsal clock's file holds (zero when there is no file yet).

    Raises:
        ValueError: the file is not a rehearsal clock's.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return timedelta(0)
    try:
        return timedelta(seconds=float(json.loads(text)["offset_seconds"]))
    except (ValueError, KeyError, TypeError) as error:
        msg = f"{path} is not a rehearsal clock (expected {{'offset_seconds': …}})"
        raise ValueError(msg) from error


def write_offset(path: Path, offset: timedelta) -> None:
    """Replace the file atomically, so every reader sees the old offset or the new one."""
    simulated = datetime.now(UTC) + offset
    body = {
        "offset_seconds": offset.total_seconds(),
        "simulated_at_write": simulated.isoformat(timespec="seconds"),
        "note": "a rehearsal clock: services read now = real time + offset_seconds",
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


@dataclass
class FileClock:
    """The system clock moved by the offset in a file that a rehearsal moves forward.

    Every process of a rehearsal town reads the same file, so broker, notify and payout
    agree on the day. Only for simulations and rehearsals (`CONBINI_CLOCK_FILE`); stored
    events keep the real time. The file is read again only when it changed (its inode,
    size or mtime), so asking the time costs one `stat`.
    """

    path: Path
    _seen: tuple[int, int, int] | None = field(default=None, init=False, repr=False)
    _offset: timedelta = field(default=timedelta(0), init=False, repr=False)

    def offset(self) -> timedelta:
        """The file's offset, re-read when the file changed (the last one if it vanished)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return self._offset
        seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if seen != self._seen:
            self._offset = read_offset(self.path)
            self._seen = seen
        return self._offset

    def now(self) -> datetime:
        """The rehearsal's instant."""
        return datetime.now(UTC) + self.offset()

    def move_to(self, at: datetime) -> timedelta:
        """Set the rehearsal's instant; return how far it moved.

        Raises:
            ClockMovedBackError: `at` is before the rehearsal's now.
            ValueError: `at` has no timezone.
        """
        if at.tzinfo is None:
            msg = "the time needs a timezone, e.g. 2026-12-14T12:00+09:00"
            raise ValueError(msg)
        self._seen = None  # read the file afresh: another process may have moved it
        before = self.now()
        if at < before:
            shown = before.astimezone(at.tzinfo).isoformat(timespec="minutes")
            msg = (
                f"the rehearsal clock is at {shown}; it never moves back "
                f"(events must stay in order), so not to {at.isoformat()}"
            )
            raise ClockMovedBackError(msg)
        write_offset(self.path, at - datetime.now(UTC))
        self._seen = None
        return at - before


def clock_from_env(env: Mapping[str, str]) -> Clock:
    """The system clock, or a simulation's: the file wins over the fixed offset.

    A rehearsal's `FileClock` when `CONBINI_CLOCK_FILE` names one; an `OffsetClock` when
    `CONBINI_CLOCK_OFFSET_DAYS` is set.
    """
    if path := env.get(CLOCK_FILE_VARIABLE, ""):
        return FileClock(Path(path))
    days = float(env.get("CONBINI_CLOCK_OFFSET_DAYS", "0") or "0")
    return OffsetClock(timedelta(days=days)) if days else SystemClock()
