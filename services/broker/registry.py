"""The broker's view of who can work when: workers, their bookings and recent load.

A projection of the broker's own notification log, caught up on demand before each
matching decision, so the API and inbox processes (which both write to the store) see the
same picture. Rebuilt from nothing at start-up. It also serves the register
(`commands/list_workers.py`): each worker's district, pause and erasure, and their personal
details as stored, still sealed.

For matching among many workers it keeps an index in ranking order: per tenant, workers
grouped by the minutes they worked or were offered in the last 28 days (fairness), then by
home district and way of travel (travel time to a task depends only on those). A task's
candidates are yielded fairest first, so matching stops after the first few that fit.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from backbone.readmodel import LogFollower
from broker.domain.constraints import Candidate, Places
from broker.domain.job_request import JobRequest
from broker.domain.task import Task
from broker.domain.values import (
    MINUTES_PER_DAY,
    TOKYO,
    Booking,
    Constraints,
    Shift,
    Travel,
    WorkStyle,
)
from broker.domain.worker import Worker, constraints_from_state

FAIRNESS_WINDOW = timedelta(days=28)

Group = tuple[str | None, Travel]
"""(home district, way of travel): workers whose travel time to any place is the same."""


@dataclass
class WorkerEntry:
    """What matching needs of one worker, kept current from the log."""

    worker_id: UUID
    tenant: str
    skills: frozenset[str]
    preferred: frozenset[str]
    constraints: Constraints
    district: str | None = None
    """Where the worker lives, as registered (the register shows it)."""
    personal: str = ""
    """The worker's details, still sealed: opened only for a coordinator's request."""
    paused: bool = False
    """The worker asked for no offers for now."""
    erased: bool = False
    """The worker's personal data was destroyed: no offers, ever."""
    bookings: dict[UUID, Booking] = field(default_factory=dict)
    """Open offers and assigned, started or completed tasks, by task id."""
    load: list[tuple[datetime, int]] = field(default_factory=list)
    """(when, minutes) of every offer made and every task completed: the fairness count."""
    recent: int = 0
    """Minutes in `load` within the fairness window, as of the registry's day."""

    @property
    def group(self) -> Group:
        """The worker's travel group."""
        return (self.constraints.home_district, self.constraints.travel)

    def candidate(self) -> Candidate:
        """The worker as matching sees them."""
        return Candidate(
            worker_id=self.worker_id,
            constraints=self.constraints,
            skills=self.skills,
            bookings=tuple(self.bookings.values()),
            paused=self.paused or self.erased,
            recent_minutes=self.recent,
            preferred_work_types=self.preferred,
        )


@dataclass
class TaskEntry:
    """Where each task's offers stand (for expiry)."""

    tenant: str
    open_offers: dict[UUID, tuple[UUID, datetime]] = field(default_factory=dict)
    """offer id → (worker id, expires at)."""


