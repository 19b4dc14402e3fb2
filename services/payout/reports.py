"""Questions the accountant and the auditors ask of the books: invoices, risk, reconciliation."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from payout.books import Books, RewardLine
from payout.domain.periods import Period


@dataclass(frozen=True, kw_only=True)
class InvoiceLine:
    """One task on a requester's monthly invoice."""

    task_id: UUID
    received_on: date
    cause: str
    reward_yen: int
    transport_yen: int
    compensation_yen: int
    fee_yen: int
    fee_tax_yen: int

    @property
    def total_yen(self) -> int:
        """The line's total."""
        return (
            self.reward_yen
            + self.transport_yen
            + self.compensation_yen
            + self.fee_yen
            + self.fee_tax_yen
        )


@dataclass(frozen=True, kw_only=True)
class Invoice:
    """A requester's invoice for one month (請求書)."""

    requester_id: UUID
    period: str
    lines: list[InvoiceLine]

    def total(self, what: str) -> int:
        """Sum of one column (`reward_yen`, `fee_yen` … or `total_yen`)."""
        return sum(int(getattr(line, what)) for line in self.lines)


def invoice(books: Books, tenant: str, requester_id: UUID, period: Period) -> Invoice:
    """Everything received from a requester's tasks in the month, with fee and tax."""
    lines = [
        InvoiceLine(
            task_id=r.task_id,
            received_on=r.received_on,
            cause=r.cause,
            reward_yen=r.amounts.reward,
            transport_yen=r.amounts.transport,
            compensation_yen=r.amounts.compensation,
            fee_yen=r.amounts.fee,
            fee_tax_yen=r.amounts.fee_tax,
        )
        for r in books.of_tenant(tenant)
        if r.requester_id == requester_id and period.start <= r.received_on <= period.end
    ]
    lines.sort(key=lambda line: (line.received_on, str(line.task_id)))
    return Invoice(requester_id=requester_id, period=str(period), lines=lines)


def at_risk(books: Books, tenant: str, *, today: date, next_pay_on: date) -> list[RewardLine]:
    """Unpaid rewards whose フリーランス法 deadline falls before the next pay day, or passed."""
    return sorted(
        (
            r
            for r in books.of_tenant(tenant)
            if r.outstanding > 0 and (next_pay_on > r.pay_by or today > r.pay_by)
        ),
        key=lambda r: (r.pay_by, str(r.reward_id)),
    )


@dataclass(kw_only=True)
class Reconciliation:
    """What reconciling one period found; clean when `problems` is empty."""

    period: str
    rewards: int = 0
    accrued_yen: int = 0
    paid_yen: int = 0
    payable_yen: int = 0
    trial_balance: int = 0
    upstream_checked: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """No discrepancy."""
        return not self.problems


def reconcile(
    books: Books, tenant: str, period: Period, completed_tasks: set[UUID] | None = None
) -> Reconciliation:
    """Check the period's rewards, payments, the ledger and the bank-file totals.

    `completed_tasks` are the WorkCompleted task ids the broker published for the period
    (from the BROKER stream), when they could be read.
    """
    found = Reconciliation(period=str(period), upstream_checked=completed_tasks is not None)
    in_period = [r for r in books.of_tenant(tenant) if period.start <= r.received_on <= period.end]
    found.rewards = len(in_period)
    per_task: dict[UUID, int] = defaultdict(int)
    for r in in_period:
        if r.cause == "work":
            per_task[r.task_id] += 1
        found.accrued_yen += r.amounts.net
        found.paid_yen += r.paid
        found.payable_yen += r.outstanding
        if r.paid + r.outstanding != r.amounts.net:
            found.problems.append(f"reward {r.reward_id}: paid + payable ≠ accrued")
    found.problems += [
        f"task {task}: {count} rewards for one WorkCompleted"
        for task, count in per_task.items()
        if count != 1
    ]
    if completed_tasks is not None:
        found.problems += [
            f"task {task}: WorkCompleted without a RewardAccrued"
            for task in sorted(completed_tasks - set(per_task), key=str)
        ]
        found.problems += [
            f"task {task}: RewardAccrued without a WorkCompleted"
            for task in sorted(set(per_task) - completed_tasks, key=str)
        ]
    found.trial_balance = books.trial_balance(tenant)
    if found.trial_balance != 0:
        found.problems.append(f"trial balance is {found.trial_balance}, not 0")
    found.problems += [f"unbalanced entry: {where}" for where in books.unbalanced]
    for run in books.runs.values():
        if run.tenant != tenant or run.period != str(period):
            continue
        paid_lines = sum(
            int(str(line["amount"]))
            for line in run.lines
            if run.settled.get(int(str(line["line"])))
        )
        if paid_lines != books.paid_total.get(run.run_id, 0):
            found.problems.append(
                f"run {run.period}: bank lines confirmed paid total {paid_lines} yen but "
                f"RewardPaid totals {books.paid_total.get(run.run_id, 0)} yen"
            )
    return found
