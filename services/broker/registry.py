"""The broker's view of who can work when: workers, their bookings and recent load.

A projection of the broker's own notification log, caught up on demand before each
matching decision, so the API and inbox processes (which both write to the store) see the
same picture. Rebuilt from nothing at start-up.

For matching among many workers it keeps an index in ranking order: per tenant, workers
grouped by the minutes they worked or were offered in the last 28 days (fairness), then by
home district and way of travel (travel time to a task depends only on those). A task's
candidates are yielded fairest first, so matching stops after the first few that fit.
"""

import bisect
import heapq
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.application import Application

from broker.domain.constraints import Candidate, Places, clearly_unfit
from broker.domain.job_request import JobRequest
from broker.domain.task import Task
from broker.domain.values import TOKYO, Booking, Constraints, Shift, Travel
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
    paused: bool = False
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
            paused=self.paused,
            recent_minutes=self.recent,
            preferred_work_types=self.preferred,
        )


@dataclass
class TaskEntry:
    """Where each task's offers stand (for expiry)."""

    tenant: str
    open_offers: dict[UUID, tuple[UUID, datetime]] = field(default_factory=dict)
    """offer id → (worker id, expires at)."""


@dataclass
class FairnessIndex:
    """One tenant's workers by recent minutes, then travel group; ids kept sorted as text."""

    buckets: dict[int, dict[Group, list[str]]] = field(default_factory=dict)
    minutes: list[int] = field(default_factory=list)
    """The bucket keys, ascending."""

    def add(self, entry: WorkerEntry) -> None:
        """Put a worker in its bucket."""
        if entry.recent not in self.buckets:
            bisect.insort(self.minutes, entry.recent)
            self.buckets[entry.recent] = {}
        bisect.insort(self.buckets[entry.recent].setdefault(entry.group, []), str(entry.worker_id))

    def remove(self, entry: WorkerEntry) -> None:
        """Take a worker out of its bucket."""
        groups = self.buckets[entry.recent]
        ids = groups[entry.group]
        del ids[bisect.bisect_left(ids, str(entry.worker_id))]
        if not ids:
            del groups[entry.group]
        if not groups:
            del self.buckets[entry.recent]
            self.minutes.remove(entry.recent)


class Registry:
    """Workers, bookings and open offers, projected from the broker's log."""

    def __init__(self) -> None:
        self.position = 0
        self.workers: dict[UUID, WorkerEntry] = {}
        self.by_text: dict[str, WorkerEntry] = {}
        self.tasks: dict[UUID, TaskEntry] = {}
        self.shifts: dict[UUID, tuple[datetime, datetime]] = {}
        self.requests: dict[UUID, tuple[str, UUID]] = {}
        """Job request id → (tenant, requester id), in submission order."""
        self.indexes: dict[str, FairnessIndex] = defaultdict(FairnessIndex)
        self.preferring: dict[tuple[str, str], set[str]] = defaultdict(set)
        """(tenant, work type) → workers who asked for that work."""
        self.day: date | None = None
        self.lock = threading.RLock()

    def catch_up(self, app: Application[UUID]) -> None:
        """Apply every event stored since the last call."""
        with self.lock:
            while True:
                notes = app.recorder.select_notifications(start=self.position + 1, limit=1000)
                if not notes:
                    return
                for note in notes:
                    self.apply(app.mapper.to_domain_event(note))
                    self.position = note.id

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
                for work_type in entry.preferred:
                    self.preferring[(entry.tenant, work_type)].discard(str(entry.worker_id))
                entry.skills = frozenset(event.skills)
                entry.preferred = frozenset(event.preferred_work_types)
                for work_type in entry.preferred:
                    self.preferring[(entry.tenant, work_type)].add(str(entry.worker_id))
            case Worker.Paused():
                self.workers[event.originator_id].paused = True
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
        )
        self.workers[entry.worker_id] = entry
        self.by_text[str(entry.worker_id)] = entry
        self.indexes[entry.tenant].add(entry)
        for work_type in entry.preferred:
            self.preferring[(entry.tenant, work_type)].add(str(entry.worker_id))

    def reindex(
        self,
        entry: WorkerEntry,
        *,
        constraints: Constraints | None = None,
        recent: int | None = None,
    ) -> None:
        """Change what places a worker in the index, moving them."""
        index = self.indexes[entry.tenant]
        index.remove(entry)
        if constraints is not None:
            entry.constraints = constraints
        if recent is not None:
            entry.recent = recent
        index.add(entry)

    def book(self, worker_id: UUID, task_id: UUID) -> None:
        """The worker holds the task's time."""
        if (entry := self.workers.get(worker_id)) is not None:
            starts_at, ends_at = self.shifts[task_id]
            entry.bookings[task_id] = Booking(task_id, starts_at, ends_at)

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
        self, tenant: str, shift: Shift, work_type: str, places: Places, now: datetime
    ) -> Iterator[Candidate]:
        """A tenant's workers in ranking order for `shift`: fairest, preferring, nearest.

        The same order as `broker.domain.matching.rank_key`, produced without looking at
        every worker.
        """
        with self.lock:
            self.refresh(now)
            index = self.indexes[tenant]
            preferring = self.preferring[(tenant, work_type)]
            for minutes in list(index.minutes):
                groups = index.buckets.get(minutes, {})
                by_travel: dict[int, list[list[str]]] = defaultdict(list)
                for group, ids in groups.items():
                    by_travel[travel(shift, group, places)].append(ids)
                for prefers in (True, False):
                    for minutes_away in sorted(by_travel):
                        for text in heapq.merge(*by_travel[minutes_away]):
                            if (text in preferring) is not prefers:
                                continue
                            entry = self.by_text[text]
                            if not clearly_unfit(shift, entry.constraints, entry.skills):
                                yield entry.candidate()

    def candidates(self, tenant: str, now: datetime) -> Iterator[Candidate]:
        """Every registered worker of a tenant as matching sees them at `now`."""
        with self.lock:
            self.refresh(now)
            for entry in self.workers.values():
                if entry.tenant == tenant:
                    yield entry.candidate()

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
