"""The requester or a coordinator confirms work done (検収): one task or a day's batch."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.domain.errors import TaskNotFoundError
from broker.domain.task import Task


class Completion(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One task's confirmed work."""

    task_id: UUID
    worked_minutes: Annotated[int, msgspec.Meta(ge=1, le=720)]
    finished_at: datetime


class CompleteWork(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Work to confirm, up to a day's tasks in one call."""

    completions: Annotated[list[Completion], msgspec.Meta(min_length=1, max_length=500)]


def complete_work(
    app: BrokerApplication,
    cmd: CompleteWork,
    *,
    tenant: str,
    confirmed_by: UUID,
    requester_id: UUID | None,
    now: datetime,
) -> list[UUID]:
    """Confirm every completion at `now` in one transaction; all or nothing.

    A requester (`requester_id` set) may confirm only its own tasks. Each must be true:
    its shift has started, it finished between the start and `now` + CLOCK_SKEW, and its
    minutes fit the shift, the request's tolerance and any approved excess.

    Raises:
        NotFoundError: a task is unknown, or not the requester's.
        TaskStateError: a task is not assigned or in progress.
        ConfirmationTooEarlyError: a shift has not started yet.
        FinishTimeImpossibleError: a finish time before its start or still to come.
        WorkedMinutesOverLimitError: more minutes than allowed without an approval.
    """
    tasks: list[Task] = []
    for item in cmd.completions:
        task = app.task(item.task_id, tenant)
        if requester_id is not None and task.requester_id != requester_id:
            raise TaskNotFoundError(item.task_id)
        task.complete(
            worked_minutes=item.worked_minutes,
            finished_at=item.finished_at,
            confirmed_by=confirmed_by,
            now=now,
        )
        tasks.append(task)
    app.save(*tasks)
    return [task.id for task in tasks]
