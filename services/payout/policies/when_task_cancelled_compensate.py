"""When a requester cancels after acceptance with too little notice, compensate the worker."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import TaskCancelled
from payout.application import PayoutApplication
from payout.domain import money
from payout.domain.periods import pay_by
from payout.domain.reward import Reward, reward_id
from payout.domain.values import TOKYO


def when_task_cancelled_compensate(
    app: PayoutApplication, cancelled: TaskCancelled, processing: ProcessingEvent[UUID]
) -> None:
    """Accrue the compensation the terms give (nothing with enough notice or before acceptance)."""
    if not cancelled.after_acceptance or cancelled.worker_id is None:
        return
    ident = reward_id(cancelled.task_id, "cancellation")
    if ident in processing.aggregates or ident in app.repository:
        return
    planned = (
        money.hourly_reward(cancelled.reward_yen, cancelled.duration_minutes)
        if cancelled.reward_kind.value == "hourly"
        else cancelled.reward_yen
    )
    amounts = money.for_cancellation(
        planned_reward_yen=planned,
        cancelled_at=cancelled.occurred_at,
        starts_at=cancelled.starts_at,
        terms=app.terms,
    )
    if amounts.compensation == 0:
        return
    received_on = cancelled.occurred_at.astimezone(TOKYO).date()
    reward = Reward.accrue(
        tenant=cancelled.tenant,
        task_id=cancelled.task_id,
        worker_id=cancelled.worker_id,
        requester_id=cancelled.requester_id,
        cause="cancellation",
        received_on=received_on,
        pay_by=pay_by(received_on),
        terms={
            "job_request_id": str(cancelled.job_request_id),
            "reward_kind": cancelled.reward_kind.value,
            "reward_yen": cancelled.reward_yen,
            "planned_minutes": cancelled.duration_minutes,
            "planned_reward_yen": planned,
            "cancelled_by": cancelled.cancelled_by.value,
            "starts_at": cancelled.starts_at.isoformat(),
        },
        amounts=amounts,
    )
    processing.collect_events(reward)
