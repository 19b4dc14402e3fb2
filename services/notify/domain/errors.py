"""What can go wrong in notify, under one root."""

from uuid import UUID


class NotifyError(Exception):
    """A notify command cannot be carried out."""


class NotFoundError(NotifyError):
    """An id names nothing this worker (or tenant) owns."""

    def __init__(self, kind: str, ident: UUID) -> None:
        super().__init__(f"no {kind} {ident}")


class JobStateError(NotifyError):
    """The task is not in a state that allows this (checked out before checking in …)."""

    def __init__(self, task_id: UUID, action: str, why: str) -> None:
        super().__init__(f"task {task_id}: cannot {action}: {why}")
