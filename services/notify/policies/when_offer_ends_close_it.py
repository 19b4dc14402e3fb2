"""When the broker withdraws, expires, refuses or honours an offer, close it on the page."""

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from contracts.broker import OfferExpired, OfferWithdrawn, TaskAccepted, TaskAssignmentRefused
from contracts.values import WithdrawalReason
from notify.application import NotifyApplication
from notify.domain.job import Job, job_id
from notify.domain.offer import Closing, Offer


def close_offer(
    app: NotifyApplication, offer_id: UUID, closing: Closing, processing: ProcessingEvent[UUID]
) -> Offer | None:
    """Close one offer (if notify ever received it)."""
    try:
        offer = app.get_for_update(offer_id, processing, Offer)
    except AggregateNotFoundError:
        return None
    if offer.close(closing):
        processing.collect_events(offer)
    return offer


def when_offer_withdrawn_close_it(
    app: NotifyApplication, withdrawn: OfferWithdrawn, processing: ProcessingEvent[UUID]
) -> None:
    """Taken back: someone else's yes won, or the task was cancelled."""
    closing = (
        Closing.CANCELLED
        if withdrawn.reason == WithdrawalReason.TASK_CANCELLED
        else Closing.TAKEN
        if withdrawn.reason == WithdrawalReason.TASK_TAKEN
        else Closing.WITHDRAWN
    )
    close_offer(app, withdrawn.offer_id, closing, processing)


def when_offer_expired_close_it(
    app: NotifyApplication, expired: OfferExpired, processing: ProcessingEvent[UUID]
) -> None:
    """Nobody answered in time."""
    close_offer(app, expired.offer_id, Closing.EXPIRED, processing)


def when_assignment_refused_close_it(
    app: NotifyApplication, refused: TaskAssignmentRefused, processing: ProcessingEvent[UUID]
) -> None:
    """The worker's yes came too late: the page says kindly that it is already taken."""
    close_offer(app, refused.offer_id, Closing.TAKEN, processing)


def when_task_accepted_add_job(
    app: NotifyApplication, accepted: TaskAccepted, processing: ProcessingEvent[UUID]
) -> None:
    """The task is the worker's: close their offer and list the task for check-in."""
    offer = close_offer(app, accepted.offer_id, Closing.ASSIGNED, processing)
    ident = job_id(accepted.task_id, accepted.worker_id)
    try:
        app.get_for_update(ident, processing, Job)
    except AggregateNotFoundError:
        shown = dict(offer.shown) if offer is not None else {"starts_at": accepted.starts_at}
        job = Job(
            id=ident,
            tenant=accepted.tenant,
            task_id=accepted.task_id,
            worker_id=accepted.worker_id,
            starts_at=accepted.starts_at,
            shown=shown,
        )
        processing.collect_events(job)
