"""A disputed reward is held; when the dispute is settled it is adjusted and released."""

import logging
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from contracts.broker import DisputeResolved, WorkDisputed
from payout.application import PayoutApplication
from payout.domain import money
from payout.domain.reward import Reward, reward_id

log = logging.getLogger(__name__)


def when_work_disputed_hold(
    app: PayoutApplication, disputed: WorkDisputed, processing: ProcessingEvent[UUID]
) -> None:
    """Hold the task's reward until the dispute is settled."""
    try:
        reward = app.get_for_update(reward_id(disputed.task_id, "work"), processing, Reward)
    except AggregateNotFoundError:
        log.warning("dispute of task %s before any reward; nothing to hold", disputed.task_id)
        return
    reward.hold(disputed.reason)
    processing.collect_events(reward)


def when_dispute_resolved_settle(
    app: PayoutApplication, resolved: DisputeResolved, processing: ProcessingEvent[UUID]
) -> None:
    """Recompute the reward from the agreed minutes and post the difference."""
    try:
        reward = app.get_for_update(reward_id(resolved.task_id, "work"), processing, Reward)
    except AggregateNotFoundError:
        log.warning("dispute of task %s settled before any reward", resolved.task_id)
        return
    terms = reward.terms
    after = money.for_work(
        kind=str(terms["reward_kind"]),
        rate_yen=int(terms["reward_yen"]),
        minutes=resolved.worked_minutes,
        transport_yen=int(terms["transport_allowance_yen"]),
        withholding_applies=bool(terms["withholding_applies"]),
        terms=app.terms,
    )
    reward.settle(after, resolved.resolution)
    processing.collect_events(reward)
