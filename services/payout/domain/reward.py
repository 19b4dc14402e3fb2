"""A reward: what one task (or its late cancellation) is worth to its worker, and its fate.

Accrued once per task, held while disputed, adjusted when the dispute is settled, put into
one payout run at a time, and paid — or failed and carried into the next run. Every change
of money carries its balanced ledger entry.
"""

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from payout.domain import ledger
from payout.domain.money import Amounts


def reward_id(task_id: UUID, cause: str) -> UUID:
    """One reward per task and cause (`work` or `cancellation`)."""
    return uuid5(NAMESPACE_URL, f"conbini:reward:{task_id}:{cause}")


class RewardStateError(ValueError):
    """The reward cannot do this now (paid twice, put in two runs …)."""


class Reward(Aggregate):
    """One reward owed to one worker, charged to one requester."""

    class Accrued(Aggregate.Created):
        """The worker earned it (or a late cancellation owes it)."""

        tenant: str
        task_id: UUID
        worker_id: UUID
        requester_id: UUID
        cause: str
        received_on: date
        """受領日: the day the work was received (the 60-day clock starts here), JST."""
        pay_by: date
        terms: dict[str, Any]
        amounts: dict[str, int]
        entry: list[list[str | int]]

    class Held(Aggregate.Event):
        """Disputed: not paid until settled."""

        reason: str

    class Adjusted(Aggregate.Event):
        """The dispute was settled; the reward is what was agreed."""

        amounts: dict[str, int]
        entry: list[list[str | int]]
        resolution: str

    class Included(Aggregate.Event):
        """Put into a payout run."""

        run_id: UUID
        amount: int

    class Paid(Aggregate.Event):
        """The bank confirmed the transfer."""

        task_id: UUID
        worker_id: UUID
        run_id: UUID
        amount: int
        paid_on: date
        entry: list[list[str | int]]

    class Failed(Aggregate.Event):
        """The bank could not transfer it; it is payable again in the next run."""

        task_id: UUID
        worker_id: UUID
        run_id: UUID
        amount: int
        reason: str

    @event(Accrued)
    def __init__(  # noqa: PLR0913 - one parameter per accrued fact
        self,
        *,
        id: UUID,  # noqa: A002 - reward_id(task, cause)
        tenant: str,
        task_id: UUID,
        worker_id: UUID,
        requester_id: UUID,
        cause: str,
        received_on: date,
        pay_by: date,
        terms: dict[str, Any],
        amounts: dict[str, int],
        entry: list[list[str | int]],
    ) -> None:
        del id, entry
        self.tenant, self.task_id, self.worker_id = tenant, task_id, worker_id
        self.requester_id, self.cause, self.terms = requester_id, cause, terms
        self.received_on, self.pay_by = received_on, pay_by
        self.amounts = Amounts.from_state(amounts)
        self.held = False
        self.in_run: UUID | None = None
        self.paid_yen = 0
        self.paid_on: date | None = None

    @classmethod
    def accrue(  # noqa: PLR0913 - the facts of the earning
        cls,
        *,
        tenant: str,
        task_id: UUID,
        worker_id: UUID,
        requester_id: UUID,
        cause: str,
        received_on: date,
        pay_by: date,
        terms: dict[str, Any],
        amounts: Amounts,
    ) -> "Reward":
        """Accrue a reward with its ledger entry."""
        entry = ledger.accrual(amounts, requester_id=requester_id, worker_id=worker_id)
        return cls(
            id=reward_id(task_id, cause),
            tenant=tenant,
            task_id=task_id,
            worker_id=worker_id,
            requester_id=requester_id,
            cause=cause,
            received_on=received_on,
            pay_by=pay_by,
            terms=terms,
            amounts=amounts.as_state(),
            entry=ledger.entry_to_state(entry),
        )

    @property
    def outstanding(self) -> int:
        """What is still owed to the worker.

        Negative when a settled dispute lowered a reward already paid: that overpayment
        stays visible on the worker's payable account and is never netted automatically.
        """
        return self.amounts.net - self.paid_yen

    @property
    def payable(self) -> bool:
        """May go into the next run."""
        return not self.held and self.in_run is None and self.outstanding > 0

    def hold(self, reason: str) -> None:
        """Stop payment while disputed (idempotent)."""
        if not self.held:
            self._held(reason=reason)

    @event(Held)
    def _held(self, reason: str) -> None:
        del reason
        self.held = True

    def settle(self, after: Amounts, resolution: str) -> None:
        """Apply the agreed amounts, post the difference, and release the hold."""
        entry = ledger.adjustment(
            self.amounts, after, requester_id=self.requester_id, worker_id=self.worker_id
        )
        self._adjusted(
            amounts=after.as_state(), entry=ledger.entry_to_state(entry), resolution=resolution
        )

    @event(Adjusted)
    def _adjusted(
        self, amounts: dict[str, int], entry: list[list[str | int]], resolution: str
    ) -> None:
        del entry, resolution
        self.amounts = Amounts.from_state(amounts)
        self.held = False

    def include(self, run_id: UUID) -> int:
        """Put the outstanding amount into a run and return it.

        Raises:
            RewardStateError: held, already in a run, or nothing outstanding.
        """
        if not self.payable:
            msg = f"reward {self.id} is not payable now"
            raise RewardStateError(msg)
        amount = self.outstanding
        self._included(run_id=run_id, amount=amount)
        return amount

    @event(Included)
    def _included(self, run_id: UUID, amount: int) -> None:
        del amount
        self.in_run = run_id

    def pay(self, run_id: UUID, paid_on: date) -> bool:
        """The bank transferred this reward's part of a run; False when recorded before.

        Raises:
            RewardStateError: the reward is not in that run.
        """
        if self.in_run != run_id:
            if self.paid_on is not None:
                return False
            msg = f"reward {self.id} is not in run {run_id}"
            raise RewardStateError(msg)
        amount = self.outstanding
        self._paid(
            task_id=self.task_id,
            worker_id=self.worker_id,
            run_id=run_id,
            amount=amount,
            paid_on=paid_on,
            entry=ledger.entry_to_state(ledger.payment(self.worker_id, amount)),
        )
        return True

    @event(Paid)
    def _paid(
        self,
        *,
        task_id: UUID,
        worker_id: UUID,
        run_id: UUID,
        amount: int,
        paid_on: date,
        entry: list[list[str | int]],
    ) -> None:
        del task_id, worker_id, run_id, entry
        self.paid_yen += amount
        self.paid_on = paid_on
        self.in_run = None

    def fail(self, run_id: UUID, reason: str) -> bool:
        """The bank refused this reward's line; it is payable again. False if not in the run."""
        if self.in_run != run_id:
            return False
        self._failed(
            task_id=self.task_id,
            worker_id=self.worker_id,
            run_id=run_id,
            amount=self.outstanding,
            reason=reason[:200],
        )
        return True

    @event(Failed)
    def _failed(
        self, *, task_id: UUID, worker_id: UUID, run_id: UUID, amount: int, reason: str
    ) -> None:
        del task_id, worker_id, run_id, amount, reason
        self.in_run = None

    def at_risk(self, today: date, next_pay_on: date) -> bool:
        """Unpaid and the フリーランス法 deadline falls before the next pay day (or has passed)."""
        return self.outstanding > 0 and (next_pay_on > self.pay_by or today > self.pay_by)
