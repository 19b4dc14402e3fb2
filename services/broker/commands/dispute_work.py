"""The requester or a coordinator disputes completed work; its reward is put on hold."""

from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.domain.errors import TaskNotFoundError


class DisputeWork(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What is disputed."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


def dispute_work(
    app: BrokerApplication,
    task_id: UUID,
    cmd: DisputeWork,
    *,
    tenant: str,
    raised_by: UUID,
    requester_id: UUID | None,
) -> None:
    """Record the dispute.

    Raises:
        NotFoundError: unknown task, or not the requester's.
        TaskStateError: the work is not completed.
    """
    task = app.task(task_id, tenant)
    if requester_id is not None and task.requester_id != requester_id:
        raise TaskNotFoundError(task_id)
    task.dispute(reason=cmd.reason, raised_by=raised_by)
    app.save(task)
