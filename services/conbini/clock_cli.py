"""`conbini clock show|set|advance`: the rehearsal clock of a `conbini up --rehearsal` town.

A rehearsal lives through days in minutes: every process of its town (broker, notify,
payout) reads the offset in `<data dir>/rehearsal-clock.json`, so moving it moves the
whole town's "now" at once. It only moves forward (events must stay in order), and a town
on the real clock has no such file, so its clock cannot be moved at all. Stored events
keep the real time at which they were recorded.

Exit status: 0 done, 1 refused (the real clock, or a move backwards), 2 a malformed time.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from backbone.clock import ClockMovedBackError, FileClock
from conbini.settings import clock_file

TOKYO = ZoneInfo("Asia/Tokyo")
UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
DURATION = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
Out = Callable[[str], None]


def parse_duration(text: str) -> timedelta:
    """`90m`, `3h`, `1d12h`, `2w` → a timedelta.

    Raises:
        ValueError: not a duration of weeks, days, hours, minutes and seconds.
    """
    compact = text.strip().lower().replace(" ", "")
    parts = DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        msg = f"{text!r} is not a duration like 90m, 3h, 1d12h or 2w"
        raise ValueError(msg)
    return sum((timedelta(**{UNITS[unit]: float(number)}) for number, unit in parts), timedelta(0))


def parse_moment(text: str) -> datetime:
    """An ISO date or time; without a timezone it is the council's (Asia/Tokyo).

    Raises:
        ValueError: not an ISO date or time.
    """
    try:
        at = datetime.fromisoformat(text)
    except ValueError as error:
        msg = f"{text!r} is not an ISO time like 2026-12-14T12:00+09:00 (or a date)"
        raise ValueError(msg) from error
    return at if at.tzinfo is not None else at.replace(tzinfo=TOKYO)


def shown(at: datetime) -> str:
    """`2026-12-14 (Mon) 12:00 JST`."""
    local = at.astimezone(TOKYO)
    return f"{local:%Y-%m-%d (%a) %H:%M} JST"


def span(length: timedelta) -> str:
    """`6 days 14:02` (days, hours and minutes)."""
    days, rest = divmod(round(abs(length.total_seconds()) / 60) * 60, 86400)
    return f"{days} days {rest // 3600:02d}:{rest % 3600 // 60:02d}"


def ahead(offset: timedelta) -> str:
    """How far the rehearsal runs ahead of (or behind) the real time, in words."""
    return f"{span(offset)} {'ahead of' if offset >= timedelta(0) else 'behind'} the real time"


def real_clock_message(data_dir: Path) -> str:
    """Why the clock of a town on the real clock does not move."""
    return (
        f"the town in {data_dir} runs on the real clock, which nobody moves; "
        "`conbini clock` moves only a rehearsal's (a town started with `conbini up --rehearsal`)"
    )


def clock_command(
    action: str, value: str | None, data_dir: Path, out: Out = print, err: Out = print
) -> int:
    """Show, set or advance the rehearsal clock in `data_dir`; return the exit status.

    Raises:
        ValueError: a malformed time or duration.
    """
    path = clock_file(data_dir)
    if not path.is_file():
        if action == "show":
            out(f"real clock: {shown(datetime.now(UTC))} ({data_dir} is not a rehearsal)")
            return 0
        err(f"conbini clock: {real_clock_message(data_dir)}")
        return 1
    clock = FileClock(path)
    if action != "show":
        target = (
            parse_moment(str(value))
            if action == "set"
            else clock.now() + parse_duration(str(value))
        )
        try:
            moved = clock.move_to(target)
        except ClockMovedBackError as error:
            err(f"conbini clock: {error}")
            return 1
        out(f"moved the rehearsal clock forward by {span(moved)}")
    out(f"rehearsal clock: {shown(clock.now())} ({ahead(clock.offset())})")
    return 0
