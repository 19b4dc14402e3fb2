"""A coordinator records that the assigned worker did not come; the task is offered again."""

from datetime import datetime
from uuid import UUID

from broker.application import BrokerApplication


def record_no_show(app: BrokerApplication, task_id: UUID, *, tenant: str, now: datetime) -> None:
    """Record the no-show and offer the task to the next workers.

    Raises:
        NotFoundError: unknown task.
        TaskStateError: nobody is assigned.
    """
    task = app.task(task_id, tenant)
    task.record_no_show()
    app.offer_next(task, now=now)
    app.save(task)
