"""The broker's view of who can work when: workers, their bookings and recent load.

A projection of the broker's own notification log, caught up on demand before each
matching decision, so the API and inbox processes (which both write to the store) see the
same picture. Rebuilt from nothing at start-up.
"""

import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.application import Application

from broker.domain.constraints import Candidate
from broker.domain.job_request import JobRequest
from broker.domain.task import Task
from broker.domain.values import Booking
from broker.domain.worker import Worker, constraints_from_state

FAIRNESS_WINDOW = timedelta(days=28)


@dataclass
class WorkerEntry:
    """What matching needs of one worker, kept current from the log."""

    worker_id: UUID
    tenant: str
    skills: frozenset[str]
    preferred: frozenset[str]
    constraints: dict[str, object]
    paused: bool = False
    bookings: dict[UUID, Booking] = field(default_factory=dict)
    """Open offers and assigned, started or completed tasks, by task id."""
    load: list[tuple[datetime, int]] = field(default_factory=list)
    """(when, minutes) of every offer made and every task completed: the fairness count."""


@dataclass
class TaskEntry:
    """Where each task's offers stand (for expiry)."""

    tenant: str
    open_offers: dict[UUID, tuple[UUID, datetime]] = field(default_factory=dict)
    """offer id → (worker id, expires at)."""


class Registry:
    """Workers, bookings and open offers, projected from the broker's log."""

    def __init__(self) -> None:
        self.position = 0
        self.workers: dict[UUID, WorkerEntry] = {}
        self.tasks: dict[UUID, TaskEntry] = {}
        self.shifts: dict[UUID, tuple[datetime, datetime]] = {}
        self.requests: dict[UUID, tuple[str, UUID]] = {}
        """Job request id → (tenant, requester id), in submission order."""
        self.lock = threading.Lock()

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
                self.workers[event.originator_id] = WorkerEntry(
                    worker_id=event.originator_id,
                    tenant=event.tenant,
                    skills=frozenset(event.skills),
                    preferred=frozenset(event.preferred_work_types),
                    constraints=event.constraints,
                )
            case Worker.ConstraintsChanged():
                self.workers[event.originator_id].constraints = event.constraints
            case Worker.SkillsChanged():
                entry = self.workers[event.originator_id]
                entry.skills = frozenset(event.skills)
                entry.preferred = frozenset(event.preferred_work_types)
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
            entry.load.append((at, int((ends_at - starts_at).total_seconds() // 60)))

    def candidates(self, tenant: str, now: datetime) -> Iterator[Candidate]:
        """Every registered worker of a tenant as matching sees them at `now`."""
        since = now - FAIRNESS_WINDOW
        for entry in self.workers.values():
            if entry.tenant != tenant:
                continue
            yield Candidate(
                worker_id=entry.worker_id,
                constraints=constraints_from_state(entry.constraints),
                skills=entry.skills,
                bookings=tuple(entry.bookings.values()),
                paused=entry.paused,
                recent_minutes=sum(minutes for at, minutes in entry.load if at >= since),
                preferred_work_types=entry.preferred,
            )

    def candidate(self, worker_id: UUID, now: datetime) -> Candidate | None:
        """One worker as matching sees them at `now`."""
        entry = self.workers.get(worker_id)
        if entry is None:
            return None
        return next(c for c in self.candidates(entry.tenant, now) if c.worker_id == worker_id)

    def expired_offers(self, now: datetime) -> dict[UUID, list[UUID]]:
        """Task id → offers past their deadline and still open."""
        due: dict[UUID, list[UUID]] = defaultdict(list)
        for task_id, entry in self.tasks.items():
            for offer_id, (_, expires_at) in entry.open_offers.items():
                if now >= expires_at:
                    due[task_id].append(offer_id)
        return dict(due)
