"""Reading a whole store fast, for replays and audits.

eventsourcing reads its notification log page by page and decodes each event with its
Python JSON transcoder. A replay reads everything once, in order: this reader streams
the rows with a server-side cursor (PostgreSQL, binary) or one cursor (SQLite), decodes
the JSON with msgspec, restores the transcoded values (`uuid_hex`, `datetime_iso`,
`date_iso`, `decimal_str`) and builds the same domain event objects eventsourcing's
mapper builds (upcasting included), so projections and `mutate` work unchanged.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import resolve_topic
from psycopg.sql import SQL, Identifier

from backbone.stores import StoreSettings

ROWS_PER_FETCH = 20_000
RESTORE: dict[str, Any] = {
    "uuid_hex": UUID,
    "datetime_iso": datetime.fromisoformat,
    "date_iso": date.fromisoformat,
    "decimal_str": Decimal,
}

Row = tuple[int, Any, int, str, bytes]
"""(notification id, originator id, version, topic, state)."""


def restore(value: Any) -> Any:  # noqa: ANN401 - any decoded JSON
    """Turn eventsourcing's `{"_type_": …, "_data_": …}` values back into Python values."""
    if isinstance(value, dict):
        kind = value.get("_type_")
        if kind is not None and len(value) == 2 and "_data_" in value:  # noqa: PLR2004
            return RESTORE[kind](restore(value["_data_"]))
        return {key: restore(item) for key, item in value.items()}
    if isinstance(value, list):
        return [restore(item) for item in value]
    return value


class FastMapper:
    """Stored rows → domain events, as eventsourcing's mapper makes them."""

    def __init__(self) -> None:
        """An empty class cache."""
        self.classes: dict[str, type[Any]] = {}
        self.decoder = msgspec.json.Decoder()

    def event(self, row: Row) -> DomainEventProtocol[UUID]:
        """One domain event."""
        _, originator_id, version, topic, state = row
        cls = self.classes.get(topic)
        if cls is None:
            cls = self.classes[topic] = resolve_topic(topic)
        fields: dict[str, Any] = self.decoder.decode(state)
        for key, value in fields.items():
            if isinstance(value, dict | list):
                fields[key] = restore(value)
        fields["originator_id"] = (
            originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
        )
        fields["originator_version"] = version
        class_version = getattr(cls, "class_version", 1)
        from_version = fields.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(fields)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", fields)
        return event  # type: ignore[no-any-return]


def rows(store: StoreSettings, service: str, app_name: str) -> Iterator[Row]:
    """Every stored event of one service, in notification order.

    Raises:
        ValueError: an in-memory store (nothing on disk to stream).
    """
    if store.kind == "postgres" and store.postgres_dsn:
        yield from postgres_rows(store.postgres_dsn, store.schema_for(service), app_name)
        return
    if store.kind == "sqlite" and store.data_dir is not None:
        yield from sqlite_rows(Path(store.data_dir) / f"{service}.sqlite3")
        return
    msg = "an in-memory store cannot be streamed"
    raise ValueError(msg)


def postgres_rows(dsn: str, schema: str, app_name: str) -> Iterator[Row]:
    """A server-side, binary cursor over the events table."""
    table = Identifier(schema, f"{app_name.lower()}_events")
    with (
        psycopg.connect(dsn) as conn,
        conn.cursor(name="conbini_replay", binary=True) as cursor,
    ):
        cursor.itersize = ROWS_PER_FETCH
        cursor.execute(
            SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state"
                " FROM {} ORDER BY notification_id"
            ).format(table)
        )
        for found in cursor:
            yield found[0], found[1], found[2], found[3], bytes(found[4])


def sqlite_rows(path: Path) -> Iterator[Row]:
    """One read-only cursor over the events table."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        cursor = conn.execute(
            "SELECT rowid, originator_id, originator_version, topic, state"
            " FROM stored_events ORDER BY rowid"
        )
        while batch := cursor.fetchmany(ROWS_PER_FETCH):
            for found in batch:
                yield found[0], found[1], found[2], found[3], found[4]
