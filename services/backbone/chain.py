"""Tamper evidence: every stored event is chained to the one before, in the same transaction.

Each service's recorder writes, beside each event, a link: an HMAC-SHA256 (keyed from the
deployment's master secret) over the previous link, the event's notification id, its
aggregate id and version, topic and state. The links are written by the recorder in the
transaction that stores the events, while the events table is locked, so they follow the
commit order exactly. Someone with SQL access but not the key cannot forge a link: a
modified, deleted, inserted or reordered event breaks the chain at its position, and
`verify` names it.

The recorders are eventsourcing's own process recorders with one step added; they are
selected with eventsourcing's `PROCESS_RECORDER_TOPIC` setting (see `chained_env`).
"""

import hashlib
import hmac
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from eventsourcing.postgres import PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteCursor, SQLiteProcessRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

GENESIS = bytes(32)
CHAIN_SUFFIX = "_chain"


def chain_key(master_secret: str) -> bytes:
    """The key that signs the links, derived from the deployment's master secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"conbini-chain-v1").derive(
        master_secret.encode()
    )


def link(
    key: bytes,
    previous: bytes,
    notification_id: int,
    originator_id: UUID | str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """The link of one event: HMAC over the previous link and everything stored."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    topic_bytes = topic.encode()
    for part in (
        previous,
        notification_id.to_bytes(8, "big", signed=True),
        str(UUID(str(originator_id))).encode(),
        originator_version.to_bytes(8, "big", signed=True),
        len(topic_bytes).to_bytes(4, "big"),
        topic_bytes,
        len(state).to_bytes(4, "big"),
        bytes(state),
    ):
        mac.update(part)
    return mac.digest()


class ChainedSQLiteProcessRecorder(SQLiteProcessRecorder):
    """SQLite: events, tracking, and a link per event in table `event_chain`."""

    chain_key: ClassVar[bytes] = b""

    def construct_create_table_statements(self) -> list[str]:
        """Eventsourcing's tables and the chain."""
        return [
            *super().construct_create_table_statements(),
            (
                "CREATE TABLE IF NOT EXISTS event_chain "
                "(notification_id INTEGER PRIMARY KEY, link BLOB NOT NULL)"
            ),
        ]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,  # noqa: ANN401 - eventsourcing's signature
    ) -> Sequence[int] | None:
        """Store the events (and tracking), then their links, in the same transaction."""
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids and stored_events:
            c.execute("SELECT link FROM event_chain ORDER BY notification_id DESC LIMIT 1")
            row = c.fetchone()
            previous = bytes(row[0]) if row else GENESIS
            for notification_id, event in zip(ids, stored_events, strict=True):
                previous = link(
                    self.chain_key,
                    previous,
                    int(notification_id),
                    event.originator_id,
                    event.originator_version,
                    event.topic,
                    event.state,
                )
                c.execute(
                    "INSERT INTO event_chain (notification_id, link) VALUES (?, ?)",
                    (int(notification_id), previous),
                )
        return ids


class ChainedPostgresProcessRecorder(PostgresProcessRecorder):
    """PostgreSQL: events, tracking, and a link per event in `<events table>_chain`."""

    chain_key: ClassVar[bytes] = b""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - eventsourcing's signature
        """Eventsourcing's recorder, plus the chain table's statements."""
        super().__init__(*args, **kwargs)
        self.chain_table = Identifier(self.datastore.schema, self.events_table_name + CHAIN_SUFFIX)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (notification_id bigint PRIMARY KEY, "
                "link bytea NOT NULL)"
            ).format(self.chain_table)
        )

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,  # noqa: ANN401 - eventsourcing's signature
    ) -> Sequence[int] | None:
        """Insert, recognising a commit whose acknowledgement was lost.

        When the server crashes or the connection drops during COMMIT, the transaction may
        have committed although the client saw an error; eventsourcing then retries the
        insert, which meets its own rows as a uniqueness violation. If every event of this
        call is stored exactly as given (and the tracking record too), the first attempt
        committed: that is success, not a conflict, and its notification ids are returned.
        """
        try:
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
        except IntegrityError:
            found = self.committed_already(stored_events, kwargs.get("tracking"))
            if found is None:
                raise
            return found
        return ids

    def committed_already(
        self, stored_events: Sequence[StoredEvent], tracking: Tracking | None
    ) -> list[int] | None:
        """The notification ids of exactly these events if all are stored; else None."""
        if not stored_events:
            return None
        events = Identifier(self.datastore.schema, self.events_table_name)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            ids = []
            for event in stored_events:
                curs.execute(
                    SQL(
                        "SELECT notification_id, topic, state FROM {} "
                        "WHERE originator_id = %s AND originator_version = %s"
                    ).format(events),
                    (event.originator_id, event.originator_version),
                )
                row = curs.fetchone()
                if row is None or row["topic"] != event.topic or bytes(row["state"]) != event.state:
                    return None
                ids.append(int(row["notification_id"]))
            if tracking is not None:
                curs.execute(
                    SQL(
                        "SELECT 1 FROM {} WHERE application_name = %s AND notification_id >= %s"
                    ).format(Identifier(self.datastore.schema, self.tracking_table_name)),
                    (tracking.application_name, tracking.notification_id),
                )
                if curs.fetchone() is None:
                    return None
        return ids

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,  # noqa: ANN401 - eventsourcing's signature
    ) -> Sequence[int] | None:
        """After the events (table still locked), store their links in the same transaction."""
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            curs.execute(
                SQL("SELECT link FROM {} ORDER BY notification_id DESC LIMIT 1").format(
                    self.chain_table
                )
            )
            row = curs.fetchone()
            previous = bytes(row["link"]) if row else GENESIS
            links = []
            for notification_id, event in zip(ids, stored_events, strict=True):
                previous = link(
                    self.chain_key,
                    previous,
                    int(notification_id),
                    event.originator_id,
                    event.originator_version,
                    event.topic,
                    event.state,
                )
                links.append((int(notification_id), previous))
            curs.executemany(
                SQL("INSERT INTO {} (notification_id, link) VALUES (%s, %s)").format(
                    self.chain_table
                ),
                links,
            )
        return ids


