"""The broker's event-sourced application: loading helpers and offering tasks."""

import functools
import secrets
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import TypeVar
from uuid import UUID, uuid4

import jpholiday
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording

from backbone.personal import MemoryKeyStore, PersonalVault
from backbone.stores import Policy, ServiceApplication
from broker.domain.constraints import Places
from broker.domain.errors import (
    JobRequestNotFoundError,
    NotFoundError,
    TaskNotFoundError,
    WorkerNotFoundError,
)
from broker.domain.job_request import JobRequest
from broker.domain.matching import Ranked, first_eligible
from broker.domain.task import Task, TaskStatus
from broker.domain.worker import Worker
from broker.registry import Registry
from contracts.base import IntegrationEvent

A = TypeVar("A", bound=Aggregate)


@functools.lru_cache(maxsize=4096)
def is_public_holiday(day: object) -> bool:
    """Japanese public holidays (祝日), from jpholiday."""
    return isinstance(day, date) and jpholiday.is_holiday(day)


class BrokerApplication(ServiceApplication):
    """Job requests, tasks and workers of every tenant, in one event store."""

    name = "Broker"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        routes: Mapping[type[IntegrationEvent], Policy] | None = None,
        places: Places | None = None,
        offer_fanout: int = 3,
        answer_within: timedelta = timedelta(hours=24),
        is_holiday: Callable[[object], bool] = is_public_holiday,
    ) -> None:
        super().__init__(env, routes=routes)
        self.registry = Registry()
        self.offering = threading.Lock()
        """Choosing workers and holding them is one step: HTTP threads carve concurrently."""
        self.places = places or Places()
        self.offer_fanout = offer_fanout
        self.answer_within = answer_within
        self.is_holiday = is_holiday
        self.vault = PersonalVault(secrets.token_urlsafe(32), MemoryKeyStore())
        """Seals personal details; bootstrap gives it the deployment's keys."""

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        """Keep the registry current with what this process stores (no read-back)."""
        super()._notify(recordings)
        self.registry.absorb(recordings)

    @property
    def places(self) -> Places:
        """Travel times between districts (matching and the registry share them)."""
        return self.registry.places

    @places.setter
    def places(self, places: Places) -> None:
        """Set the district table before workers are loaded into the registry."""
        self.registry.places = places
        for index in self.registry.indexes.values():
            index.places = places

    def load(self, kind: type[A], ident: UUID, tenant: str, missing: type[NotFoundError]) -> A:
        """Return a tenant's aggregate.

        Raises:
            NotFoundError: (the `missing` kind) no such aggregate, or another tenant's.
        """
        try:
            found: Aggregate = self.repository.get(ident)
        except AggregateNotFoundError:
            raise missing(ident) from None
        if not isinstance(found, kind) or getattr(found, "tenant", None) != tenant:
            raise missing(ident)
        return found

    def task(self, task_id: UUID, tenant: str) -> Task:
        """A tenant's task (raises TaskNotFoundError)."""
        return self.load(Task, task_id, tenant, TaskNotFoundError)

    def worker(self, worker_id: UUID, tenant: str) -> Worker:
        """A tenant's registered worker (raises WorkerNotFoundError)."""
        return self.load(Worker, worker_id, tenant, WorkerNotFoundError)

    def job_request(self, job_request_id: UUID, tenant: str) -> JobRequest:
        """A tenant's job request (raises JobRequestNotFoundError)."""
        return self.load(JobRequest, job_request_id, tenant, JobRequestNotFoundError)

    def offer_next(self, task: Task, *, now: datetime) -> list[Ranked]:
        """Offer the task to the next fairest eligible workers, up to the fan-out.

        Nobody is offered the task twice; a hard constraint is never broken; when nobody
        eligible is left and no offer is open, the task is flagged for coordinators.
        """
        if task.status is not TaskStatus.OPEN:
            return []
        with self.offering:
            return self.choose_and_hold(task, now=now)

    def choose_and_hold(self, task: Task, *, now: datetime) -> list[Ranked]:
        """Offer_next's body, under the offering lock: no other thread chooses meanwhile."""
        self.registry.catch_up(self)
        wanted = self.offer_fanout - len(task.open_offers())
        if wanted <= 0:
            return []
        shift = task.shift
        ranked = first_eligible(
            shift,
            task.work_type,
            self.registry.ordered_candidates(
                task.tenant,
                shift,
                task.work_type,
                self.places,
                now,
                holiday=self.is_holiday(shift.local_day),
            ),
            is_holiday=self.is_holiday,
            places=self.places,
            limit=wanted,
            exclude=frozenset(task.offered_to()),
        )
        expires_at = min(now + self.answer_within, task.starts_at)
        for choice in ranked:
            if not isinstance(choice.worker_id, UUID):  # pragma: no cover - ids are UUIDs
                continue
            task.offer(
                offer_id=uuid4(),
                worker_id=choice.worker_id,
                expires_at=expires_at,
                rank=choice.rank,
                reasons=choice.reasons,
            )
            self.registry.hold(choice.worker_id, task.id, task.starts_at, task.ends_at)
        if not ranked:
            task.mark_exhausted()
        return ranked
