"""When the broker confirms work done (WorkCompleted), the worker has earned its reward."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import WorkCompleted
from payout.application import PayoutApplication
from payout.domain import money
from payout.domain.periods import pay_by
from payout.domain.reward import Reward, reward_id
from payout.domain.values import TOKYO


def when_work_completed_accrue_reward(
    app: PayoutApplication, done: WorkCompleted, processing: ProcessingEvent[UUID]
) -> None:
    """Accrue the reward once per task, with its ledger entry."""
    ident = reward_id(done.task_id, "work")
    if ident in processing.aggregates or ident in app.repository:
        return  # a redelivery: the reward and its posting are already there
    amounts = money.for_work(
        kind=done.reward_kind.value,
        rate_yen=done.reward_yen,
        minutes=done.worked_minutes,
        transport_yen=done.transport_allowance_yen,
        withholding_applies=done.withholding_applies,
        terms=app.terms,
    )
    received_on = done.finished_at.astimezone(TOKYO).date()
    reward = Reward.accrue(
        tenant=done.tenant,
        task_id=done.task_id,
        worker_id=done.worker_id,
        requester_id=done.requester_id,
        cause="work",
        received_on=received_on,
        pay_by=pay_by(received_on),
        terms={
            "job_request_id": str(done.job_request_id),
            "sector": done.sector.value,
            "reward_kind": done.reward_kind.value,
            "reward_yen": done.reward_yen,
            "worked_minutes": done.worked_minutes,
            "transport_allowance_yen": done.transport_allowance_yen,
            "withholding_applies": done.withholding_applies,
        },
        amounts=amounts,
    )
    processing.collect_events(reward)