def chained_env(service: str, kind: str, key: bytes) -> dict[str, str]:
    """Eventsourcing settings selecting a chained recorder with this service's key.

    A subclass per service carries the key, registered in this module so eventsourcing's
    topic resolution finds it.
    """
    base: type[Any] = (
        ChainedPostgresProcessRecorder if kind == "postgres" else ChainedSQLiteProcessRecorder
    )
    fingerprint = hashlib.sha256(key).hexdigest()[:16]  # topics are cached: one class per key
    name = f"{base.__name__}_{service}_{fingerprint}"
    recorder = type(name, (base,), {"chain_key": key})
    setattr(sys.modules[__name__], name, recorder)
    return {"PROCESS_RECORDER_TOPIC": f"{__name__}:{name}"}


@dataclass(frozen=True)
class Break:
    """Where and how a chain is broken."""

    position: int
    """The notification id of the first event that does not verify."""
    kind: str
    """modified, deleted, inserted or reordered."""
    detail: str


@dataclass
class Verdict:
    """What verifying one service's chain found."""

    service: str
    events: int = 0
    breaks: list[Break] = field(default_factory=list)
    head: str = ""
    """The last link (hex): publish or export it to anchor the chain."""

    @property
    def ok(self) -> bool:
        """No break."""
        return not self.breaks


EventRow = tuple[int, UUID | str, int, str, bytes]
"""(notification id, originator id, version, topic, state)."""


def verify(
    service: str, key: bytes, events: Iterable[EventRow], links: dict[int, bytes]
) -> Verdict:
    """Walk the events in notification order, recomputing every link.

    Each event is checked against the link chained before it (the previous *link*, so one
    deleted event does not also break its successor). An event without a link was
    inserted behind the recorder's back; a link without an event was deleted; a link that
    does not match is a modification — or a reordering, when the event matches the link
    of another broken position.
    """
    verdict = Verdict(service=service)
    order = sorted(links)
    before = dict(zip(order, [GENESIS, *(links[n] for n in order[:-1])], strict=True))
    seen: set[int] = set()
    broken: dict[int, EventRow] = {}
    for row in events:
        notification_id, originator_id, version, topic, state = row
        verdict.events += 1
        seen.add(notification_id)
        stored = links.get(notification_id)
        if stored is None:
            verdict.breaks.append(
                Break(
                    notification_id,
                    "inserted",
                    "an event with no link (written around the recorder)",
                )
            )
            continue
        expected = link(
            key, before[notification_id], notification_id, originator_id, version, topic, state
        )
        if not hmac.compare_digest(expected, stored):
            broken[notification_id] = row
    for position, (_, originator_id, version, topic, state) in broken.items():
        moved = any(
            hmac.compare_digest(
                link(key, before[other], other, originator_id, version, topic, state), links[other]
            )
            for other in broken
            if other != position
        )
        verdict.breaks.append(
            Break(
                position,
                "reordered" if moved else "modified",
                f"aggregate {UUID(str(originator_id))} v{version} does not match its link",
            )
        )
    verdict.breaks += [
        Break(n, "deleted", "a link whose event is gone") for n in sorted(set(links) - seen)
    ]
    verdict.breaks.sort(key=lambda b: (b.position, b.kind))
    if order:
        verdict.head = links[order[-1]].hex()
    return verdict


def read_sqlite(path: Path) -> tuple[list[EventRow], dict[int, bytes]]:
    """Every event and link of one service's SQLite store."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        events: list[EventRow] = [
            (int(r[0]), str(r[1]), int(r[2]), str(r[3]), bytes(r[4]))
            for r in conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM stored_events ORDER BY rowid"
            )
        ]
        links = {
            int(n): bytes(d)
            for n, d in conn.execute("SELECT notification_id, link FROM event_chain")
        }
    return events, links


def read_postgres(dsn: str, schema: str, app_name: str) -> tuple[list[EventRow], dict[int, bytes]]:
    """Every event and link of one service's PostgreSQL schema."""
    table = Identifier(schema, f"{app_name.lower()}_events")
    chain = Identifier(schema, f"{app_name.lower()}_events{CHAIN_SUFFIX}")
    with psycopg.connect(dsn) as conn:
        events: list[EventRow] = [
            (int(r[0]), r[1], int(r[2]), str(r[3]), bytes(r[4]))
            for r in conn.execute(
                SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {} ORDER BY notification_id"
                ).format(table)
            )
        ]
        links = {
            int(n): bytes(d)
            for n, d in conn.execute(SQL("SELECT notification_id, link FROM {}").format(chain))
        }
    return events, links
