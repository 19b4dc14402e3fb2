"""The worker checks in and out of an assigned task — each exactly once, inside the shift.

A check-in is taken from `CHECK_IN_EARLY` before the shift's start until its end, and a
check-out from the start on: the broker's own window, so notify never records (and
publishes) what the broker would refuse. Outside it nothing is recorded and the result
says why, for the page to tell the worker kindly.
"""

from datetime import datetime
from uuid import UUID

from notify.application import NotifyApplication
from notify.domain.errors import JobStateError
from notify.domain.job import Job
from notify.domain.shift import Step

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
) -> tuple[Step, Job]:
    """Record the check-in at `now`; RECORDED, or why nothing was (repeated, ended, window).

    Raises:
        NotFoundError: not this worker's task.
    """
    job = app.job(job_id, tenant, worker_id)
    step = job.check_in(at=now, channel=channel, recorded_by=recorded_by)
    app.save(job)
    return step, job


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
) -> tuple[Step, Job]:
    """Record the check-out and the minutes worked; RECORDED, or why nothing was.

    The minutes default to those since the later of the check-in and the shift's start.

    Raises:
        NotFoundError: not this worker's task.
        JobStateError: not checked in, or an impossible number of minutes.
    """
    job = app.job(job_id, tenant, worker_id)
    began = job.checked_in_at or job.started_at
    if minutes is None and began is not None:
        minutes = max(1, round((now - max(began, job.starts_at)).total_seconds() / 60))
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise JobStateError(job.task_id, "check out", f"minutes must be 1 to {MAX_MINUTES}")
    step = job.check_out(
        at=now, minutes=minutes or 1, note=note[:200], channel=channel, recorded_by=recorded_by
    )
    app.save(job)
    return step, job
