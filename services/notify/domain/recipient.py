"""A registered worker as notify knows them: only ids and whether they were erased.

Contacts are never stored here: notify asks the broker for them at sending time (their
single home, sealed under the worker's own key), so erasure there reaches here too.
"""

from eventsourcing.domain import Aggregate, event


class Recipient(Aggregate):
    """A worker notify may reach (id: the broker's worker id)."""

    class Registered(Aggregate.Created):
        """The broker registered the worker."""

        tenant: str

    class Erased(Aggregate.Event):
        """The worker's personal data was erased: nothing more is sent."""

    @event(Registered)
    def __init__(self, *, id: object, tenant: str) -> None:  # noqa: A002 - the worker's id
        del id
        self.tenant = tenant
        self.erased = False

    def erase(self) -> None:
        """Stop reaching this worker (idempotent)."""
        if not self.erased:
            self._erased()

    @event(Erased)
    def _erased(self) -> None:
        self.erased = True