def hour_slots(c: Constraints) -> set[tuple[int, int]]:
    """(weekday, half-hour) slots any of the worker's windows touches, days off excluded.

    Touching, not holding: a shift held by a window touches only slots the window touches,
    so the hours mask never leaves out a worker who fits.
    """
    return {
        (weekday, slot)
        for weekday, windows in c.weekly.items()
        if weekday not in c.days_off
        for window in windows
        for slot in range(window.start // 30, -(-window.end // 30))
    }


def can_reach(c: Constraints, district: str, places: Places) -> bool:
    """True when the worker can get to the district within their travel limit."""
    if c.home_district is None:
        return False
    minutes = places.travel_minutes(c.home_district, district, c.travel)
    return minutes is not None and minutes <= c.max_travel_minutes


def bits_of(mask: int) -> list[int]:
    """The positions of the set bits of a non-negative int, ascending."""
    text = bin(mask)[:1:-1]
    found = []
    at = text.find("1")
    while at != -1:
        found.append(at)
        at = text.find("1", at + 1)
    return found


@dataclass
class TenantIndex:
    """One tenant's workers as bitsets: each worker is a bit, each fact a mask.

    Python's big ints make AND over 100,000 workers a few microseconds, so a shift's
    plausible workers (hours, skills, load, style, reachable) are found without a loop,
    then walked in ranking order: fairness bucket, preference, travel, id.
    """

    texts: list[str] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    hours: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    """(weekday, half-hour) → workers with a window holding that half-hour."""
    skills: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    load_at_least: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    solo_only: int = 0
    home_only: int = 0
    holidays_off: int = 0
    groups: dict[Group, int] = field(default_factory=lambda: defaultdict(int))
    preferring: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    buckets: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    """Recent minutes → workers (fairness)."""
    reach: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """District → workers who can get there within their limit (every known district)."""
    places: Places = field(default_factory=Places)

    def bit(self, text: str) -> int:
        """The worker's bit, assigning one on first sight."""
        if text not in self.position:
            self.position[text] = len(self.texts)
            self.texts.append(text)
        return 1 << self.position[text]

    def mark(self, entry: WorkerEntry, *, on: bool) -> None:
        """Set (or clear) every mask bit describing the worker's current facts."""
        bit = self.bit(str(entry.worker_id))
        c = entry.constraints
        keys: list[tuple[dict[Any, int], Any]] = [(self.hours, key) for key in hour_slots(c)]
        keys += [(self.skills, skill) for skill in entry.skills]
        keys += [(self.load_at_least, rank) for rank in range(c.max_load.rank + 1)]
        keys += [(self.preferring, work_type) for work_type in entry.preferred]
        keys += [(self.groups, entry.group), (self.buckets, entry.recent)]
        keys += [
            (self.reach, district)
            for district in self.places.districts()
            if can_reach(c, district, self.places)
        ]
        for masks, key in keys:
            masks[key] = masks[key] | bit if on else masks[key] & ~bit
        if not self.buckets[entry.recent]:
            del self.buckets[entry.recent]
        flags = {
            "solo_only": c.style is WorkStyle.SOLO_ONLY,
            "home_only": c.style is WorkStyle.HOME_ONLY,
            "holidays_off": c.holidays_off,
        }
        for name, applies in flags.items():
            if applies:
                mask = getattr(self, name)
                setattr(self, name, mask | bit if on else mask & ~bit)


class Registry(LogFollower):
    """Workers, bookings and open offers, projected from the broker's log."""

    def __init__(self) -> None:
        super().__init__()
        self.workers: dict[UUID, WorkerEntry] = {}
        self.by_text: dict[str, WorkerEntry] = {}
        self.tasks: dict[UUID, TaskEntry] = {}
        self.shifts: dict[UUID, tuple[datetime, datetime]] = {}
        self.requests: dict[UUID, tuple[str, UUID]] = {}
        """Job request id → (tenant, requester id), in submission order."""
        self.places = Places()
        """The district table reachability is kept for (set by the application)."""
        self.indexes: dict[str, TenantIndex] = defaultdict(self.new_index)
        self.day: date | None = None

    def new_index(self) -> TenantIndex:
        """A tenant's empty index, for the registry's district table."""
        return TenantIndex(places=self.places)

    def apply(self, event: object) -> None:  # noqa: C901, PLR0912 - one case per event type
        """Update the view with one stored event."""
        match event:
            case JobRequest.Submitted():
                self.requests[event.originator_id] = (event.tenant, event.requester_id)
            case Worker.Registered():
                self.register(event)
            case Worker.ConstraintsChanged():
                entry = self.workers[event.originator_id]
                self.reindex(entry, constraints=constraints_from_state(event.constraints))
            case Worker.SkillsChanged():
                entry = self.workers[event.originator_id]
                self.indexes[entry.tenant].mark(entry, on=False)
                entry.skills = frozenset(event.skills)
                entry.preferred = frozenset(event.preferred_work_types)
                self.indexes[entry.tenant].mark(entry, on=True)
            case Worker.PersonalChanged():
                self.workers[event.originator_id].personal = event.personal
            case Worker.Paused():
                self.workers[event.originator_id].paused = True
            case Worker.Erased():
                self.workers[event.originator_id].erased = True
            case Worker.Resumed():
                self.workers[event.originator_id].paused = False
            case Task.CarvedOut():
                self.tasks[event.originator_id] = TaskEntry(tenant=event.tenant)
                self.shifts[event.originator_id] = (event.starts_at, event.ends_at)
            case Task.Offered():
                self.tasks[event.originator_id].open_offers[event.offer_id] = (
                    event.worker_id,
                    event.expires_at,
                )
                self.book(event.worker_id, event.originator_id)
                self.count(event.worker_id, event.originator_id, event.timestamp)
            case Task.OfferDeclined() | Task.OfferExpired() | Task.OfferWithdrawn():
                self.tasks[event.originator_id].open_offers.pop(event.offer_id, None)
                self.unbook(event.worker_id, event.originator_id)
            case Task.Accepted():
                if event.offer_id is not None:
                    self.tasks[event.originator_id].open_offers.pop(event.offer_id, None)
                self.book(event.worker_id, event.originator_id)
            case Task.Cancelled() | Task.NoShowRecorded():
                worker_id = getattr(event, "worker_id", None)
                if worker_id is not None:
                    self.unbook(worker_id, event.originator_id)
            case Task.WorkCompleted():
                self.count(event.worker_id, event.originator_id, event.timestamp)
            case _:
                return

    def register(self, event: Worker.Registered) -> None:
        """Add a newly registered worker to the view and the index."""
        entry = WorkerEntry(
            worker_id=event.originator_id,
            tenant=event.tenant,
            skills=frozenset(event.skills),
            preferred=frozenset(event.preferred_work_types),
            constraints=constraints_from_state(event.constraints),
            district=event.district,
            personal=event.personal,
        )
        self.workers[entry.worker_id] = entry
        self.by_text[str(entry.worker_id)] = entry
        self.indexes[entry.tenant].mark(entry, on=True)

    def reindex(
        self,
        entry: WorkerEntry,
        *,
        constraints: Constraints | None = None,
        recent: int | None = None,
    ) -> None:
        """Change what places a worker in the index, moving them."""
        index = self.indexes[entry.tenant]
        if recent is not None and constraints is None:  # only the fairness bucket moves
            old = index.bit(str(entry.worker_id))
            index.buckets[entry.recent] &= ~old
            if not index.buckets[entry.recent]:
                del index.buckets[entry.recent]
            entry.recent = recent
            index.buckets[recent] |= old
            return
        index.mark(entry, on=False)
        if constraints is not None:
            entry.constraints = constraints
        if recent is not None:
            entry.recent = recent
        index.mark(entry, on=True)

    def book(self, worker_id: UUID, task_id: UUID) -> None:
        """The worker holds the task's time."""
        if (entry := self.workers.get(worker_id)) is not None:
            starts_at, ends_at = self.shifts[task_id]
            entry.bookings[task_id] = Booking(task_id, starts_at, ends_at)

    def hold(self, worker_id: UUID, task_id: UUID, starts_at: datetime, ends_at: datetime) -> None:
        """Book an offer made in this process before it is stored.

        Several tasks offered in one command (a confirmed carving, a batch of answers) must
        see each other's offers, or one worker could hold two overlapping offers. Storing
        the offer later books it again (the same booking) and counts its minutes.
        """
        with self.lock:
            self.shifts.setdefault(task_id, (starts_at, ends_at))
            self.book(worker_id, task_id)

    def unbook(self, worker_id: UUID, task_id: UUID) -> None:
        """The worker no longer holds the task's time."""
        if (entry := self.workers.get(worker_id)) is not None:
            entry.bookings.pop(task_id, None)

    def count(self, worker_id: UUID, task_id: UUID, at: datetime) -> None:
        """Add the task's minutes to the worker's fairness count."""
        if (entry := self.workers.get(worker_id)) is not None:
            starts_at, ends_at = self.shifts[task_id]
            minutes = int((ends_at - starts_at).total_seconds() // 60)
            entry.load.append((at, minutes))
            self.reindex(entry, recent=entry.recent + minutes)  # `refresh` drops old ones

    def refresh(self, now: datetime) -> None:
        """Recount everyone's recent minutes when the day changes (the window slides)."""
        today = now.astimezone(TOKYO).date()
        if self.day == today:
            return
        self.day = today
        since = now - FAIRNESS_WINDOW
        for entry in self.workers.values():
            recent = sum(minutes for at, minutes in entry.load if at >= since)
            if recent != entry.recent:
                self.reindex(entry, recent=recent)

    def ordered_candidates(
        self,
        tenant: str,
        shift: Shift,
        work_type: str,
        places: Places,
        now: datetime,
        *,
        holiday: bool = False,
    ) -> Iterator[Candidate]:
        """A tenant's plausible workers in ranking order for `shift`.

        The same order as `broker.domain.matching.rank_key`, produced without looking at
        every worker: only those whose hours, skills, load, style and reach could fit are
        yielded (the full check is `broken_by`).
        """
        with self.lock:
            self.refresh(now)
            index = self.indexes[tenant]
            plausible = self.plausible(index, shift, places)
            if holiday:
                plausible &= ~index.holidays_off
            if not plausible:
                return
            preferring = index.preferring.get(work_type, 0)
            levels: dict[int, int] = defaultdict(int)
            for group, mask in index.groups.items():
                levels[travel(shift, group, places)] |= mask
            for minutes in sorted(index.buckets):
                fair = plausible & index.buckets[minutes]
                if not fair:
                    continue
                for wanted in (fair & preferring, fair & ~preferring):
                    for minutes_away in sorted(levels):
                        level = wanted & levels[minutes_away]
                        texts = sorted(index.texts[at] for at in bits_of(level))
                        for text in texts:
                            yield self.by_text[text].candidate()

    def plausible(self, index: TenantIndex, shift: Shift, places: Places) -> int:
        """Workers whose hours, skills, load, style and reach could fit the shift."""
        start, end = shift.local_span
        weekday = shift.local_day.weekday()
        if end > MINUTES_PER_DAY:
            return 0
        mask = -1
        for slot in range(start // 30, -(-end // 30)):
            mask &= index.hours.get((weekday, slot), 0)
            if not mask:
                return 0
        for skill in shift.skills:
            mask &= index.skills.get(skill, 0)
        mask &= index.load_at_least.get(shift.load.rank, 0)
        if shift.team:
            mask &= ~index.solo_only
        if shift.district is not None:
            mask &= ~index.home_only & self.reachable(index, shift.district, places)
        return mask

    def reachable(self, index: TenantIndex, district: str, places: Places) -> int:
        """Workers who can get to `district` within their limit.

        Kept up to date for every district of the index's table; a district outside it
        (or another table) is computed on the spot.
        """
        if places is index.places and district in index.places.districts():
            return index.reach.get(district, 0)
        mask = 0
        for text, at in index.position.items():
            if can_reach(self.by_text[text].constraints, district, places):
                mask |= 1 << at
        return mask

    def candidates(self, tenant: str, now: datetime) -> Iterator[Candidate]:
        """Every registered worker of a tenant as matching sees them at `now`."""
        with self.lock:
            self.refresh(now)
            for entry in self.workers.values():
                if entry.tenant == tenant:
                    yield entry.candidate()

    def tenant_workers(self, tenant: str) -> list[WorkerEntry]:
        """A tenant's registered workers, in registration order (the register)."""
        with self.lock:
            return [entry for entry in self.workers.values() if entry.tenant == tenant]

    def open_offer_count(self) -> int:
        """Offers this process knows are waiting for an answer."""
        with self.lock:
            return sum(len(task.open_offers) for task in self.tasks.values())

    def candidate(self, worker_id: UUID, now: datetime) -> Candidate | None:
        """One worker as matching sees them at `now`."""
        with self.lock:
            self.refresh(now)
            entry = self.workers.get(worker_id)
            return entry.candidate() if entry else None

    def expired_offers(self, now: datetime) -> dict[UUID, list[UUID]]:
        """Task id → offers past their deadline and still open."""
        due: dict[UUID, list[UUID]] = defaultdict(list)
        for task_id, entry in self.tasks.items():
            for offer_id, (_, expires_at) in entry.open_offers.items():
                if now >= expires_at:
                    due[task_id].append(offer_id)
        return dict(due)


def travel(shift: Shift, group: Group, places: Places) -> int:
    """Travel minutes for a travel group (0 at home; unreachable sorts last)."""
    home, mode = group
    if shift.district is None or home is None:
        return 0
    minutes = places.travel_minutes(home, shift.district, mode)
    return 0 if minutes is None else minutes
