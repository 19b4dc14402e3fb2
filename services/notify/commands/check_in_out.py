"""The worker checks in and out of an assigned task — each exactly once."""

from datetime import datetime
from uuid import UUID

from notify.application import NotifyApplication
from notify.domain.errors import JobStateError
from notify.domain.job import Job

MAX_MINUTES = 16 * 60


def check_in(
    app: NotifyApplication,
    job_id: UUID,
    *,
    tenant: str,
    worker_id: UUID | None,
    channel: str,
    now: datetime,
    recorded_by: UUID | None = None,
) -> tuple[bool, Job]:
    """Record the check-in; False when it was recorded before.

    Raises:
        NotFoundError: not this worker's task.
        JobStateError: the task was cancelled.
    """
    job = app.job(job_id, tenant, worker_id)
    recorded = job.check_in(at=now, channel=channel, recorded_by=recorded_by)
    app.save(job)
    return recorded, job


def check_out(  # noqa: PLR0913 - who, which, where, when, how long
    app: NotifyApplication,
    job_id: UUID,
    *,
    tenant: str,
    worker_id: UUID | None,
    channel: str,
    now: datetime,
    minutes: int | None = None,
    note: str = "",
    recorded_by: UUID | None = None,
) -> tuple[bool, Job]:
    """Record the check-out and the minutes worked (default: since the check-in).

    Raises:
        NotFoundError: not this worker's task.
        JobStateError: not checked in, cancelled, or an impossible number of minutes.
    """
    job = app.job(job_id, tenant, worker_id)
    if minutes is None and job.checked_in_at is not None:
        minutes = max(1, round((now - job.checked_in_at).total_seconds() / 60))
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise JobStateError(job.task_id, "check out", f"minutes must be 1 to {MAX_MINUTES}")
    recorded = job.check_out(
        at=now, minutes=minutes or 1, note=note[:200], channel=channel, recorded_by=recorded_by
    )
    app.save(job)
    return recorded, job
