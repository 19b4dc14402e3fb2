"""The books: payout's read model of rewards, runs, payees and the ledger, from its own log.

Every payout process keeps them current by absorbing what it stores and reading the log
for what other processes stored. Ledger balances are sums of the entries carried by the
events, so the trial balance is zero by construction and checked anyway.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from backbone.readmodel import LogFollower
from payout.domain.ledger import entry_from_state
from payout.domain.money import Amounts
from payout.domain.payee import Payee
from payout.domain.reward import Reward
from payout.domain.run import PayoutRun


@dataclass
class RewardLine:
    """One reward as the books keep it."""

    reward_id: UUID
    tenant: str
    task_id: UUID
    worker_id: UUID
    requester_id: UUID
    cause: str
    received_on: date
    pay_by: date
    amounts: Amounts
    held: bool = False
    in_run: UUID | None = None
    paid: int = 0
    paid_runs: list[UUID] = field(default_factory=list)
    failures: int = 0

    @property
    def outstanding(self) -> int:
        """Still owed to the worker."""
        return self.amounts.net - self.paid


@dataclass
class RunLine:
    """One run as the books keep it."""

    run_id: UUID
    tenant: str
    period: str
    pay_on: date
    lines: list[dict[str, object]]
    skipped: list[dict[str, object]]
    withholding: int
    settled: dict[int, bool] = field(default_factory=dict)


class Books(LogFollower):
    """Rewards, runs, payees and account balances of every tenant."""

    def __init__(self) -> None:
        """Empty books at position 0."""
        super().__init__()
        self.rewards: dict[UUID, RewardLine] = {}
        self.by_task: dict[UUID, list[UUID]] = defaultdict(list)
        self.runs: dict[UUID, RunLine] = {}
        self.payees: dict[UUID, str] = {}
        self.balances: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        """tenant → account → balance (debits positive)."""
        self.paid_total: dict[UUID, int] = defaultdict(int)
        """run → yen confirmed paid by RewardPaid."""
        self.unbalanced: list[str] = []

    def post(self, tenant: str, entry_state: list[list[str | int]], where: str) -> None:
        """Add an entry's lines to the balances."""
        entry = entry_from_state(entry_state)
        if sum(amount for _, amount in entry) != 0:
            self.unbalanced.append(where)
        for account, amount in entry:
            self.balances[tenant][account] += amount

    def apply(self, event: object) -> None:
        """Update the books with one stored event."""
        match event:
            case Reward.Accrued():
                line = RewardLine(
                    reward_id=event.originator_id,
                    tenant=event.tenant,
                    task_id=event.task_id,
                    worker_id=event.worker_id,
                    requester_id=event.requester_id,
                    cause=event.cause,
                    received_on=event.received_on,
                    pay_by=event.pay_by,
                    amounts=Amounts.from_state(event.amounts),
                )
                self.rewards[line.reward_id] = line
                self.by_task[line.task_id].append(line.reward_id)
                self.post(line.tenant, event.entry, f"accrual of {line.reward_id}")
            case Reward.Held():
                self.rewards[event.originator_id].held = True
            case Reward.Adjusted():
                line = self.rewards[event.originator_id]
                line.amounts = Amounts.from_state(event.amounts)
                line.held = False
                self.post(line.tenant, event.entry, f"adjustment of {line.reward_id}")
            case Reward.Included():
                self.rewards[event.originator_id].in_run = event.run_id
            case Reward.Paid():
                line = self.rewards[event.originator_id]
                line.paid += event.amount
                line.in_run = None
                line.paid_runs.append(event.run_id)
                self.paid_total[event.run_id] += event.amount
                self.post(line.tenant, event.entry, f"payment of {line.reward_id}")
            case Reward.Failed():
                line = self.rewards[event.originator_id]
                line.in_run = None
                line.failures += 1
            case PayoutRun.Closed():
                self.runs[event.originator_id] = RunLine(
                    run_id=event.originator_id,
                    tenant=event.tenant,
                    period=event.period,
                    pay_on=event.pay_on,
                    lines=event.lines,
                    skipped=event.skipped,
                    withholding=event.withholding,
                )
            case PayoutRun.LineSettled():
                self.runs[event.originator_id].settled[event.line] = event.ok
            case Payee.Registered():
                self.payees[event.originator_id] = event.tenant
            case _:
                return

    def of_tenant(self, tenant: str) -> list[RewardLine]:
        """Every reward of a tenant."""
        with self.lock:
            return [r for r in self.rewards.values() if r.tenant == tenant]

    def trial_balance(self, tenant: str) -> int:
        """Sum of every account's balance: zero when the books balance."""
        with self.lock:
            return sum(self.balances[tenant].values())

    def balance(self, tenant: str, account: str) -> int:
        """One account's balance (debits positive)."""
        with self.lock:
            return self.balances[tenant].get(account, 0)
