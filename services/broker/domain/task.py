"""A task: one short shift carved out of a job request, offered, taken, done and paid.

Check-in and 検収 follow the shift: a worker checks in from `CHECK_IN_EARLY` before the
start until the end; work is confirmed only once the shift has started, finished between
the start and `now` (plus `CLOCK_SKEW`), for at most the shift's minutes plus the request's
tolerance plus any excess a coordinator approved. `now` always comes from the caller.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from broker.domain.errors import (
    CheckInOutsideWindowError,
    ConfirmationTooEarlyError,
    FinishTimeImpossibleError,
    TaskStateError,
    WorkedMinutesOverLimitError,
)
from broker.domain.values import PhysicalLoad, Shift

CHECK_IN_EARLY = timedelta(minutes=60)
"""How long before the shift's start a check-in is accepted (people arrive early); the
window closes at the shift's end."""

CLOCK_SKEW = timedelta(minutes=5)
"""How far past `now` a finish time given with a 検収 may lie: phones and PCs disagree a little."""


class TaskStatus(StrEnum):
    """Where a task is in its life."""

    OPEN = "open"  # carved out, being offered
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DISPUTED = "disputed"
    CANCELLED = "cancelled"


class Refusal(StrEnum):
    """Why an acceptance did not win the task."""

    ALREADY_ASSIGNED = "already_assigned"
    OFFER_EXPIRED = "offer_expired"
    OFFER_WITHDRAWN = "offer_withdrawn"
    TASK_CANCELLED = "task_cancelled"


class CheckIn(StrEnum):
    """What a check-in from the worker page did."""

    STARTED = "started"
    MOOT = "moot"  # repeated, or the task is no longer this worker's: nothing recorded
    OUTSIDE_WINDOW = "outside_window"  # recorded as CheckInRefused; the task stays assigned


@dataclass
class Offer:
    """One offer of this task to one worker."""

    worker_id: UUID
    expires_at: datetime
    state: str = "open"  # open, declined, expired, withdrawn, accepted


