"""The requester or a coordinator cancels a task (free before acceptance)."""

from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.domain.errors import TaskNotFoundError


class CancelTask(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Why the task is cancelled."""

    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


def cancel_task(
    app: BrokerApplication,
    task_id: UUID,
    cmd: CancelTask,
    *,
    tenant: str,
    cancelled_by: str,
    requester_id: UUID | None,
) -> None:
    """Cancel; open offers are withdrawn; after acceptance payout will compensate.

    Raises:
        NotFoundError: unknown task, or not the requester's.
        TaskStateError: already done or cancelled.
    """
    task = app.task(task_id, tenant)
    if requester_id is not None and task.requester_id != requester_id:
        raise TaskNotFoundError(task_id)
    task.cancel(cancelled_by=cancelled_by, reason=cmd.reason)
    app.save(task)
