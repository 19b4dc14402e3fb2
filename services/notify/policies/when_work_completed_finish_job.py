"""When the requester's 検収 is recorded, the job moves to the worker's finished work."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import WorkCompleted
from notify.application import NotifyApplication
from notify.domain.pay import ConfirmedWork
from notify.policies.jobs import job_of


def when_work_completed_finish_job(
    app: NotifyApplication, completed: WorkCompleted, processing: ProcessingEvent[UUID]
) -> None:
    """Keep the confirmed time, minutes and reward rule, so the page shows time and pay."""
    job = job_of(app, completed.task_id, completed.worker_id, processing)
    if job is None:
        return
    job.confirm(
        ConfirmedWork(
            started_at=completed.started_at,
            finished_at=completed.finished_at,
            worked_minutes=completed.worked_minutes,
            reward_kind=completed.reward_kind.value,
            reward_yen=completed.reward_yen,
            transport_allowance_yen=completed.transport_allowance_yen,
            withholding_applies=completed.withholding_applies,
        )
    )
    processing.collect_events(job)
