"""When the worker checks out, keep their report of the minutes worked for the 検収."""

import logging
from uuid import UUID

from eventsourcing.application import ProcessingEvent

from broker.application import BrokerApplication
from broker.domain.task import Task
from contracts.notify import WorkerCheckedOut

log = logging.getLogger(__name__)


def when_worker_checked_out_record_report(
    app: BrokerApplication, checked_out: WorkerCheckedOut, processing: ProcessingEvent[UUID]
) -> None:
    """Record WorkReported once; the requester or a coordinator still confirms it.

    A repeated or moot check-out, or one before the shift's start, changes nothing.
    """
    task = app.get_for_update(checked_out.task_id, processing, Task)
    if not task.report(
        worker_id=checked_out.worker_id,
        finished_at=checked_out.checked_out_at,
        minutes=checked_out.reported_minutes,
        note=checked_out.note,
    ):
        log.info(
            "check-out changes nothing",
            extra={
                "task_id": str(task.id),
                "status": task.status.value,
                "before_start": checked_out.checked_out_at < task.starts_at,
            },
        )
    processing.collect_events(task)
