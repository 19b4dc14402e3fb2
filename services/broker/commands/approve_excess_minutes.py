"""A coordinator approves minutes beyond a shift and its tolerance, with the reason why."""

from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication


class ApproveExcessMinutes(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How many extra minutes may be confirmed, and why (kept in the broker only)."""

    excess_minutes: Annotated[int, msgspec.Meta(ge=1, le=720)]
    """Minutes on top of the shift's length and the request's tolerance; replaces any
    earlier approval."""
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


def approve_excess_minutes(
    app: BrokerApplication,
    task_id: UUID,
    cmd: ApproveExcessMinutes,
    *,
    tenant: str,
    coordinator_id: UUID,
) -> None:
    """Record the approval (ExcessApproved); a 検収 up to the new limit is then accepted.

    Raises:
        TaskNotFoundError: unknown task.
        TaskStateError: nobody is assigned, or the work is confirmed or cancelled.
    """
    task = app.task(task_id, tenant)
    task.approve_excess(
        excess_minutes=cmd.excess_minutes, reason=cmd.reason, approved_by=coordinator_id
    )
    app.save(task)
