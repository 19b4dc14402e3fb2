"""A coordinator confirms shifts (from a proposal, edited or not): each becomes a task."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.commands.carve_task import check_shift
from broker.domain.errors import InvalidRequestError
from broker.domain.task import Task


class ConfirmedShift(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One shift, carved `copies` times (one task per person)."""

    starts_at: datetime
    ends_at: datetime
    copies: Annotated[int, msgspec.Meta(ge=1, le=200)] = 1


class ConfirmCarving(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The shifts to carve out of one job request."""

    shifts: Annotated[list[ConfirmedShift], msgspec.Meta(min_length=1, max_length=500)]


def confirm_carving(
    app: BrokerApplication,
    job_request_id: UUID,
    cmd: ConfirmCarving,
    *,
    tenant: str,
    now: datetime,
) -> list[Task]:
    """Carve every shift as tasks and offer each; each task is saved as it is offered.

    Tasks are saved one by one so the next task's offers see the previous task's: nobody
    is offered two shifts at the same time.

    Raises:
        JobRequestNotFoundError: no such request for this tenant.
        InvalidRequestError: a shift does not fit the request or lies in the past.
        TaskStateError: the request was cancelled.
    """
    job = app.job_request(job_request_id, tenant)
    for shift in cmd.shifts:
        check_shift(job, shift.starts_at, shift.ends_at)
        if shift.starts_at <= now:
            msg = "a shift starts in the past"
            raise InvalidRequestError(msg)
    tasks: list[Task] = []
    for shift in cmd.shifts:
        for _ in range(shift.copies):
            task = job.carve(starts_at=shift.starts_at, ends_at=shift.ends_at)
            app.offer_next(task, now=now)
            app.save(job, task)
            tasks.append(task)
    return tasks
