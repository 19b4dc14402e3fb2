"""When the broker records the start (a coordinator's check-in by phone), the page follows."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import WorkStarted
from notify.application import NotifyApplication
from notify.policies.jobs import job_of


def when_work_started_mark_job_started(
    app: NotifyApplication, started: WorkStarted, processing: ProcessingEvent[UUID]
) -> None:
    """Show the job as started, offering おわる; a check-in made on the page changes nothing."""
    job = job_of(app, started.task_id, started.worker_id, processing)
    if job is None:
        return
    job.record_start(started.started_at)
    processing.collect_events(job)
