"""Pause or resume offers to a worker (hospital stay, busy season at home …)."""

from uuid import UUID

from broker.application import BrokerApplication


def pause_worker(app: BrokerApplication, worker_id: UUID, *, tenant: str) -> None:
    """Stop offers (idempotent).

    Raises:
        WorkerNotFoundError: unknown worker.
    """
    worker = app.worker(worker_id, tenant)
    worker.pause()
    app.save(worker)


def resume_worker(app: BrokerApplication, worker_id: UUID, *, tenant: str) -> None:
    """Offer again (idempotent).

    Raises:
        WorkerNotFoundError: unknown worker.
    """
    worker = app.worker(worker_id, tenant)
    worker.resume()
    app.save(worker)
