"""The assigned worker checks in (recorded by a coordinator, or by notify on their behalf)."""

from datetime import datetime
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.domain.errors import InvalidRequestError


class StartWork(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who checked in, and when (default: now)."""

    worker_id: UUID
    at: datetime | None = None


def start_work(
    app: BrokerApplication, task_id: UUID, cmd: StartWork, *, tenant: str, now: datetime
) -> None:
    """Record the check-in (WorkStarted).

    Raises:
        TaskNotFoundError: unknown task.
        TaskStateError: the task is not assigned to this worker.
        InvalidRequestError: the check-in time is in the future.
        CheckInOutsideWindowError: more than CHECK_IN_EARLY before the start, or after the end.
    """
    at = cmd.at or now
    if at > now:
        msg = "a check-in cannot be in the future"
        raise InvalidRequestError(msg)
    task = app.task(task_id, tenant)
    task.start_work(worker_id=cmd.worker_id, at=at)
    app.save(task)
