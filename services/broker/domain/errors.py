"""What can go wrong in the broker, under one root."""

from uuid import UUID


class BrokerError(Exception):
    """A broker command cannot be carried out."""


class NotFoundError(BrokerError):
    """An id names nothing this tenant owns."""

    kind = "thing"

    def __init__(self, ident: UUID) -> None:
        super().__init__(f"no {self.kind} {ident}")


class TaskNotFoundError(NotFoundError):
    """No such task for this tenant (or requester)."""

    kind = "task"


class WorkerNotFoundError(NotFoundError):
    """No such registered worker for this tenant."""

    kind = "worker"


class JobRequestNotFoundError(NotFoundError):
    """No such job request for this tenant (or requester)."""

    kind = "job request"


class TaskStateError(BrokerError):
    """The task is not in a state that allows this."""

    def __init__(self, task_id: UUID, status: str, action: str) -> None:
        super().__init__(f"task {task_id} is {status}; cannot {action}")


class ConstraintBrokenError(BrokerError):
    """The task breaks one of the worker's hard constraints."""

    def __init__(self, worker_id: UUID, broken: list[str]) -> None:
        super().__init__(f"worker {worker_id}: breaks {', '.join(broken)}")
        self.broken = broken


class InvalidRequestError(BrokerError):
    """A job request or a carving is impossible (empty window, end before start …)."""


class WorkerErasedError(BrokerError):
    """The worker's personal data was erased; their details can no longer change."""

    def __init__(self, worker_id: UUID) -> None:
        super().__init__(f"worker {worker_id} was erased")
