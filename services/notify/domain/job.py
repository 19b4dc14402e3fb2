"""A task assigned to a worker, as their page shows it, from assignment to confirmed pay.

The worker checks in and out once each, inside the shift's window (`notify.domain.shift`);
what the broker records afterwards (the start, the 検収, a no-show, a dispute and its
settlement) moves the job on, so the page always shows the job's one true state.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from notify.domain.errors import JobStateError
from notify.domain.pay import ConfirmedWork
from notify.domain.shift import Shift, Step


class JobState(StrEnum):
    """Where a job is, as the worker sees it (one state per job, never two)."""

    ASSIGNED = "assigned"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"  # finished, waiting for the requester's 検収
    COMPLETED = "completed"  # confirmed: time and pay are known
    DISPUTED = "disputed"  # confirmed, but its pay is on hold
    NO_SHOW = "no_show"  # the broker recorded that the worker did not come
    CANCELLED = "cancelled"


class JobFacts(Protocol):
    """What a job's state follows from: the Job aggregate and the board's card both hold it."""

    cancelled: bool
    no_show: bool
    confirmed: ConfirmedWork | None
    disputed: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    started_at: datetime | None


def state_of(job: JobFacts) -> JobState:
    """The one state a job is in: an ending outranks the work, confirmed work the page."""
    if job.cancelled:
        return JobState.CANCELLED
    if job.no_show:
        return JobState.NO_SHOW
    if job.confirmed is not None:
        return JobState.DISPUTED if job.disputed else JobState.COMPLETED
    if job.checked_out_at is not None:
        return JobState.CHECKED_OUT
    started = job.checked_in_at is not None or job.started_at is not None
    return JobState.CHECKED_IN if started else JobState.ASSIGNED


def as_time(value: object) -> datetime | None:
    """A stored time: a datetime, its ISO text (older records), or None."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def job_id(task_id: UUID, worker_id: UUID) -> UUID:
    """One job per task and worker (a task re-offered after a no-show gets a new one)."""
    return uuid5(NAMESPACE_URL, f"conbini:job:{task_id}:{worker_id}")


