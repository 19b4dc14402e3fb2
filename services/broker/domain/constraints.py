"""Hard filters: does a shift break any of a worker's constraints? Never a soft hint."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from broker.domain.values import Booking, Constraints, Shift, Travel, WorkStyle, iso_week

SAME_DISTRICT_CAR_MINUTES = 10
MODE_FACTOR = {Travel.CAR: 1.0, Travel.BUS: 2.0, Travel.BICYCLE: 2.5, Travel.WALK: 5.0}
"""How much longer than by car a trip takes (bus includes waiting)."""


class Broken(StrEnum):
    """A constraint a shift would break, named for the coordinator and the auditor."""

    PAUSED = "paused"  # the worker paused their registration
    PERIOD = "period"  # outside the period the worker is available
    DAY_OFF = "day_off"  # a weekday off, a date off, or a public holiday off
    HOURS = "hours"  # not inside the worker's weekly availability windows
    PLACE = "place"  # the worker works at home only, or lives nowhere known
    TRAVEL = "travel"  # too far for the worker's way of travelling
    SKILLS = "skills"  # a required skill is missing
    LOAD = "load"  # heavier than the worker can do
    SOLO = "solo"  # a team task for someone who must work alone
    WEEKLY_CAP = "weekly_cap"  # over the worker's weekly minutes (週20時間)
    MONTHLY_CAP = "monthly_cap"  # over the worker's days a month (月10日)
    OVERLAP = "overlap"  # the worker already holds a task at that time


@dataclass(frozen=True)
class Places:
    """Car minutes between districts; other ways of travel are slower by a fixed factor."""

    car_minutes: Mapping[frozenset[str], int] = field(default_factory=dict)

    def districts(self) -> set[str]:
        """Every district the table knows."""
        return {name for pair in self.car_minutes for name in pair}

    def travel_minutes(self, home: str, district: str, travel: Travel) -> int | None:
        """Minutes from home to the district by `travel`; None when unknown or impossible."""
        if travel is Travel.NONE:
            return None
        if home == district:
            car = SAME_DISTRICT_CAR_MINUTES
        else:
            found = self.car_minutes.get(frozenset((home, district)))
            if found is None:
                return None
            car = found
        return round(car * MODE_FACTOR[travel])


@dataclass(frozen=True)
class Candidate:
    """What matching knows of one registered worker at one moment."""

    worker_id: object
    constraints: Constraints
    skills: frozenset[str]
    bookings: tuple[Booking, ...] = ()
    """Tasks assigned to the worker and offers awaiting their answer."""
    paused: bool = False
    recent_minutes: int = 0
    """Minutes worked and offered in the last 28 days (fairness)."""
    preferred_work_types: frozenset[str] = frozenset()


def broken_by(
    shift: Shift,
    candidate: Candidate,
    *,
    is_holiday: Callable[[object], bool],
    places: Places,
    ignore_task: object | None = None,
) -> list[Broken]:
    """Return every constraint of `candidate` that `shift` breaks (empty: it fits).

    `ignore_task` leaves the task being decided out of the worker's bookings (an offer of
    that very task is not an overlap with itself).
    """
    c = candidate.constraints
    day = shift.local_day
    broken: list[Broken] = []
    if candidate.paused:
        broken.append(Broken.PAUSED)
    if (c.available_from and day < c.available_from) or (
        c.available_until and day > c.available_until
    ):
        broken.append(Broken.PERIOD)
    if day.weekday() in c.days_off or day in c.dates_off or (c.holidays_off and is_holiday(day)):
        broken.append(Broken.DAY_OFF)
    if not covers_hours(shift, c):
        broken.append(Broken.HOURS)
    broken += place_broken(shift, c, places)
    if not shift.skills <= candidate.skills:
        broken.append(Broken.SKILLS)
    if shift.load.rank > c.max_load.rank:
        broken.append(Broken.LOAD)
    if shift.team and c.style is WorkStyle.SOLO_ONLY:
        broken.append(Broken.SOLO)
    broken += load_broken(shift, c, [b for b in candidate.bookings if b.task_id != ignore_task])
    return broken


def covers_hours(shift: Shift, c: Constraints) -> bool:
    """True when one of the worker's windows that weekday holds the whole shift."""
    start, end = shift.local_span
    return any(window.covers(start, end) for window in c.weekly.get(shift.local_day.weekday(), ()))


def clearly_unfit(shift: Shift, c: Constraints, skills: frozenset[str]) -> bool:
    """A cheap first look: hours, weekday off, load, skills, style (never a false 'fit').

    Only ever answers True when `broken_by` would report something; used to skip workers
    quickly when walking many.
    """
    return (
        shift.load.rank > c.max_load.rank
        or not shift.skills <= skills
        or (shift.team and c.style is WorkStyle.SOLO_ONLY)
        or (shift.district is not None and c.style is WorkStyle.HOME_ONLY)
        or shift.local_day.weekday() in c.days_off
        or not covers_hours(shift, c)
    )


def place_broken(shift: Shift, c: Constraints, places: Places) -> list[Broken]:
    """Where: home-based tasks fit everyone; others need a reachable district."""
    if shift.district is None:
        return []
    if c.style is WorkStyle.HOME_ONLY or c.home_district is None:
        return [Broken.PLACE]
    minutes = places.travel_minutes(c.home_district, shift.district, c.travel)
    if minutes is None or minutes > c.max_travel_minutes:
        return [Broken.TRAVEL]
    return []


def load_broken(shift: Shift, c: Constraints, bookings: Iterable[Booking]) -> list[Broken]:
    """Caps and overlaps, counting assigned tasks and open offers alike."""
    held = list(bookings)
    broken: list[Broken] = []
    if any(shift.overlaps(b.starts_at, b.ends_at) for b in held):
        broken.append(Broken.OVERLAP)
    week = iso_week(shift.local_day)
    weekly = sum(b.minutes for b in held if iso_week(b.local_day) == week)
    if weekly + shift.minutes > c.weekly_cap_minutes:
        broken.append(Broken.WEEKLY_CAP)
    month = (shift.local_day.year, shift.local_day.month)
    days = {b.local_day for b in held if (b.local_day.year, b.local_day.month) == month}
    if len(days | {shift.local_day}) > c.monthly_cap_days:
        broken.append(Broken.MONTHLY_CAP)
    return broken
