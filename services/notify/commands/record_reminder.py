"""The dispatcher records a reminder sent before a task starts."""

from uuid import UUID

from notify.application import NotifyApplication
from notify.domain.job import Job
from notify.domain.offer import Outcome


def record_reminder(
    app: NotifyApplication, job_id: UUID, *, channel: str, outcome: Outcome, detail: str
) -> None:
    """Record one reminder attempt."""
    job: Job = app.repository.get(job_id)
    job.record_reminder(channel=channel, outcome=outcome.value, detail=detail)
    app.save(job)