class Job(Aggregate):
    """A worker's assigned task."""

    class Assigned(Aggregate.Created):
        """The broker bound the task to this worker."""

        tenant: str
        task_id: UUID
        worker_id: UUID
        starts_at: datetime
        shown: dict[str, Any]
        ends_at: datetime | None = None
        """When the shift ends; absent in jobs recorded before it was kept (see `shown`)."""

    class CheckedIn(Aggregate.Event):
        """The worker said they began."""

        task_id: UUID
        worker_id: UUID
        at: datetime
        channel: str
        recorded_by: UUID | None

    class CheckedOut(Aggregate.Event):
        """The worker said they finished, and how many minutes they worked."""

        task_id: UUID
        worker_id: UUID
        at: datetime
        minutes: int
        note: str
        channel: str
        recorded_by: UUID | None

    class Notified(Aggregate.Event):
        """A notice about the task (assigned, reminder, cancelled) went out, or could not."""

        kind: str
        channel: str
        outcome: str
        detail: str

    class Cancelled(Aggregate.Event):
        """The task will not be done."""

        reason: str

    class WorkStarted(Aggregate.Event):
        """The broker recorded the start without this page (a coordinator, told by phone)."""

        at: datetime

    class WorkConfirmed(Aggregate.Event):
        """The requester confirmed the work (検収): when, how many minutes, the reward rule."""

        started_at: datetime
        finished_at: datetime
        worked_minutes: int
        reward_kind: str
        reward_yen: int
        transport_allowance_yen: int
        withholding_applies: bool

    class NoShowRecorded(Aggregate.Event):
        """The broker recorded that the worker did not come; the task is open to others."""

    class PayDisputed(Aggregate.Event):
        """The confirmed work is disputed: its pay is on hold."""

        reason: str

    class DisputeSettled(Aggregate.Event):
        """A coordinator settled the dispute: the pay follows the agreed minutes."""

        worked_minutes: int

    class Reassigned(Aggregate.Event):
        """After a no-show, the broker bound the task to this worker again."""

        starts_at: datetime
        ends_at: datetime | None
        shown: dict[str, Any]

    @event(Assigned)
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002 - job_id(task, worker)
        tenant: str,
        task_id: UUID,
        worker_id: UUID,
        starts_at: datetime,
        shown: dict[str, Any],
        ends_at: datetime | None = None,
    ) -> None:
        del id
        self.tenant, self.task_id, self.worker_id = tenant, task_id, worker_id
        self._begin(starts_at=starts_at, ends_at=ends_at, shown=shown)
        self.cancelled = False

    def _begin(
        self, *, starts_at: datetime, ends_at: datetime | None, shown: dict[str, Any]
    ) -> None:
        """Set the job's terms and clear its progress (on assignment and reassignment)."""
        self.starts_at, self.shown = starts_at, shown
        self.ends_at = ends_at or as_time(shown.get("ends_at"))
        self.checked_in_at: datetime | None = None
        self.started_at: datetime | None = None
        self.checked_out_at: datetime | None = None
        self.minutes: int | None = None
        self.no_show = False
        self.confirmed: ConfirmedWork | None = None
        self.disputed = False

    @property
    def shift(self) -> Shift:
        """The job's times, and the check-in window they give."""
        return Shift(starts_at=self.starts_at, ends_at=self.ends_at)

    @property
    def state(self) -> JobState:
        """The job's one state."""
        return state_of(self)

    @property
    def ended(self) -> bool:
        """Confirmed, cancelled or no longer this worker's: nothing more to check in or out."""
        return self.cancelled or self.no_show or self.confirmed is not None

    # ---- what the worker does on the page --------------------------------------------------

    def check_in(self, *, at: datetime, channel: str, recorded_by: UUID | None = None) -> Step:
        """Record the check-in once, inside the window; say what happened. Never raises."""
        if self.ended:
            return Step.ENDED
        if self.checked_in_at is not None or self.started_at is not None:
            return Step.REPEATED
        if refused := self.shift.check_in_step(at):
            return refused
        self._checked_in(
            task_id=self.task_id,
            worker_id=self.worker_id,
            at=at,
            channel=channel,
            recorded_by=recorded_by,
        )
        return Step.RECORDED

    @event(CheckedIn)
    def _checked_in(
        self, task_id: UUID, worker_id: UUID, at: datetime, channel: str, recorded_by: UUID | None
    ) -> None:
        del task_id, worker_id, channel, recorded_by
        self.checked_in_at = at

    def check_out(
        self,
        *,
        at: datetime,
        minutes: int,
        note: str,
        channel: str,
        recorded_by: UUID | None = None,
    ) -> Step:
        """Record the check-out once, not before the shift's start; say what happened.

        Raises:
            JobStateError: not checked in yet, or finishing before starting.
        """
        if self.ended:
            return Step.ENDED
        if self.checked_out_at is not None:
            return Step.REPEATED
        began = self.checked_in_at or self.started_at
        if began is None:
            raise JobStateError(self.task_id, "check out", "check in first")
        if at < began:
            raise JobStateError(self.task_id, "check out", "before the check-in")
        if refused := self.shift.check_out_step(at):
            return refused
        self._checked_out(
            task_id=self.task_id,
            worker_id=self.worker_id,
            at=at,
            minutes=minutes,
            note=note,
            channel=channel,
            recorded_by=recorded_by,
        )
        return Step.RECORDED

    @event(CheckedOut)
    def _checked_out(
        self,
        task_id: UUID,
        worker_id: UUID,
        at: datetime,
        minutes: int,
        note: str,
        channel: str,
        recorded_by: UUID | None,
    ) -> None:
        del task_id, worker_id, note, channel, recorded_by
        self.checked_out_at, self.minutes = at, minutes

    def record_notice(self, *, kind: str, channel: str, outcome: str, detail: str) -> None:
        """Record one attempt to send a notice about the task."""
        self._notified(kind=kind, channel=channel, outcome=outcome, detail=detail[:500])

    @event(Notified)
    def _notified(self, kind: str, channel: str, outcome: str, detail: str) -> None:
        del kind, channel, outcome, detail

    # ---- what the broker records ---------------------------------------------------------

    def cancel(self, reason: str) -> None:
        """The task will not be done (idempotent)."""
        if not self.cancelled:
            self._cancelled(reason=reason)

    @event(Cancelled)
    def _cancelled(self, reason: str) -> None:
        del reason
        self.cancelled = True

    def record_start(self, at: datetime) -> None:
        """The broker recorded the start; changes nothing once started here or ended."""
        if not self.ended and self.checked_in_at is None and self.started_at is None:
            self._work_started(at=at)

    @event(WorkStarted)
    def _work_started(self, at: datetime) -> None:
        self.started_at = at

    def confirm(self, work: ConfirmedWork) -> None:
        """The requester confirmed the work (once; not after a cancellation or no-show)."""
        if not self.ended:
            self._work_confirmed(
                started_at=work.started_at,
                finished_at=work.finished_at,
                worked_minutes=work.worked_minutes,
                reward_kind=work.reward_kind,
                reward_yen=work.reward_yen,
                transport_allowance_yen=work.transport_allowance_yen,
                withholding_applies=work.withholding_applies,
            )

    @event(WorkConfirmed)
    def _work_confirmed(
        self,
        *,
        started_at: datetime,
        finished_at: datetime,
        worked_minutes: int,
        reward_kind: str,
        reward_yen: int,
        transport_allowance_yen: int,
        withholding_applies: bool,
    ) -> None:
        self.confirmed = ConfirmedWork(
            started_at=started_at,
            finished_at=finished_at,
            worked_minutes=worked_minutes,
            reward_kind=reward_kind,
            reward_yen=reward_yen,
            transport_allowance_yen=transport_allowance_yen,
            withholding_applies=withholding_applies,
        )

    def record_no_show(self) -> None:
        """The worker did not come: the job ends (once; not after it was confirmed)."""
        if not self.ended:
            self._no_show_recorded()

    @event(NoShowRecorded)
    def _no_show_recorded(self) -> None:
        self.no_show = True

    def hold_pay(self, reason: str) -> None:
        """The confirmed work is disputed (once per dispute; nothing to hold before 検収)."""
        if self.confirmed is not None and not self.disputed and not self.cancelled:
            self._pay_disputed(reason=reason[:200])

    @event(PayDisputed)
    def _pay_disputed(self, reason: str) -> None:
        del reason
        self.disputed = True

    def settle_pay(self, worked_minutes: int) -> None:
        """The dispute was settled on `worked_minutes` (nothing to settle before 検収)."""
        if self.confirmed is None or self.cancelled:
            return
        if self.disputed or self.confirmed.worked_minutes != worked_minutes:
            self._dispute_settled(worked_minutes=worked_minutes)

    @event(DisputeSettled)
    def _dispute_settled(self, worked_minutes: int) -> None:
        assert self.confirmed is not None  # noqa: S101 - settled only after a 検収
        self.confirmed = self.confirmed.settled_at(worked_minutes)
        self.disputed = False

    def reassign(
        self, *, starts_at: datetime, ends_at: datetime | None, shown: dict[str, Any]
    ) -> bool:
        """After a no-show the task is this worker's again: a fresh job; False otherwise."""
        if not self.no_show or self.cancelled:
            return False
        self._reassigned(starts_at=starts_at, ends_at=ends_at, shown=shown)
        return True

    @event(Reassigned)
    def _reassigned(
        self, starts_at: datetime, ends_at: datetime | None, shown: dict[str, Any]
    ) -> None:
        self._begin(starts_at=starts_at, ends_at=ends_at, shown=shown)
