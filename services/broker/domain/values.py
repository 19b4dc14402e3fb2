"""Values of the broker's domain: shifts, places, loads and the seven constraint dimensions.

Times of day are minutes after midnight in Asia/Tokyo, because a worker's availability
("weekdays 9:00–12:00") is a local habit; instants are aware datetimes, stored in UTC.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
MINUTES_PER_DAY = 24 * 60
WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def moment_ja(moment: datetime) -> str:
    """An instant as a coordinator reads it, in Tokyo: 12月9日（水） 9:00."""
    t = moment.astimezone(TOKYO)
    return f"{t.month}月{t.day}日（{WEEKDAYS_JA[t.weekday()]}） {t.hour}:{t.minute:02d}"


def moment_en(moment: datetime) -> str:
    """The same instant in English, in Tokyo: Wed 9 Dec 9:00."""
    t = moment.astimezone(TOKYO)
    return f"{WEEKDAYS_EN[t.weekday()]} {t.day} {MONTHS_EN[t.month - 1]} {t.hour}:{t.minute:02d}"


class Sector(StrEnum):
    """The council's reporting sectors."""

    AGRICULTURE_FORESTRY = "agriculture_forestry"  # 農林業
    TOURISM = "tourism"  # 観光業
    MANUFACTURING = "manufacturing"  # 製造業
    MEDICAL_WELFARE = "medical_welfare"  # 医療・福祉
    DAILY_LIFE_SERVICES = "daily_life_services"  # 生活サービス
    OTHER = "other"  # その他


class RewardKind(StrEnum):
    """Hourly (by actual minutes) or fixed per task."""

    HOURLY = "hourly"
    FIXED = "fixed"


class PhysicalLoad(StrEnum):
    """How demanding a task is, or the most a worker can take."""

    LIGHT = "light"
    MEDIUM = "medium"
    HEAVY = "heavy"

    @property
    def rank(self) -> int:
        """Light < medium < heavy."""
        return {"light": 0, "medium": 1, "heavy": 2}[self.value]


class Travel(StrEnum):
    """How a worker gets to a task."""

    NONE = "none"  # does not travel: home-based tasks only
    WALK = "walk"
    BICYCLE = "bicycle"
    BUS = "bus"
    CAR = "car"


class WorkStyle(StrEnum):
    """With whom, and where, a worker can work."""

    SOLO_ONLY = "solo_only"  # cannot work beside others (e.g. people who withdrew)
    TEAM_OK = "team_ok"
    HOME_ONLY = "home_only"  # cannot leave home (e.g. carers)


@dataclass(frozen=True, order=True)
class DailyWindow:
    """Minutes after midnight (Tokyo) from `start` up to `end`."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            msg = f"a daily window needs 0 <= start < end <= 1440, not {self.start}-{self.end}"
            raise ValueError(msg)

    def covers(self, start: int, end: int) -> bool:
        """Return True when [start, end) lies inside the window."""
        return self.start <= start and end <= self.end

    @property
    def minutes(self) -> int:
        """The window's length."""
        return self.end - self.start


@dataclass(frozen=True)
class Shift:
    """One carved piece of work: where, when, how hard, with whom."""

    starts_at: datetime
    ends_at: datetime
    district: str | None
    """None when home-based."""
    load: PhysicalLoad
    team: bool
    """True when the task is done beside others."""
    skills: frozenset[str] = frozenset()

    @property
    def home_based(self) -> bool:
        """True when the worker does the task at home."""
        return self.district is None

    @cached_property
    def minutes(self) -> int:
        """Planned length."""
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @cached_property
    def local_day(self) -> date:
        """The Tokyo calendar day the shift starts on."""
        return self.starts_at.astimezone(TOKYO).date()

    @cached_property
    def local_span(self) -> tuple[int, int]:
        """Start and end as minutes after Tokyo midnight of `local_day`."""
        midnight = datetime.combine(self.local_day, time(0), tzinfo=TOKYO)
        return (
            int((self.starts_at - midnight).total_seconds() // 60),
            int((self.ends_at - midnight).total_seconds() // 60),
        )

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Return True when the shift shares any moment with [starts_at, ends_at)."""
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True)
class Constraints:
    """A worker's hard limits on the seven dimensions (時間・期間・場所・能力・経験・環境・休日)."""

    weekly: Mapping[int, tuple[DailyWindow, ...]] = field(default_factory=dict)
    """時間: weekday (0 = Monday) → windows when the worker can work."""
    available_from: date | None = None
    """期間: first day the worker can work; None = already."""
    available_until: date | None = None
    """期間: last day; None = open-ended."""
    days_off: frozenset[int] = frozenset()
    """休日: weekdays never worked."""
    holidays_off: bool = True
    """休日: Japanese public holidays are off."""
    dates_off: frozenset[date] = frozenset()
    """休日: single days off, such as hospital days."""
    home_district: str | None = None
    """場所: where the worker lives (None: not given, only home-based work fits)."""
    travel: Travel = Travel.NONE
    max_travel_minutes: int = 0
    max_load: PhysicalLoad = PhysicalLoad.LIGHT
    """能力: the heaviest work the worker can do."""
    style: WorkStyle = WorkStyle.TEAM_OK
    """環境: alone, with others, or at home only."""
    weekly_cap_minutes: int = 20 * 60
    """At most 20 hours a week by default (週20時間)."""
    monthly_cap_days: int = 10
    """At most 10 days a month by default (月10日)."""


@dataclass(frozen=True)
class Booking:
    """A shift a worker holds: assigned, or offered and not yet answered."""

    task_id: object
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> int:
        """Its length."""
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def local_day(self) -> date:
        """The Tokyo day it starts on."""
        return self.starts_at.astimezone(TOKYO).date()


def iso_week(day: date) -> tuple[int, int]:
    """Return (ISO year, ISO week) of a day."""
    year, week, _ = day.isocalendar()
    return year, week


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
