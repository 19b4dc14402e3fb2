"""Notify domain events → notify contract events. Pure: no I/O, no clock, no loading."""

from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from backbone.flow import Envelope
from contracts import notify as c
from contracts.values import Channel
from notify.domain.job import Job
from notify.domain.offer import Offer


def to_contract(event: DomainEventProtocol[UUID], envelope: Envelope) -> c.NotifyEvent | None:
    """Return the public fact for `event`, or None when it stays private."""
    match event:
        case Offer.Answered(accept=True):
            return c.OfferAccepted(
                **envelope,
                offer_id=event.originator_id,
                task_id=event.task_id,
                worker_id=event.worker_id,
                channel=Channel(event.channel),
                answered_at=event.answered_at,
                recorded_by=event.recorded_by,
            )
        case Offer.Answered(accept=False):
            return c.OfferDeclined(
                **envelope,
                offer_id=event.originator_id,
                task_id=event.task_id,
                worker_id=event.worker_id,
                channel=Channel(event.channel),
                answered_at=event.answered_at,
                recorded_by=event.recorded_by,
                reason=event.reason[:200],
            )
        case Job.CheckedIn():
            return c.WorkerCheckedIn(
                **envelope,
                task_id=event.task_id,
                worker_id=event.worker_id,
                channel=Channel(event.channel),
                checked_in_at=event.at,
                recorded_by=event.recorded_by,
            )
        case Job.CheckedOut():
            return c.WorkerCheckedOut(
                **envelope,
                task_id=event.task_id,
                worker_id=event.worker_id,
                channel=Channel(event.channel),
                checked_out_at=event.at,
                reported_minutes=event.minutes,
                recorded_by=event.recorded_by,
                note=event.note[:200],
            )
        case _:
            return None  # deliveries, call list, closings: notify's own record
