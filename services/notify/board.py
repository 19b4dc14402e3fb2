"""What notify shows and still has to do, built from its own event log.

Every notify process keeps a board: the API to render worker pages, push Server-Sent
Events and list the coordinator's call list; the dispatcher to know which offers still
need a delivery. It absorbs what its own process stores and reads the log for what other
processes (the inbox) stored, so a restart rebuilds it from the record.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from backbone.readmodel import LogFollower
from notify.domain.job import Job, JobState, as_time, state_of
from notify.domain.offer import Closing, Offer, Outcome
from notify.domain.pay import ConfirmedWork
from notify.domain.recipient import Recipient
from notify.domain.shift import Shift

Listener = Callable[[UUID, str, UUID], None]
"""`listener(worker_id, what, ident)`: something on this worker's page changed."""


@dataclass
class OfferCard:
    """One offer as the board keeps it."""

    offer_id: UUID
    tenant: str
    task_id: UUID
    worker_id: UUID
    expires_at: datetime
    shown: dict[str, Any]
    received_at: datetime
    attempts: list[tuple[str, Outcome, datetime]] = field(default_factory=list)
    on_call_list: bool = False
    answer: bool | None = None
    closing: Closing | None = None
    notices: list[tuple[str, str, Outcome]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """Neither answered nor closed."""
        return self.answer is None and self.closing is None


@dataclass
class JobCard:
    """One assigned task as the board keeps it."""

    job_id: UUID
    tenant: str
    task_id: UUID
    worker_id: UUID
    starts_at: datetime
    shown: dict[str, Any]
    assigned_at: datetime
    """When notify recorded the (latest) assignment: offers received before it are its past."""
    ends_at: datetime | None = None
    checked_in_at: datetime | None = None
    started_at: datetime | None = None
    """When the broker recorded the start without this page (a coordinator's check-in)."""
    checked_out_at: datetime | None = None
    cancelled: bool = False
    no_show: bool = False
    confirmed: ConfirmedWork | None = None
    disputed: bool = False
    notices: list[tuple[str, str, Outcome]] = field(default_factory=list)
    """(kind, channel, outcome) of every notice attempt about this job."""

    @property
    def state(self) -> JobState:
        """The job's one state (the same rule as the Job aggregate's)."""
        return state_of(self)

    @property
    def shift(self) -> Shift:
        """The job's times, and the check-in window they give."""
        return Shift(starts_at=self.starts_at, ends_at=self.ends_at)

    def begin(self, *, starts_at: datetime, ends_at: datetime | None, at: datetime) -> None:
        """Start over after a reassignment."""
        self.starts_at, self.ends_at, self.assigned_at = starts_at, ends_at, at
        self.checked_in_at = self.started_at = self.checked_out_at = None
        self.no_show, self.confirmed, self.disputed = False, None, False


def delivered(notices: list[tuple[str, str, Outcome]], kind: str) -> bool:
    """True once a notice of this kind reached the worker (or every channel was tried)."""
    return any(k == kind and outcome is Outcome.SENT for k, _, outcome in notices)


class Board(LogFollower):
    """Offers, jobs and recipients of every tenant, and who to tell when they change."""

    def __init__(self) -> None:
        """Start empty at position 0."""
        super().__init__()
        self.offers: dict[UUID, OfferCard] = {}
        self.jobs: dict[UUID, JobCard] = {}
        self.by_worker: dict[UUID, set[UUID]] = defaultdict(set)
        self.jobs_by_worker: dict[UUID, set[UUID]] = defaultdict(set)
        self.recipients: dict[UUID, str] = {}
        self.erased: set[UUID] = set()
        self.listeners: list[Listener] = []

    # ---- what changes, and who is told -----------------------------------------------------

    def tell(self, worker_id: UUID, what: str, ident: UUID) -> None:
        """Let every listener know a worker's page changed."""
        for listener in list(self.listeners):
            listener(worker_id, what, ident)

    def apply(self, event: object) -> None:  # noqa: C901, PLR0912, PLR0915 - one case per event
        """Update the board with one stored event."""
        match event:
            case Offer.Received():
                card = OfferCard(
                    offer_id=event.originator_id,
                    tenant=event.tenant,
                    task_id=event.task_id,
                    worker_id=event.worker_id,
                    expires_at=event.expires_at,
                    shown=event.shown,
                    received_at=event.timestamp,
                )
                self.offers[card.offer_id] = card
                self.by_worker[card.worker_id].add(card.offer_id)
                self.tell(card.worker_id, "offer", card.offer_id)
            case Offer.DeliveryAttempted():
                card = self.offers[event.originator_id]
                card.attempts.append((event.channel, Outcome(event.outcome), event.timestamp))
            case Offer.PutOnCallList():
                self.offers[event.originator_id].on_call_list = True
            case Offer.Answered():
                card = self.offers[event.originator_id]
                card.answer = event.accept
                self.tell(card.worker_id, "answered", card.offer_id)
            case Offer.Closed():
                card = self.offers[event.originator_id]
                card.closing = Closing(event.closing)
                self.tell(card.worker_id, "closed", card.offer_id)
            case Job.Assigned():
                job = JobCard(
                    job_id=event.originator_id,
                    tenant=event.tenant,
                    task_id=event.task_id,
                    worker_id=event.worker_id,
                    starts_at=event.starts_at,
                    shown=event.shown,
                    assigned_at=event.timestamp,
                    ends_at=event.ends_at or as_time(event.shown.get("ends_at")),
                )
                self.jobs[job.job_id] = job
                self.jobs_by_worker[job.worker_id].add(job.job_id)
                self.tell(job.worker_id, "job", job.job_id)
            case Job.Reassigned():
                job = self.jobs[event.originator_id]
                job.shown = event.shown
                job.begin(
                    starts_at=event.starts_at,
                    ends_at=event.ends_at or as_time(event.shown.get("ends_at")),
                    at=event.timestamp,
                )
                self.tell(job.worker_id, "job", job.job_id)
            case Job.WorkStarted():
                job = self.jobs[event.originator_id]
                job.started_at = event.at
                self.tell(job.worker_id, "started", job.job_id)
            case Job.WorkConfirmed():
                job = self.jobs[event.originator_id]
                job.confirmed = ConfirmedWork(
                    started_at=event.started_at,
                    finished_at=event.finished_at,
                    worked_minutes=event.worked_minutes,
                    reward_kind=event.reward_kind,
                    reward_yen=event.reward_yen,
                    transport_allowance_yen=event.transport_allowance_yen,
                    withholding_applies=event.withholding_applies,
                )
                self.tell(job.worker_id, "completed", job.job_id)
            case Job.NoShowRecorded():
                job = self.jobs[event.originator_id]
                job.no_show = True
                self.tell(job.worker_id, "no_show", job.job_id)
            case Job.PayDisputed():
                job = self.jobs[event.originator_id]
                job.disputed = True
                self.tell(job.worker_id, "disputed", job.job_id)
            case Job.DisputeSettled():
                job = self.jobs[event.originator_id]
                if job.confirmed is not None:
                    job.confirmed = job.confirmed.settled_at(event.worked_minutes)
                job.disputed = False
                self.tell(job.worker_id, "settled", job.job_id)
            case Job.CheckedIn():
                job = self.jobs[event.originator_id]
                job.checked_in_at = event.at
                self.tell(job.worker_id, "checked_in", job.job_id)
            case Job.CheckedOut():
                job = self.jobs[event.originator_id]
                job.checked_out_at = event.at
                self.tell(job.worker_id, "checked_out", job.job_id)
            case Job.Notified():
                self.jobs[event.originator_id].notices.append(
                    (event.kind, event.channel, Outcome(event.outcome))
                )
            case Offer.Notified():
                self.offers[event.originator_id].notices.append(
                    (event.kind, event.channel, Outcome(event.outcome))
                )
            case Job.Cancelled():
                job = self.jobs[event.originator_id]
                job.cancelled = True
                self.tell(job.worker_id, "cancelled", job.job_id)
            case Recipient.Registered():
                self.recipients[event.originator_id] = event.tenant
            case Recipient.Erased():
                self.erased.add(event.originator_id)
            case _:
                return

    # ---- what pages and the dispatcher ask ----------------------------------------------

    def offers_of(self, worker_id: UUID) -> list[OfferCard]:
        """A worker's offers, soonest shift first."""
        with self.lock:
            cards = [self.offers[o] for o in self.by_worker.get(worker_id, ())]
        return sorted(cards, key=lambda c: (c.shown["starts_at"], str(c.offer_id)))

    def jobs_of(self, worker_id: UUID) -> list[JobCard]:
        """A worker's assigned tasks, soonest first."""
        with self.lock:
            jobs = [self.jobs[j] for j in self.jobs_by_worker.get(worker_id, ())]
        return sorted(jobs, key=lambda j: (j.starts_at, str(j.job_id)))

    def open_offers(self) -> list[OfferCard]:
        """Every offer still waiting for an answer."""
        with self.lock:
            return [card for card in self.offers.values() if card.is_open]

    def jobs_due_notice(self, now: datetime, remind_before: timedelta) -> list[tuple[str, JobCard]]:
        """(kind, job) of every notice now due: assigned, reminder, cancelled."""
        due: list[tuple[str, JobCard]] = []
        with self.lock:
            for job in self.jobs.values():
                if job.cancelled:
                    if not delivered(job.notices, "cancelled") and job.starts_at > now:
                        due.append(("cancelled", job))
                    continue
                if job.no_show:
                    continue  # over: "the job is yours" or a reminder would be untrue
                if not delivered(job.notices, "assigned"):
                    due.append(("assigned", job))
                elif (
                    job.state is JobState.ASSIGNED
                    and now < job.starts_at <= now + remind_before
                    and not delivered(job.notices, "reminder")
                ):
                    due.append(("reminder", job))
        return due

    def offers_due_notice(self) -> list[OfferCard]:
        """Offers whose "yes" came too late: the worker is told kindly, once."""
        with self.lock:
            return [
                card
                for card in self.offers.values()
                if card.answer is True
                and card.closing is Closing.TAKEN
                and not delivered(card.notices, "taken")
            ]

    def call_list(self, tenant: str) -> list[OfferCard]:
        """Open offers a coordinator should phone about, oldest first."""
        with self.lock:
            cards = [
                c
                for c in self.offers.values()
                if c.tenant == tenant and c.is_open and c.on_call_list
            ]
        return sorted(cards, key=lambda c: (c.received_at, str(c.offer_id)))
