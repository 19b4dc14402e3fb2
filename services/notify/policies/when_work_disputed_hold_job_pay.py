"""When confirmed work is disputed, the page says its pay is on hold."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import WorkDisputed
from notify.application import NotifyApplication
from notify.policies.jobs import job_of


def when_work_disputed_hold_job_pay(
    app: NotifyApplication, disputed: WorkDisputed, processing: ProcessingEvent[UUID]
) -> None:
    """Hold the pay shown until a coordinator settles the dispute."""
    job = job_of(app, disputed.task_id, disputed.worker_id, processing)
    if job is None:
        return
    job.hold_pay(disputed.reason)
    processing.collect_events(job)
