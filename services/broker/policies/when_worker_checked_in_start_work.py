"""When the worker checks in on the worker page, the work has started (WorkStarted)."""

import logging
from uuid import UUID

from eventsourcing.application import ProcessingEvent

from broker.application import BrokerApplication
from broker.domain.task import CheckIn, Task
from contracts.notify import WorkerCheckedIn

log = logging.getLogger(__name__)


def when_worker_checked_in_start_work(
    app: BrokerApplication, checked_in: WorkerCheckedIn, processing: ProcessingEvent[UUID]
) -> None:
    """Record WorkStarted once; a repeated or moot check-in changes nothing.

    A check-in outside the window (CHECK_IN_EARLY before the start until the end) is
    recorded as CheckInRefused, and the task stays assigned; the inbox moves on.
    """
    task = app.get_for_update(checked_in.task_id, processing, Task)
    outcome = task.check_in(worker_id=checked_in.worker_id, at=checked_in.checked_in_at)
    if outcome is CheckIn.OUTSIDE_WINDOW:
        log.warning(
            "check-in refused: outside the check-in window",
            extra={"task_id": str(task.id), "checked_in_at": checked_in.checked_in_at.isoformat()},
        )
    elif outcome is CheckIn.MOOT:
        log.info(
            "check-in changes nothing",
            extra={"task_id": str(task.id), "status": task.status.value},
        )
    processing.collect_events(task)
