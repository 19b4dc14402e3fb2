"""A coordinator updates a worker's personal details (new phone, moved house …)."""

from datetime import date
from uuid import UUID

from broker.application import BrokerApplication
from broker.commands.register_worker import PersonalDetails, seal_personal
from broker.domain.errors import InvalidRequestError, WorkerErasedError


def change_personal_details(
    app: BrokerApplication, worker_id: UUID, details: PersonalDetails, *, tenant: str, today: date
) -> None:
    """Seal and record the new details.

    Raises:
        WorkerNotFoundError: unknown worker.
        WorkerErasedError: the worker was erased.
        InvalidRequestError: consent or a contact detail is missing.
    """
    problems = details.problems(today)
    if problems:
        raise InvalidRequestError("; ".join(problems))
    worker = app.worker(worker_id, tenant)
    if worker.erased:  # checked before sealing: an erased person's key is gone
        raise WorkerErasedError(worker_id)
    worker.change_personal(seal_personal(app, worker_id, details))
    app.save(worker)
