"""Know who may be paid; after erasure, destroy the key of their bank account."""

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from contracts.broker import WorkerErased, WorkerRegistered
from payout.application import PayoutApplication
from payout.domain.payee import Payee


def when_worker_registered_add_payee(
    app: PayoutApplication, registered: WorkerRegistered, processing: ProcessingEvent[UUID]
) -> None:
    """Record the payee (an id only; the bank account comes from the accountant)."""
    if registered.worker_id in processing.aggregates or registered.worker_id in app.repository:
        return
    processing.collect_events(Payee(id=registered.worker_id, tenant=registered.tenant))


def when_worker_erased_destroy_bank_key(
    app: PayoutApplication, erased: WorkerErased, processing: ProcessingEvent[UUID]
) -> None:
    """Destroy the worker's data key here too: their bank account becomes unreadable."""
    app.vault.erase(erased.worker_id)
    try:
        payee = app.get_for_update(erased.worker_id, processing, Payee)
    except AggregateNotFoundError:
        payee = Payee(id=erased.worker_id, tenant=erased.tenant)
    payee.erase()
    processing.collect_events(payee)
