"""Erase a worker's personal data on request (APPI 利用停止・消去).

The worker's data key is destroyed first, then the erasure is recorded (and published as
WorkerErased, so every other service destroys its own key for this person). Every sealed
copy of their details, in every stored event and export, is unreadable from then on; their
id, minutes and yen stay, so history, reports and ledgers are unchanged. Repeating the
command is harmless.
"""

from uuid import UUID

from broker.application import BrokerApplication


def erase_worker(app: BrokerApplication, worker_id: UUID, *, tenant: str) -> None:
    """Destroy the data key and record the erasure (idempotent).

    Raises:
        WorkerNotFoundError: unknown worker.
    """
    worker = app.worker(worker_id, tenant)
    app.vault.erase(worker_id)
    worker.erase()
    app.save(worker)
