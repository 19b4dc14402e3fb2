"""Notify's event-sourced application: loading helpers and its board."""

from collections.abc import Mapping
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording

from backbone.stores import Policy, ServiceApplication
from contracts.base import IntegrationEvent
from notify.board import Board
from notify.domain.errors import NotFoundError
from notify.domain.job import Job
from notify.domain.offer import Offer
from notify.domain.recipient import Recipient

A = TypeVar("A", bound=Aggregate)


class NotifyApplication(ServiceApplication):
    """Offers, jobs and recipients of every tenant, in one event store."""

    name = "Notify"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        routes: Mapping[type[IntegrationEvent], Policy] | None = None,
    ) -> None:
        super().__init__(env, routes=routes)
        self.board = Board()

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        """Keep the board current with what this process stores."""
        super()._notify(recordings)
        self.board.absorb(recordings)

    def find(self, kind: type[A], ident: UUID, tenant: str, worker_id: UUID | None) -> A:
        """A tenant's offer or job (a worker's own, when `worker_id` is given).

        Raises:
            NotFoundError: no such thing for this tenant (or worker).
        """
        try:
            found: Aggregate = self.repository.get(ident)
        except AggregateNotFoundError:
            raise NotFoundError(kind.__name__.lower(), ident) from None
        if (
            not isinstance(found, kind)
            or getattr(found, "tenant", None) != tenant
            or (worker_id is not None and getattr(found, "worker_id", None) != worker_id)
        ):
            raise NotFoundError(kind.__name__.lower(), ident)
        return found

    def offer(self, offer_id: UUID, tenant: str, worker_id: UUID | None = None) -> Offer:
        """An offer (raises NotFoundError)."""
        return self.find(Offer, offer_id, tenant, worker_id)

    def job(self, ident: UUID, tenant: str, worker_id: UUID | None = None) -> Job:
        """A job (raises NotFoundError)."""
        return self.find(Job, ident, tenant, worker_id)

    def recipient(self, worker_id: UUID, tenant: str) -> Recipient:
        """A worker of this tenant notify has heard of (the broker's WorkerRegistered).

        Raises:
            NotFoundError: notify never heard of this worker in this tenant.
        """
        kind = "worker"
        try:
            return self.find(Recipient, worker_id, tenant, None)
        except NotFoundError:
            raise NotFoundError(kind, worker_id) from None
