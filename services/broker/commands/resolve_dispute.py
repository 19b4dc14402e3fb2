"""A coordinator settles a dispute between requester and worker (the council mediates)."""

from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication


class ResolveDispute(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What was agreed."""

    worked_minutes: Annotated[int, msgspec.Meta(ge=0, le=720)]
    """The minutes the reward is based on; 0 when nothing is owed. At most the shift's
    length plus the request's tolerance plus any approved excess."""
    resolution: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


def resolve_dispute(
    app: BrokerApplication,
    task_id: UUID,
    cmd: ResolveDispute,
    *,
    tenant: str,
    coordinator_id: UUID,
) -> None:
    """Record the settlement (DisputeResolved); payout pays the agreed minutes.

    Raises:
        TaskNotFoundError: unknown task.
        TaskStateError: the work is not disputed.
        WorkedMinutesOverLimitError: more than the shift, its tolerance and approved excess.
    """
    task = app.task(task_id, tenant)
    task.resolve_dispute(
        worked_minutes=cmd.worked_minutes, resolution=cmd.resolution, resolved_by=coordinator_id
    )
    app.save(task)
