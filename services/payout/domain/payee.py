"""A worker payout may pay: known from WorkerRegistered, with a bank account once given.

The account's details (bank, branch, type, number, holder's kana) are sealed under the
worker's own data key in payout's key table, so erasing the worker makes them unreadable
here too, while every yen in the ledger stays.
"""

from eventsourcing.domain import Aggregate, event


class Payee(Aggregate):
    """One worker as payout knows them (id: the worker's id)."""

    class Registered(Aggregate.Created):
        """The broker registered the worker."""

        tenant: str

    class BankAccountGiven(Aggregate.Event):
        """The accountant recorded the worker's bank account (sealed)."""

        sealed: str

    class Erased(Aggregate.Event):
        """The worker's personal data was erased: the account can no longer be read."""

    @event(Registered)
    def __init__(self, *, id: object, tenant: str) -> None:  # noqa: A002 - the worker's id
        del id
        self.tenant = tenant
        self.sealed_account: str | None = None
        self.erased = False

    def give_bank_account(self, sealed: str) -> None:
        """Record a (new) sealed account."""
        self._bank_account_given(sealed=sealed)

    @event(BankAccountGiven)
    def _bank_account_given(self, sealed: str) -> None:
        self.sealed_account = sealed

    def erase(self) -> None:
        """Record the erasure (idempotent)."""
        if not self.erased:
            self._erased()

    @event(Erased)
    def _erased(self) -> None:
        self.erased = True
