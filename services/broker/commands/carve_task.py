"""A coordinator carves one task out of a job request (業務切り出し); offers go out at once."""

from datetime import datetime, time
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.domain.errors import InvalidRequestError
from broker.domain.job_request import JobRequest
from broker.domain.task import Task
from broker.domain.values import TOKYO


class CarveTask(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One shift of a job request."""

    job_request_id: UUID
    starts_at: datetime
    ends_at: datetime


def check_shift(request: JobRequest, starts_at: datetime, ends_at: datetime) -> None:
    """The shift must lie inside the request's days and daily window, at an allowed length.

    Raises:
        InvalidRequestError: it does not.
    """
    terms = request.terms
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        msg = "times need a UTC offset, e.g. 2026-10-20T09:00:00+09:00"
        raise InvalidRequestError(msg)
    local = starts_at.astimezone(TOKYO)
    day = local.date()
    midnight = datetime.combine(day, time(0), tzinfo=TOKYO)
    start = int((starts_at - midnight).total_seconds() // 60)
    end = int((ends_at - midnight).total_seconds() // 60)
    length = end - start
    if not terms["starts_on"] <= day.isoformat() <= terms["ends_on"]:
        msg = f"{day} is outside the request's days {terms['starts_on']}..{terms['ends_on']}"
        raise InvalidRequestError(msg)
    if start < terms["window_start"] or end > terms["window_end"]:
        msg = "the shift is outside the request's daily time window"
        raise InvalidRequestError(msg)
    if not terms["min_shift_minutes"] <= length <= terms["max_shift_minutes"]:
        msg = (
            f"a shift of {length} min is outside "
            f"{terms['min_shift_minutes']}..{terms['max_shift_minutes']} min"
        )
        raise InvalidRequestError(msg)


def carve_task(app: BrokerApplication, cmd: CarveTask, *, tenant: str, now: datetime) -> Task:
    """Carve the task, offer it to the fairest eligible workers, and save both.

    Raises:
        NotFoundError: no such request for this tenant.
        InvalidRequestError: the shift does not fit the request, or lies in the past.
        TaskStateError: the request was cancelled.
    """
    request = app.job_request(cmd.job_request_id, tenant)
    check_shift(request, cmd.starts_at, cmd.ends_at)
    if cmd.starts_at <= now:
        msg = "the shift starts in the past"
        raise InvalidRequestError(msg)
    task = request.carve(starts_at=cmd.starts_at, ends_at=cmd.ends_at)
    app.offer_next(task, now=now)
    app.save(request, task)
    return task
