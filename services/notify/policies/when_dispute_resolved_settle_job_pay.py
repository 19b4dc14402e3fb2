"""When a coordinator settles a dispute, the page shows the pay for the agreed minutes."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import DisputeResolved
from notify.application import NotifyApplication
from notify.policies.jobs import job_of


def when_dispute_resolved_settle_job_pay(
    app: NotifyApplication, resolved: DisputeResolved, processing: ProcessingEvent[UUID]
) -> None:
    """Show the pay again, now for the minutes agreed (0: nothing is owed)."""
    job = job_of(app, resolved.task_id, resolved.worker_id, processing)
    if job is None:
        return
    job.settle_pay(resolved.worked_minutes)
    processing.collect_events(job)
