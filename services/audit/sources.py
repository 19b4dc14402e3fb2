"""Where the record is: each service's event store, opened read-only for the auditor."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from backbone.chain import EventRow, read_postgres, read_sqlite
from backbone.fastread import FastMapper, rows
from backbone.runtime import open_store
from backbone.stores import ServiceApplication, StoreSettings
from broker.application import BrokerApplication
from notify.application import NotifyApplication
from payout.application import PayoutApplication

APPS: dict[str, type[ServiceApplication]] = {
    "broker": BrokerApplication,
    "notify": NotifyApplication,
    "payout": PayoutApplication,
}
"""Every service whose record the auditor reads, in the order events flow."""
PAGE = 2_000


@dataclass
class Record:
    """One service's store."""

    service: str
    app: ServiceApplication
    store: StoreSettings

    def count(self) -> int:
        """Events stored (the highest notification id)."""
        return int(self.app.recorder.max_notification_id() or 0)

    def events(self) -> Iterator[tuple[int, DomainEventProtocol[UUID]]]:
        """Every stored event, in order, with its notification id (streamed when on disk)."""
        if self.store.kind != "memory":
            mapper = FastMapper()
            for row in rows(self.store, self.service, self.app.name):
                yield row[0], mapper.event(row)
            return
        start = 1
        while True:
            notes = self.app.recorder.select_notifications(start=start, limit=PAGE)
            if not notes:
                return
            for note in notes:
                yield note.id, self.app.mapper.to_domain_event(note)
            start = notes[-1].id + 1

    def raw(self) -> Iterator[Any]:
        """Every stored notification, undecoded, in order."""
        start = 1
        while True:
            notes = self.app.recorder.select_notifications(start=start, limit=PAGE)
            if not notes:
                return
            yield from notes
            start = notes[-1].id + 1

    def chain(self) -> tuple[list[EventRow], dict[int, bytes]]:
        """The events as stored and their links."""
        if self.store.kind == "postgres" and self.store.postgres_dsn:
            schema = self.store.schema_for(self.service)
            return read_postgres(self.store.postgres_dsn, schema, self.app.name)
        if self.store.kind == "sqlite" and self.store.data_dir is not None:
            return read_sqlite(Path(self.store.data_dir) / f"{self.service}.sqlite3")
        msg = "an in-memory store has no chain to verify"
        raise ValueError(msg)

    def close(self) -> None:
        """Release the store."""
        self.app.close()


def open_records(store: StoreSettings) -> list[Record]:
    """Every service's record on `store`."""
    return [
        Record(service, open_store(service, app, store), store) for service, app in APPS.items()
    ]
