"""Periods (月末締め: calendar months in Asia/Tokyo), pay days and the 60-day deadline."""

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD = re.compile(r"^(2[01]\d{2})-(0[1-9]|1[0-2])$")
FREELANCE_ACT_DAYS = 60


@dataclass(frozen=True, order=True)
class Period:
    """One closing period: a calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        """`2026-03` → Period(2026, 3).

        Raises:
            ValueError: not YYYY-MM.
        """
        found = PERIOD.match(text)
        if not found:
            msg = f"a period is YYYY-MM (2000 to 2199), not {text!r}"
            raise ValueError(msg)
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> "Period":
        """The period a day falls in."""
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        """First day."""
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """Last day (the 締め日)."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> "Period":
        """The following month."""
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        """YYYY-MM."""
        return f"{self.year:04d}-{self.month:02d}"


def business_day_on_or_before(day: date, is_holiday: Callable[[date], bool]) -> date:
    """The day itself, or the last bank business day before it (no weekends, no holidays)."""
    while day.weekday() >= 5 or is_holiday(day):  # noqa: PLR2004 - Saturday
        day -= timedelta(days=1)
    return day


def pay_day(period: Period, day_of_next_month: int, is_holiday: Callable[[date], bool]) -> date:
    """When a period is paid: a day of the next month (0 = its last), on a business day.

    A day that falls on a weekend or a holiday moves earlier to the last business day.
    """
    following = period.next()
    last = following.end.day
    wanted = last if day_of_next_month <= 0 else min(day_of_next_month, last)
    return business_day_on_or_before(date(following.year, following.month, wanted), is_holiday)


def pay_by(received_on: date) -> date:
    """The フリーランス法 deadline: 60 days after the work was received."""
    return received_on + timedelta(days=FREELANCE_ACT_DAYS)
