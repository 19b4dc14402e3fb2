"""A task's timeline as auditors read it: who did what, when, and why a worker was offered."""

from datetime import datetime
from typing import Any
from uuid import UUID

from broker.application import BrokerApplication
from broker.domain.errors import TaskNotFoundError
from broker.domain.task import Task

WHO_FIELDS = (
    "worker_id",
    "recorded_by",
    "confirmed_by",
    "cancelled_by",
    "requester_id",
    "approved_by",
)
SKIPPED = {
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
    "_flow",
    "shown",
    "terms",
}


def timeline(
    app: BrokerApplication, task_id: UUID, tenant: str, at: datetime | None = None
) -> tuple[Task, list[dict[str, Any]]]:
    """The task as it stood at `at` (now when None) and every event up to then.

    Raises:
        TaskNotFoundError: no such task for this tenant, or none yet at `at`.
    """
    stored: list[Any] = list(app.repository.event_store.get(task_id))
    events = [e for e in stored if at is None or e.timestamp <= at]
    if not events or getattr(events[0], "tenant", None) != tenant:
        raise TaskNotFoundError(task_id)
    task: Any = None
    entries = []
    for event in events:
        task = event.mutate(task)
        facts = {
            key: value
            for key, value in vars(event).items()
            if key not in SKIPPED and not key.startswith("_")
        }
        entries.append(
            {
                "at": event.timestamp,
                "what": type(event).__name__,
                "who": {k: facts.pop(k) for k in WHO_FIELDS if k in facts},
                "facts": facts,
                "status_after": task.status.value,
            }
        )
    assert isinstance(task, Task)  # noqa: S101 - a task's own events rebuild a task
    return task, entries
