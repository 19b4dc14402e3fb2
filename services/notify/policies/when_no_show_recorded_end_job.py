"""When the broker records a no-show, the job leaves the worker's upcoming work."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import NoShowRecorded
from notify.application import NotifyApplication
from notify.policies.jobs import job_of


def when_no_show_recorded_end_job(
    app: NotifyApplication, no_show: NoShowRecorded, processing: ProcessingEvent[UUID]
) -> None:
    """End the job (the task is open to others again): no はじめる, no reminder."""
    job = job_of(app, no_show.task_id, no_show.worker_id, processing)
    if job is None:
        return
    job.record_no_show()
    processing.collect_events(job)
