"""When a task is cancelled after acceptance, take it off the worker's list of tasks."""

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from contracts.broker import TaskCancelled
from notify.application import NotifyApplication
from notify.domain.job import Job, job_id


def when_task_cancelled_cancel_job(
    app: NotifyApplication, cancelled: TaskCancelled, processing: ProcessingEvent[UUID]
) -> None:
    """Mark the worker's job cancelled (open offers close through OfferWithdrawn)."""
    if cancelled.worker_id is None:
        return
    try:
        job = app.get_for_update(job_id(cancelled.task_id, cancelled.worker_id), processing, Job)
    except AggregateNotFoundError:
        return
    job.cancel(cancelled.reason or cancelled.cancelled_by.value)
    processing.collect_events(job)
