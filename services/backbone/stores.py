"""Each service's event store: PostgreSQL (one schema each), SQLite files, or in memory.

`ServiceApplication` is the eventsourcing application every service extends. It uses a
process recorder, so the same database holds the service's events, the relay's position
and each inbox's tracking position, and it records the flow of every event it stores.
Inside `counting_writes()` it also counts what it stores, so an HTTP edge can tell a
request that changed something from one that changed nothing (`backbone.idempotency`).
"""

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import JSONTranscoder, Mapper, Recording, Tracking, Transcoding
from eventsourcing.projection import EventSourcedProjection
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from backbone.chain import chain_key, chained_env
from backbone.flow import EventKey, Flow, FlowMapper, flow_caused_by, stamped
from contracts.base import IntegrationEvent

A = TypeVar("A")

StoreKind = Literal["memory", "sqlite", "postgres"]

Policy: TypeAlias = Callable[[Any, Any, ProcessingEvent[UUID]], None]
"""`policy(app, contract_event, processing)`: record the reaction via `processing`."""


@dataclass(frozen=True, kw_only=True)
class StoreSettings:
    """Where a deployment keeps its event stores."""

    kind: StoreKind = "memory"
    data_dir: Path | None = None
    """SQLite: one `<service>.sqlite3` file per service here."""
    postgres_dsn: str | None = None
    """PostgreSQL: the database; each service gets its own schema in it."""
    schema_prefix: str = ""
    """PostgreSQL: prefix of every service's schema (`<prefix><service>`), for isolation."""
    pool_size: int = 5
    max_overflow: int = 10
    chain_secret: str = ""
    """The deployment's master secret: the key of each store's tamper-evident chain."""
    extra_env: Mapping[str, str] = field(default_factory=dict)
    """Any further eventsourcing settings (cipher keys, lock timeouts…)."""

    def schema_for(self, service: str) -> str:
        """Return the PostgreSQL schema of one service."""
        return f"{self.schema_prefix}{service}"


class Writes:
    """How many events were stored inside one `counting_writes()` block, from any thread."""

    def __init__(self) -> None:
        """None yet."""
        self.events = 0
        self.lock = threading.Lock()

    def add(self, events: int) -> None:
        """Count `events` more stored events."""
        with self.lock:
            self.events += events


current_writes: ContextVar[Writes | None] = ContextVar("current_writes", default=None)


@contextmanager
def counting_writes() -> Iterator[Writes]:
    """Count every event a `ServiceApplication` stores inside the block.

    Threads started inside it (Litestar's `sync_to_thread`, `backbone.threads.run_sync`)
    copy the context, so their writes are counted too.
    """
    writes = Writes()
    token = current_writes.set(writes)
    try:
        yield writes
    finally:
        current_writes.reset(token)


def ensure_schema(dsn: str, schema: str) -> None:
    """Create the schema when absent (eventsourcing will not)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def eventsourcing_env(service: str, settings: StoreSettings) -> dict[str, str]:
    """Return the eventsourcing settings that put one service's store where `settings` say.

    Raises:
        ValueError: the settings lack what their kind needs.
    """
    env: dict[str, str] = {"SINGLE_ROW_TRACKING": "t"}
    if settings.kind == "memory":
        env["PERSISTENCE_MODULE"] = "eventsourcing.popo"
    elif settings.kind == "sqlite":
        if settings.data_dir is None:
            msg = "an SQLite store needs a data directory"
            raise ValueError(msg)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.data_dir / f"{service}.sqlite3"),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    else:
        if not settings.postgres_dsn:
            msg = "a PostgreSQL store needs a DSN"
            raise ValueError(msg)
        params = conninfo_to_dict(settings.postgres_dsn)
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
            "POSTGRES_PORT": str(params.get("port", "5432")),
            "POSTGRES_DBNAME": str(params.get("dbname", "postgres")),
            "POSTGRES_USER": str(params.get("user", "postgres")),
            "POSTGRES_PASSWORD": str(params.get("password", "")),
            "POSTGRES_SCHEMA": settings.schema_for(service),
            "POSTGRES_POOL_SIZE": str(settings.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(settings.max_overflow),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_LOCK_TIMEOUT": "5",
        }
    if settings.kind != "memory":
        env |= chained_env(service, settings.kind, chain_key(settings.chain_secret))
    return env | dict(settings.extra_env)


class DateAsISO(Transcoding):
    """Dates (pay days, periods, receipt dates) as ISO strings in stored events."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """2026-03-31."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """The inverse of `encode`."""
        return date.fromisoformat(data)


class ServiceApplication(EventSourcedProjection[UUID]):
    """A service's event-sourced application: its store, relay position and inboxes.

    Subclasses set `name` (it prefixes table names: choose it once) and add the loading
    helpers their commands need. Bootstrap hands it the routes: contract type → policy.
    """

    routes: Mapping[type[IntegrationEvent], Policy] = {}

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        routes: Mapping[type[IntegrationEvent], Policy] | None = None,
    ) -> None:
        super().__init__(env)
        if routes is not None:
            self.routes = routes

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Eventsourcing's transcodings, and dates."""
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_mapper(self) -> Mapper[UUID]:
        """Use the mapper that records each event's flow."""
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=FlowMapper)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        """Count what was just stored for the enclosing `counting_writes()`, if any."""
        super()._notify(recordings)
        writes = current_writes.get()
        if writes is not None and recordings:
            writes.add(len(recordings))

    def policy(self, domain_event: object, processing_event: ProcessingEvent[UUID]) -> None:
        """Dispatch a received contract event to the policy routed for its type."""
        policy = self.routes.get(type(domain_event))  # type: ignore[arg-type]
        if policy is not None:
            policy(self, domain_event, processing_event)

    def get_for_update(
        self, aggregate_id: UUID, processing: ProcessingEvent[UUID], kind: type[A]
    ) -> A:
        """Return an aggregate as changed earlier in this batch, else as stored.

        Raises:
            eventsourcing.application.AggregateNotFoundError: no such aggregate.
            TypeError: the aggregate is not a `kind`.
        """
        found = processing.aggregates.get(aggregate_id) or self.repository.get(aggregate_id)
        if not isinstance(found, kind):
            msg = f"{aggregate_id} is a {type(found).__name__}, not a {kind.__name__}"
            raise TypeError(msg)
        return found

    def process_batch(
        self, events: Sequence[IntegrationEvent], tracking: Tracking
    ) -> list[Recording[UUID]]:
        """Run the policies for events received in order; record all with one tracking row.

        Every event a policy collects is stamped with the flow of the contract event that
        caused it. Raises whatever a policy raises, or `IntegrityError` on a conflict.
        """
        processing = ProcessingEvent[UUID](tracking=tracking)
        flows: dict[EventKey, Flow] = {}
        for event in events:
            before = len(processing.events)
            self.policy(event, processing)
            flow = flow_caused_by(event.tenant, event.correlation_id, event.event_id)
            for new in processing.events[before:]:
                flows[(new.originator_id, new.originator_version)] = flow
        with stamped(flows):
            recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings
