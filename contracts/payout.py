"""Facts payout publishes: rewards, payout runs and payments. Additive changes only."""

from datetime import date
from uuid import UUID

import msgspec

from contracts.base import IntegrationEvent, ShortText, Yen


class RewardAccrued(IntegrationEvent, frozen=True, tag="payout.reward_accrued.v1"):
    """A worker earned a reward for a task; it waits for the next payout run."""

    reward_id: UUID
    """The reward; RewardPaid and PayoutFailed name it."""
    task_id: UUID
    """The task it pays for."""
    worker_id: UUID
    """Who is owed."""
    requester_id: UUID
    """Who is charged."""
    gross_reward_yen: Yen
    """The reward before withholding (hourly by minutes, or fixed)."""
    transport_allowance_yen: Yen
    """Travel allowance, outside the withholding base."""
    compensation_yen: Yen
    """Compensation for a cancellation after acceptance; 0 otherwise."""
    withholding_yen: Yen
    """Income tax withheld (所得税法204条); 0 for most work."""
    net_payable_yen: Yen
    """What the worker will receive: gross + transport + compensation − withholding."""
    fee_yen: Yen
    """The council's fee charged to the requester, before consumption tax."""
    fee_consumption_tax_yen: Yen
    """Consumption tax on the fee."""
    pay_by: date
    """The フリーランス法 deadline: at most 60 days after the work was received (JST)."""


class PayoutRunClosed(IntegrationEvent, frozen=True, tag="payout.payout_run_closed.v1"):
    """The accountant closed a period; its payable rewards were put into a bank file."""

    payout_run_id: UUID
    """The run."""
    period_start: date
    """First day of the closed period (JST)."""
    period_end: date
    """Last day of the closed period (月末締め by default)."""
    pay_on: date
    """The transfer date given to the bank."""
    reward_count: int
    """Rewards in the run."""
    worker_count: int
    """Workers paid by the run."""
    total_net_yen: Yen
    """Sum transferred to workers."""
    total_withholding_yen: Yen
    """Sum withheld, owed to the tax office by the 10th of the next month."""


class RewardPaid(IntegrationEvent, frozen=True, tag="payout.reward_paid.v1"):
    """The bank confirmed the transfer of one reward to the worker."""

    reward_id: UUID
    """The reward paid."""
    payout_run_id: UUID
    """The run that paid it."""
    task_id: UUID
    """The task it paid for."""
    worker_id: UUID
    """Who was paid."""
    net_paid_yen: Yen
    """Yen transferred for this reward."""
    paid_on: date
    """The value date of the transfer (JST)."""


class PayoutFailed(IntegrationEvent, frozen=True, tag="payout.payout_failed.v1"):
    """The bank could not transfer a reward; it is carried into the next run."""

    reward_id: UUID
    """The reward not paid."""
    payout_run_id: UUID
    """The run that tried."""
    task_id: UUID
    """The task it pays for."""
    worker_id: UUID
    """Who is still owed."""
    amount_yen: Yen
    """Yen that could not be transferred."""
    reason: ShortText
    """The bank's result code and text, e.g. `2: 口座なし (no such account)`."""


PayoutEvent = RewardAccrued | PayoutRunClosed | RewardPaid | PayoutFailed
payout_decoder: msgspec.json.Decoder[PayoutEvent] = msgspec.json.Decoder(PayoutEvent)
