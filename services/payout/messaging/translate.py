"""Payout domain events → payout contract events. Pure: no I/O, no clock, no loading."""

from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from backbone.flow import Envelope
from contracts import payout as c
from payout.domain.money import Amounts
from payout.domain.reward import Reward
from payout.domain.run import PayoutRun


def to_contract(event: DomainEventProtocol[UUID], envelope: Envelope) -> c.PayoutEvent | None:
    """Return the public fact for `event`, or None when it stays private."""
    match event:
        case Reward.Accrued():
            amounts = Amounts.from_state(event.amounts)
            return c.RewardAccrued(
                **envelope,
                reward_id=event.originator_id,
                task_id=event.task_id,
                worker_id=event.worker_id,
                requester_id=event.requester_id,
                gross_reward_yen=amounts.reward,
                transport_allowance_yen=amounts.transport,
                compensation_yen=amounts.compensation,
                withholding_yen=amounts.withholding,
                net_payable_yen=amounts.net,
                fee_yen=amounts.fee,
                fee_consumption_tax_yen=amounts.fee_tax,
                pay_by=event.pay_by,
            )
        case PayoutRun.Closed():
            return c.PayoutRunClosed(
                **envelope,
                payout_run_id=event.originator_id,
                period_start=event.period_start,
                period_end=event.period_end,
                pay_on=event.pay_on,
                reward_count=event.reward_count,
                worker_count=len(event.lines),
                total_net_yen=sum(int(line["amount"]) for line in event.lines),
                total_withholding_yen=event.withholding,
            )
        case Reward.Paid():
            return c.RewardPaid(
                **envelope,
                reward_id=event.originator_id,
                payout_run_id=event.run_id,
                task_id=event.task_id,
                worker_id=event.worker_id,
                net_paid_yen=event.amount,
                paid_on=event.paid_on,
            )
        case Reward.Failed():
            return c.PayoutFailed(
                **envelope,
                reward_id=event.originator_id,
                payout_run_id=event.run_id,
                task_id=event.task_id,
                worker_id=event.worker_id,
                amount_yen=event.amount,
                reason=event.reason[:200],
            )
        case _:
            return None  # holds, adjustments, inclusions, payees: payout's own record
