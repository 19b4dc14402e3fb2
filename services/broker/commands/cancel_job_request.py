"""A requester (or coordinator) withdraws a whole job request; its tasks are cancelled."""

from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.domain.errors import JobRequestNotFoundError
from broker.domain.task import Task, TaskStatus


class CancelJobRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Why the request is withdrawn."""

    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


def cancel_job_request(
    app: BrokerApplication,
    job_request_id: UUID,
    cmd: CancelJobRequest,
    *,
    tenant: str,
    cancelled_by: str,
    requester_id: UUID | None,
) -> None:
    """Cancel the request and every task not yet done, in one transaction.

    Raises:
        JobRequestNotFoundError: unknown request, or not the requester's.
    """
    job = app.job_request(job_request_id, tenant)
    if requester_id is not None and job.requester_id != requester_id:
        raise JobRequestNotFoundError(job_request_id)
    job.cancel(cmd.reason)
    live = (TaskStatus.OPEN, TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)
    tasks: list[Task] = []
    for task_id in job.task_ids:
        task = app.task(task_id, tenant)
        if task.status in live:
            task.cancel(cancelled_by=cancelled_by, reason=cmd.reason)
            tasks.append(task)
    app.save(job, *tasks)
