"""Finding the worker's job a broker fact is about (shared by the job policies)."""

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from notify.application import NotifyApplication
from notify.domain.job import Job, job_id


def job_of(
    app: NotifyApplication, task_id: UUID, worker_id: UUID, processing: ProcessingEvent[UUID]
) -> Job | None:
    """The job of this task and worker, as changed earlier in the batch.

    None when notify has none (a task assigned before notify followed it).
    """
    try:
        return app.get_for_update(job_id(task_id, worker_id), processing, Job)
    except AggregateNotFoundError:
        return None
