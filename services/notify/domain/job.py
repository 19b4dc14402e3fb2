"""A task assigned to a worker, as their page shows it: check in and check out, once each."""

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from notify.domain.errors import JobStateError


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
    ) -> None:
        del id
        self.tenant, self.task_id, self.worker_id = tenant, task_id, worker_id
        self.starts_at, self.shown = starts_at, shown
        self.checked_in_at: datetime | None = None
        self.checked_out_at: datetime | None = None
        self.minutes: int | None = None
        self.cancelled = False

    def check_in(self, *, at: datetime, channel: str, recorded_by: UUID | None = None) -> bool:
        """Record the check-in once; False when it was recorded before.

        Raises:
            JobStateError: the task was cancelled.
        """
        if self.cancelled:
            raise JobStateError(self.task_id, "check in", "the task was cancelled")
        if self.checked_in_at is not None:
            return False
        self._checked_in(
            task_id=self.task_id,
            worker_id=self.worker_id,
            at=at,
            channel=channel,
            recorded_by=recorded_by,
        )
        return True

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
    ) -> bool:
        """Record the check-out once; False when it was recorded before.

        Raises:
            JobStateError: not checked in yet, cancelled, or finishing before starting.
        """
        if self.cancelled:
            raise JobStateError(self.task_id, "check out", "the task was cancelled")
        if self.checked_out_at is not None:
            return False
        if self.checked_in_at is None:
            raise JobStateError(self.task_id, "check out", "check in first")
        if at < self.checked_in_at:
            raise JobStateError(self.task_id, "check out", "before the check-in")
        self._checked_out(
            task_id=self.task_id,
            worker_id=self.worker_id,
            at=at,
            minutes=minutes,
            note=note,
            channel=channel,
            recorded_by=recorded_by,
        )
        return True

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

    def cancel(self, reason: str) -> None:
        """The task will not be done (idempotent)."""
        if not self.cancelled:
            self._cancelled(reason=reason)

    @event(Cancelled)
    def _cancelled(self, reason: str) -> None:
        del reason
        self.cancelled = True
