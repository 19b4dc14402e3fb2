"""Know who may be reached; after erasure, reach them no more."""

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from contracts.broker import WorkerErased, WorkerRegistered
from notify.application import NotifyApplication
from notify.domain.recipient import Recipient


def when_worker_registered_add_recipient(
    app: NotifyApplication, registered: WorkerRegistered, processing: ProcessingEvent[UUID]
) -> None:
    """Record the recipient (ids only; contacts stay with the broker)."""
    try:
        app.get_for_update(registered.worker_id, processing, Recipient)
    except AggregateNotFoundError:
        processing.collect_events(Recipient(id=registered.worker_id, tenant=registered.tenant))


def when_worker_erased_stop_reaching(
    app: NotifyApplication, erased: WorkerErased, processing: ProcessingEvent[UUID]
) -> None:
    """Send nothing more to this person."""
    try:
        recipient = app.get_for_update(erased.worker_id, processing, Recipient)
    except AggregateNotFoundError:
        recipient = Recipient(id=erased.worker_id, tenant=erased.tenant)
    recipient.erase()
    processing.collect_events(recipient)
