"""The dispatcher records each notice it sends: a task confirmed, a reminder, a cancellation."""

from uuid import UUID

from notify.application import NotifyApplication
from notify.domain.job import Job
from notify.domain.offer import Offer, Outcome


def record_notice(
    app: NotifyApplication,
    about: UUID,
    *,
    kind: str,
    channel: str,
    outcome: Outcome,
    detail: str,
) -> None:
    """Record one attempt on the job or offer the notice is about."""
    found: Job | Offer = app.repository.get(about)
    found.record_notice(kind=kind, channel=channel, outcome=outcome.value, detail=detail)
    app.save(found)
