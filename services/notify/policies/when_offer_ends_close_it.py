"""When the broker withdraws, expires or refuses an offer, close it on the page."""

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from contracts.broker import OfferExpired, OfferWithdrawn, TaskAssignmentRefused
from contracts.values import WithdrawalReason
from notify.application import NotifyApplication
from notify.domain.job import JobState
from notify.domain.offer import Closing, Offer
from notify.policies.jobs import job_of


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
    """Taken back: someone else's yes won, or the task was cancelled.

    A coordinator's direct assignment withdraws the offers of the task, this worker's too:
    when the task went to this very worker, their offer closes as theirs, never as taken.
    """
    closing = Closing.WITHDRAWN
    if withdrawn.reason == WithdrawalReason.TASK_CANCELLED:
        closing = Closing.CANCELLED
    elif withdrawn.reason == WithdrawalReason.TASK_TAKEN:
        job = job_of(app, withdrawn.task_id, withdrawn.worker_id, processing)
        theirs = job is not None and job.state is JobState.ASSIGNED
        closing = Closing.ASSIGNED if theirs else Closing.TAKEN
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
