"""The double-entry ledger: accounts, balanced entries, and what each business fact posts.

An entry is a list of (account, amount) lines: a positive amount debits the account, a
negative one credits it, and the lines of an entry sum to zero. Entries travel inside the
reward and run events that cause them, so a fact and its posting are stored together and
once: a redelivered WorkCompleted finds its reward already there and posts nothing.
"""

from collections.abc import Iterable
from uuid import UUID

from payout.domain.money import Amounts

Line = tuple[str, int]
Entry = list[Line]

BANK = "bank"
FEE_REVENUE = "fee_revenue"
WITHHOLDING_PAYABLE = "withholding_payable"
CONSUMPTION_TAX_PAYABLE = "consumption_tax_payable"


class UnbalancedEntryError(ValueError):
    """An entry's debits and credits differ."""


def receivable(requester_id: UUID) -> str:
    """What one requester owes the council."""
    return f"requester_receivable:{requester_id}"


def payable(worker_id: UUID) -> str:
    """What the council owes one worker."""
    return f"worker_payable:{worker_id}"


def balanced(lines: Iterable[Line]) -> Entry:
    """Drop zero lines and check the rest sum to zero.

    Raises:
        UnbalancedEntryError: they do not.
    """
    entry = [(account, amount) for account, amount in lines if amount]
    if sum(amount for _, amount in entry) != 0:
        msg = f"unbalanced entry: {entry}"
        raise UnbalancedEntryError(msg)
    return entry


def accrual(amounts: Amounts, *, requester_id: UUID, worker_id: UUID) -> Entry:
    """A reward earned: the requester owes everything, the council owes the worker the net.

    Dr requester receivable (reward + transport + compensation + fee + tax)
    Cr worker payable (net), withholding payable, fee revenue, consumption tax payable.
    """
    return balanced(
        [
            (receivable(requester_id), amounts.charged),
            (payable(worker_id), -amounts.net),
            (WITHHOLDING_PAYABLE, -amounts.withholding),
            (FEE_REVENUE, -amounts.fee),
            (CONSUMPTION_TAX_PAYABLE, -amounts.fee_tax),
        ]
    )


def adjustment(before: Amounts, after: Amounts, *, requester_id: UUID, worker_id: UUID) -> Entry:
    """A settled dispute: post the difference between the two accruals."""
    old = dict(accrual(before, requester_id=requester_id, worker_id=worker_id))
    new = dict(accrual(after, requester_id=requester_id, worker_id=worker_id))
    accounts = sorted(set(old) | set(new))
    return balanced((account, new.get(account, 0) - old.get(account, 0)) for account in accounts)


def payment(worker_id: UUID, amount: int) -> Entry:
    """The bank transferred money to a worker: Dr worker payable, Cr bank."""
    return balanced([(payable(worker_id), amount), (BANK, -amount)])


def entry_to_state(entry: Entry) -> list[list[str | int]]:
    """JSON-friendly lines for an event."""
    return [[account, amount] for account, amount in entry]


def entry_from_state(state: list[list[str | int]]) -> Entry:
    """The inverse of `entry_to_state`."""
    return [(str(account), int(amount)) for account, amount in state]