class Task(Aggregate):
    """One task of a job request (the unit workers are offered and paid for)."""

    class CarvedOut(Aggregate.Created):
        """A coordinator carved this task out of a job request."""

        tenant: str
        job_request_id: UUID
        requester_id: UUID
        title: str
        work_type: str
        sector: str
        district: str | None
        starts_at: datetime
        ends_at: datetime
        load: str
        team: bool
        skills: list[str]
        reward_kind: str
        reward_yen: int
        transport_allowance_yen: int
        withholding_applies: bool
        bring: list[str] | None = None
        """What the worker brings (from the spec); absent in tasks carved before it was kept."""
        overtime_tolerance_minutes: int = 0
        """Minutes a 検収 may exceed the shift without approval (0 in tasks carved before)."""

    class Offered(Aggregate.Event):
        """The task was offered to one worker, to answer by `expires_at`, and why them."""

        offer_id: UUID
        worker_id: UUID
        expires_at: datetime
        rank: int
        reasons: str
        shown: dict[str, Any]
        """What the worker is shown: title, place, times and pay, as offered."""

    class OfferDeclined(Aggregate.Event):
        """The worker said no."""

        offer_id: UUID
        worker_id: UUID
        channel: str | None = None
        recorded_by: UUID | None = None

    class OfferExpired(Aggregate.Event):
        """The worker did not answer in time."""

        offer_id: UUID
        worker_id: UUID

    class OfferWithdrawn(Aggregate.Event):
        """An open offer was taken back."""

        offer_id: UUID
        worker_id: UUID
        reason: str

    class Accepted(Aggregate.Event):
        """The task was bound to a worker (their valid acceptance, or a coordinator)."""

        offer_id: UUID | None
        worker_id: UUID
        recorded_by: UUID | None
        starts_at: datetime
        channel: str | None = None
        """Where the answer came from (web, line, phone …); None for a direct assignment."""
        shown: dict[str, Any] | None = None
        """The task's title, place, times and pay for the worker (absent in older events)."""

    class AssignmentRefused(Aggregate.Event):
        """An acceptance arrived too late or on a dead offer."""

        offer_id: UUID
        worker_id: UUID
        reason: str
        channel: str | None = None

    class CandidatesExhausted(Aggregate.Event):
        """Nobody eligible is left to offer the task to: coordinators must step in."""

    class Cancelled(Aggregate.Event):
        """The task will not be done."""

        cancelled_by: str
        reason: str
        worker_id: UUID | None
        after_acceptance: bool
        terms: dict[str, Any]
        """The task's request, times and reward rule, for compensation."""

    class WorkStarted(Aggregate.Event):
        """The worker checked in."""

        worker_id: UUID
        started_at: datetime

    class CheckInRefused(Aggregate.Event):
        """A check-in from the worker page came outside the window; the work did not start."""

        worker_id: UUID
        checked_in_at: datetime
        reason: str

    class ExcessApproved(Aggregate.Event):
        """A coordinator approved minutes beyond the shift and its tolerance, and why."""

        excess_minutes: int
        """Extra minutes allowed on top of the shift's length and tolerance (replaces any
        earlier approval)."""
        reason: str
        approved_by: UUID

    class WorkReported(Aggregate.Event):
        """The worker checked out and reported the minutes worked (to be confirmed: 検収)."""

        worker_id: UUID
        finished_at: datetime
        reported_minutes: int
        note: str

    class WorkCompleted(Aggregate.Event):
        """The work was confirmed done (検収) with the minutes actually worked."""

        worker_id: UUID
        started_at: datetime
        finished_at: datetime
        worked_minutes: int
        confirmed_by: UUID
        terms: dict[str, Any]
        """The task's request, sector and reward rule, for payout."""
        confirmed_at: datetime | None = None
        """`now` at the edge when confirmed; None in events stored before it was kept."""

    class NoShowRecorded(Aggregate.Event):
        """The worker did not come; the task is open again."""

        worker_id: UUID
        starts_at: datetime

    class WorkDisputed(Aggregate.Event):
        """The completed work is disputed; its reward is on hold."""

        reason: str
        raised_by: UUID
        worker_id: UUID
        requester_id: UUID

    class DisputeResolved(Aggregate.Event):
        """A coordinator settled the dispute; the agreed minutes are paid for."""

        worked_minutes: int
        resolution: str
        resolved_by: UUID
        worker_id: UUID
        requester_id: UUID

    @event(CarvedOut)
    def __init__(  # noqa: PLR0913 - one parameter per fact of the carved task
        self,
        *,
        tenant: str,
        job_request_id: UUID,
        requester_id: UUID,
        title: str,
        work_type: str,
        sector: str,
        district: str | None,
        starts_at: datetime,
        ends_at: datetime,
        load: str,
        team: bool,
        skills: list[str],
        reward_kind: str,
        reward_yen: int,
        transport_allowance_yen: int,
        withholding_applies: bool,
        bring: list[str] | None = None,
        overtime_tolerance_minutes: int = 0,
    ) -> None:
        self.tenant, self.job_request_id, self.requester_id = tenant, job_request_id, requester_id
        self.bring = bring or []
        self.overtime_tolerance_minutes = overtime_tolerance_minutes
        self.approved_excess_minutes = 0
        self.no_shows: list[UUID] = []
        """Workers who were assigned and did not come: never offered this task again."""
        self.title, self.work_type, self.sector = title, work_type, sector
        self.district, self.starts_at, self.ends_at = district, starts_at, ends_at
        self.load, self.team, self.skills = load, team, skills
        self.reward_kind, self.reward_yen = reward_kind, reward_yen
        self.transport_allowance_yen = transport_allowance_yen
        self.withholding_applies = withholding_applies
        self.status = TaskStatus.OPEN
        self.offers: dict[UUID, Offer] = {}
        self.worker_id: UUID | None = None
        self.started_at: datetime | None = None
        self.reported_minutes: int | None = None
        self.reported_finished_at: datetime | None = None
        self.exhausted = False

    # ---- what the task is ---------------------------------------------------------------

    @property
    def shift(self) -> Shift:
        """The task as the constraints see it."""
        return Shift(
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            district=self.district,
            load=PhysicalLoad(self.load),
            team=self.team,
            skills=frozenset(self.skills),
        )

    def offered_to(self) -> set[UUID]:
        """Every worker this task was ever offered to, or who did not come to it."""
        return {offer.worker_id for offer in self.offers.values()} | set(self.no_shows)

    def open_offers(self) -> dict[UUID, Offer]:
        """Offers still awaiting an answer."""
        return {oid: o for oid, o in self.offers.items() if o.state == "open"}

    # ---- offers ------------------------------------------------------------------------

    def offer(
        self, *, offer_id: UUID, worker_id: UUID, expires_at: datetime, rank: int, reasons: str
    ) -> None:
        """Offer the task to one more worker.

        Raises:
            TaskStateError: the task is no longer open, or was offered to them already.
        """
        if self.status is not TaskStatus.OPEN:
            raise TaskStateError(self.id, self.status, "offer")
        if worker_id in self.offered_to():
            raise TaskStateError(self.id, "already offered to this worker", "offer again")
        self._offered(
            offer_id=offer_id,
            worker_id=worker_id,
            expires_at=expires_at,
            rank=rank,
            reasons=reasons,
            shown=self.terms(),
        )

    def terms(self) -> dict[str, Any]:
        """The task's facts other services need with its events."""
        return {
            "job_request_id": self.job_request_id,
            "requester_id": self.requester_id,
            "title": self.title,
            "sector": self.sector,
            "district": self.district,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "minutes": self.shift.minutes,
            "reward_kind": self.reward_kind,
            "reward_yen": self.reward_yen,
            "transport_allowance_yen": self.transport_allowance_yen,
            "withholding_applies": self.withholding_applies,
            "work_type": self.work_type,
            "bring": self.bring,
        }

    @event(Offered)
    def _offered(
        self,
        *,
        offer_id: UUID,
        worker_id: UUID,
        expires_at: datetime,
        rank: int,
        reasons: str,
        shown: dict[str, Any],
    ) -> None:
        del rank, reasons, shown
        self.offers[offer_id] = Offer(worker_id=worker_id, expires_at=expires_at)
        self.exhausted = False

    def accept(
        self,
        *,
        offer_id: UUID,
        worker_id: UUID,
        now: datetime,
        channel: str | None = None,
        recorded_by: UUID | None = None,
    ) -> Refusal | None:
        """Take a worker's yes: bind the task if the answer is valid, else refuse it.

        The first valid acceptance wins; every other open offer is withdrawn.
        Returns the refusal reason, or None when the task is now theirs.
        """
        offer = self.offers.get(offer_id)
        refusal = self.refusal_for(offer, worker_id, now)
        if refusal is not None:
            self._assignment_refused(
                offer_id=offer_id, worker_id=worker_id, reason=refusal, channel=channel
            )
            return refusal
        self._accepted(
            offer_id=offer_id,
            worker_id=worker_id,
            recorded_by=recorded_by,
            starts_at=self.starts_at,
            channel=channel,
            shown=self.terms(),
        )
        self.withdraw_open_offers("task_taken")
        return None

    def refusal_for(self, offer: Offer | None, worker_id: UUID, now: datetime) -> Refusal | None:
        """Why an acceptance of `offer` by `worker_id` at `now` cannot win, if it cannot."""
        if self.status is TaskStatus.CANCELLED:
            return Refusal.TASK_CANCELLED
        if self.status is not TaskStatus.OPEN:
            return Refusal.ALREADY_ASSIGNED
        if offer is None or offer.worker_id != worker_id or offer.state == "withdrawn":
            return Refusal.OFFER_WITHDRAWN
        if offer.state == "expired" or now > offer.expires_at:
            return Refusal.OFFER_EXPIRED
        if offer.state != "open":
            return Refusal.OFFER_WITHDRAWN
        return None

    @event(AssignmentRefused)
    def _assignment_refused(
        self, offer_id: UUID, worker_id: UUID, reason: str, channel: str | None = None
    ) -> None:
        del offer_id, worker_id, reason, channel

    @event(Accepted)
    def _accepted(
        self,
        offer_id: UUID | None,
        worker_id: UUID,
        recorded_by: UUID | None,
        starts_at: datetime,
        channel: str | None = None,
        shown: dict[str, Any] | None = None,
    ) -> None:
        del recorded_by, starts_at, channel, shown
        if offer_id is not None and offer_id in self.offers:
            self.offers[offer_id].state = "accepted"
        self.status = TaskStatus.ASSIGNED
        self.worker_id = worker_id

    def assign(self, *, worker_id: UUID, coordinator_id: UUID) -> None:
        """A coordinator binds the task to a worker directly (constraints checked by caller).

        Raises:
            TaskStateError: the task is not open.
        """
        if self.status is not TaskStatus.OPEN:
            raise TaskStateError(self.id, self.status, "assign")
        self._accepted(
            offer_id=None,
            worker_id=worker_id,
            recorded_by=coordinator_id,
            starts_at=self.starts_at,
            shown=self.terms(),
        )
        self.withdraw_open_offers("task_taken")

    def decline(
        self,
        *,
        offer_id: UUID,
        worker_id: UUID,
        channel: str | None = None,
        recorded_by: UUID | None = None,
    ) -> bool:
        """Take a worker's no; return True when it closed an open offer."""
        offer = self.offers.get(offer_id)
        if offer is None or offer.worker_id != worker_id or offer.state != "open":
            return False
        self._offer_declined(
            offer_id=offer_id, worker_id=worker_id, channel=channel, recorded_by=recorded_by
        )
        return True

    @event(OfferDeclined)
    def _offer_declined(
        self,
        offer_id: UUID,
        worker_id: UUID,
        channel: str | None = None,
        recorded_by: UUID | None = None,
    ) -> None:
        del worker_id, channel, recorded_by
        self.offers[offer_id].state = "declined"

    def expire_offers(self, now: datetime) -> int:
        """Close every open offer past its deadline; return how many."""
        due = [(oid, o) for oid, o in self.open_offers().items() if now >= o.expires_at]
        for offer_id, offer in due:
            self._offer_expired(offer_id=offer_id, worker_id=offer.worker_id)
        return len(due)

    @event(OfferExpired)
    def _offer_expired(self, offer_id: UUID, worker_id: UUID) -> None:
        del worker_id
        self.offers[offer_id].state = "expired"

    def withdraw_open_offers(self, reason: str) -> None:
        """Take back every offer still open."""
        for offer_id, offer in self.open_offers().items():
            self._offer_withdrawn(offer_id=offer_id, worker_id=offer.worker_id, reason=reason)

    @event(OfferWithdrawn)
    def _offer_withdrawn(self, offer_id: UUID, worker_id: UUID, reason: str) -> None:
        del worker_id, reason
        self.offers[offer_id].state = "withdrawn"

    def mark_exhausted(self) -> None:
        """Record, once, that nobody eligible is left to offer the task to."""
        if self.status is TaskStatus.OPEN and not self.exhausted and not self.open_offers():
            self._candidates_exhausted()

    @event(CandidatesExhausted)
    def _candidates_exhausted(self) -> None:
        self.exhausted = True

    # ---- cancellation, work, completion ------------------------------------------------

    def cancel(self, *, cancelled_by: str, reason: str) -> None:
        """Cancel the task; after acceptance the worker may be owed compensation.

        Raises:
            TaskStateError: the work is already done, disputed or cancelled.
        """
        if self.status in (TaskStatus.COMPLETED, TaskStatus.DISPUTED, TaskStatus.CANCELLED):
            raise TaskStateError(self.id, self.status, "cancel")
        after = self.status in (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)
        self.withdraw_open_offers("task_cancelled")
        self._cancelled(
            cancelled_by=cancelled_by,
            reason=reason,
            worker_id=self.worker_id,
            after_acceptance=after,
            terms=self.terms(),
        )

    @event(Cancelled)
    def _cancelled(
        self,
        *,
        cancelled_by: str,
        reason: str,
        worker_id: UUID | None,
        after_acceptance: bool,
        terms: dict[str, Any],
    ) -> None:
        del cancelled_by, reason, worker_id, after_acceptance, terms
        self.status = TaskStatus.CANCELLED

    def check_in_problem(self, at: datetime) -> CheckInOutsideWindowError | None:
        """Why a check-in at `at` is refused: outside `CHECK_IN_EARLY` before start .. end."""
        if self.starts_at - CHECK_IN_EARLY <= at <= self.ends_at:
            return None
        return CheckInOutsideWindowError(
            at, starts_at=self.starts_at, ends_at=self.ends_at, early=CHECK_IN_EARLY
        )

    def start_work(self, *, worker_id: UUID, at: datetime) -> None:
        """The assigned worker checks in (recorded by a coordinator).

        Raises:
            TaskStateError: the task is not assigned to this worker.
            CheckInOutsideWindowError: more than an hour before the start, or after the end.
        """
        if self.status is not TaskStatus.ASSIGNED or self.worker_id != worker_id:
            raise TaskStateError(self.id, self.status, "start work")
        if problem := self.check_in_problem(at):
            raise problem
        self._work_started(worker_id=worker_id, started_at=at)

    @event(WorkStarted)
    def _work_started(self, worker_id: UUID, started_at: datetime) -> None:
        del worker_id
        self.status = TaskStatus.IN_PROGRESS
        self.started_at = started_at

    def check_in(self, *, worker_id: UUID, at: datetime) -> CheckIn:
        """A check-in arriving from the worker page: start the work unless moot or refused.

        MOOT (nothing recorded): a repeated check-in, or the task is no longer this
        worker's (cancelled, re-offered after a no-show). OUTSIDE_WINDOW: recorded as
        CheckInRefused with the reason; the task stays assigned. Never raises.
        """
        if self.status is not TaskStatus.ASSIGNED or self.worker_id != worker_id:
            return CheckIn.MOOT
        if problem := self.check_in_problem(at):
            self._check_in_refused(worker_id=worker_id, checked_in_at=at, reason=str(problem))
            return CheckIn.OUTSIDE_WINDOW
        self._work_started(worker_id=worker_id, started_at=at)
        return CheckIn.STARTED

    @event(CheckInRefused)
    def _check_in_refused(self, worker_id: UUID, checked_in_at: datetime, reason: str) -> None:
        del worker_id, checked_in_at, reason

    def report(self, *, worker_id: UUID, finished_at: datetime, minutes: int, note: str) -> bool:
        """A check-out: the worker reports the minutes worked, once.

        Returns False when it changes nothing: already reported, confirmed, not theirs, or
        a check-out before the shift's start (no work can have been done yet).
        """
        open_statuses = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)
        if (
            self.status not in open_statuses
            or self.worker_id != worker_id
            or self.reported_minutes is not None
            or finished_at < self.starts_at
        ):
            return False
        self._work_reported(
            worker_id=worker_id, finished_at=finished_at, reported_minutes=minutes, note=note
        )
        return True

    @event(WorkReported)
    def _work_reported(
        self, worker_id: UUID, finished_at: datetime, reported_minutes: int, note: str
    ) -> None:
        del worker_id, note
        self.reported_minutes = reported_minutes
        self.reported_finished_at = finished_at

    @property
    def minutes_limit(self) -> int:
        """The most minutes a 検収 or a settlement may pay for, as things stand."""
        return self.shift.minutes + self.overtime_tolerance_minutes + self.approved_excess_minutes

    def minutes_problem(self, worked_minutes: int) -> WorkedMinutesOverLimitError | None:
        """Why `worked_minutes` cannot be paid for: over shift + tolerance + approved excess."""
        if worked_minutes <= self.minutes_limit:
            return None
        return WorkedMinutesOverLimitError(
            worked_minutes,
            shift_minutes=self.shift.minutes,
            tolerance=self.overtime_tolerance_minutes,
            approved=self.approved_excess_minutes,
        )

    def completion_problem(
        self, *, worked_minutes: int, finished_at: datetime, now: datetime
    ) -> ConfirmationTooEarlyError | FinishTimeImpossibleError | WorkedMinutesOverLimitError | None:
        """Why a 検収 at `now` cannot be true, if it cannot (the state is checked apart)."""
        if now < self.starts_at:
            return ConfirmationTooEarlyError(self.starts_at, now)
        if not self.starts_at <= finished_at <= now + CLOCK_SKEW:
            return FinishTimeImpossibleError(
                finished_at, starts_at=self.starts_at, now=now, skew=CLOCK_SKEW
            )
        return self.minutes_problem(worked_minutes)

    def complete(
        self, *, worked_minutes: int, finished_at: datetime, confirmed_by: UUID, now: datetime
    ) -> None:
        """Confirm the work done (検収) with the minutes actually worked, at `now`.

        Raises:
            TaskStateError: nobody is assigned, or it is already done or cancelled.
            ConfirmationTooEarlyError: the shift has not started yet.
            FinishTimeImpossibleError: finished before the start, or after now + CLOCK_SKEW.
            WorkedMinutesOverLimitError: more than shift + tolerance + approved excess.
        """
        if self.status not in (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS):
            raise TaskStateError(self.id, self.status, "complete")
        assert self.worker_id is not None  # noqa: S101 - assigned implies a worker
        problem = self.completion_problem(
            worked_minutes=worked_minutes, finished_at=finished_at, now=now
        )
        if problem is not None:
            raise problem
        self._work_completed(
            worker_id=self.worker_id,
            started_at=self.started_at or self.starts_at,
            finished_at=finished_at,
            worked_minutes=worked_minutes,
            confirmed_by=confirmed_by,
            terms=self.terms(),
            confirmed_at=now,
        )

    @event(WorkCompleted)
    def _work_completed(
        self,
        *,
        worker_id: UUID,
        started_at: datetime,
        finished_at: datetime,
        worked_minutes: int,
        confirmed_by: UUID,
        terms: dict[str, Any],
        confirmed_at: datetime | None = None,
    ) -> None:
        del worker_id, started_at, finished_at, worked_minutes, confirmed_by, terms, confirmed_at
        self.status = TaskStatus.COMPLETED

    def approve_excess(self, *, excess_minutes: int, reason: str, approved_by: UUID) -> None:
        """A coordinator allows `excess_minutes` beyond the shift and its tolerance, saying why.

        The latest approval replaces earlier ones. Allowed while the work is open or disputed.

        Raises:
            TaskStateError: nobody is assigned, or the work is confirmed or cancelled.
        """
        if self.status not in (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.DISPUTED):
            raise TaskStateError(self.id, self.status, "approve excess minutes")
        self._excess_approved(excess_minutes=excess_minutes, reason=reason, approved_by=approved_by)

    @event(ExcessApproved)
    def _excess_approved(self, *, excess_minutes: int, reason: str, approved_by: UUID) -> None:
        del reason, approved_by
        self.approved_excess_minutes = excess_minutes

    def record_no_show(self) -> None:
        """The assigned worker did not come: the task opens again for offers.

        Raises:
            TaskStateError: nobody is assigned.
        """
        if self.status is not TaskStatus.ASSIGNED or self.worker_id is None:
            raise TaskStateError(self.id, self.status, "record a no-show")
        self._no_show_recorded(worker_id=self.worker_id, starts_at=self.starts_at)

    @event(NoShowRecorded)
    def _no_show_recorded(self, worker_id: UUID, starts_at: datetime) -> None:
        del starts_at
        self.no_shows.append(worker_id)
        self.status = TaskStatus.OPEN
        self.worker_id = None

    def dispute(self, *, reason: str, raised_by: UUID) -> None:
        """Put the completed work's reward on hold.

        Raises:
            TaskStateError: the work is not completed.
        """
        if self.status is not TaskStatus.COMPLETED or self.worker_id is None:
            raise TaskStateError(self.id, self.status, "dispute")
        self._work_disputed(
            reason=reason,
            raised_by=raised_by,
            worker_id=self.worker_id,
            requester_id=self.requester_id,
        )

    @event(WorkDisputed)
    def _work_disputed(
        self, *, reason: str, raised_by: UUID, worker_id: UUID, requester_id: UUID
    ) -> None:
        del reason, raised_by, worker_id, requester_id
        self.status = TaskStatus.DISPUTED

    def resolve_dispute(self, *, worked_minutes: int, resolution: str, resolved_by: UUID) -> None:
        """Settle a dispute on the minutes agreed (0: nothing is owed).

        Raises:
            TaskStateError: the work is not disputed.
            WorkedMinutesOverLimitError: more than shift + tolerance + approved excess.
        """
        if self.status is not TaskStatus.DISPUTED or self.worker_id is None:
            raise TaskStateError(self.id, self.status, "resolve a dispute")
        if problem := self.minutes_problem(worked_minutes):
            raise problem
        self._dispute_resolved(
            worked_minutes=worked_minutes,
            resolution=resolution,
            resolved_by=resolved_by,
            worker_id=self.worker_id,
            requester_id=self.requester_id,
        )

    @event(DisputeResolved)
    def _dispute_resolved(
        self,
        *,
        worked_minutes: int,
        resolution: str,
        resolved_by: UUID,
        worker_id: UUID,
        requester_id: UUID,
    ) -> None:
        del worked_minutes, resolution, resolved_by, worker_id, requester_id
        self.status = TaskStatus.COMPLETED
