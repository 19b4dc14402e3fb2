"""A coordinator assigns a task to a worker directly (the worker agreed in person)."""

from datetime import datetime
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.domain.constraints import broken_by
from broker.domain.errors import ConstraintBrokenError, WorkerNotFoundError


class AssignTask(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who takes the task."""

    worker_id: UUID


def assign_task(
    app: BrokerApplication,
    task_id: UUID,
    cmd: AssignTask,
    *,
    tenant: str,
    coordinator_id: UUID,
    now: datetime,
) -> None:
    """Bind the task to the worker if no hard constraint breaks.

    Raises:
        NotFoundError: unknown task or worker.
        ConstraintBrokenError: the task breaks one of the worker's constraints.
        TaskStateError: the task is not open.
    """
    task = app.task(task_id, tenant)
    app.worker(cmd.worker_id, tenant)
    app.registry.catch_up(app)
    candidate = app.registry.candidate(cmd.worker_id, now)
    if candidate is None:
        raise WorkerNotFoundError(cmd.worker_id)
    broken = broken_by(
        task.shift, candidate, is_holiday=app.is_holiday, places=app.places, ignore_task=task.id
    )
    if broken:
        raise ConstraintBrokenError(cmd.worker_id, [b.value for b in broken])
    task.assign(worker_id=cmd.worker_id, coordinator_id=coordinator_id)
    app.save(task)
