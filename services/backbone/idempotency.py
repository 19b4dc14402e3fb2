"""`Idempotency-Key` on requests that create or change something.

The same key with the same body gets the same response again and causes nothing new; the
same key with another body is a 422; a second request while the first is still running is
a 409. Keys are scoped by council, caller, method and path, kept for a day, in a small
table beside the service's events (SQLite file, PostgreSQL schema, or memory), so replicas
and restarts agree.

Which answers are kept (and replayed for the key):

* every answer below 400: the command was carried out (2xx), or a form's redirect (3xx);
* a 4xx of a request that stored an event (counted by `backbone.stores.counting_writes`):
  it changed something, so running it again could do it twice.

Which release the key (the next request with it runs, with the same body or another):

* a 4xx of a request that stored nothing: refused by body or field validation (400, 422),
  by a domain rule (404, 409, 410, 422 …) or "try again" (409, 429). Nothing happened, so
  the corrected request may reuse the key;
* a server error (5xx): the client may simply retry;
* an answer marked `Cache-Control: no-store` (one carrying personal data, which must not
  lie in plaintext beside the sealed events), so such routes must be idempotent by nature
  (a PUT).

A claim whose process died before answering (or before keeping its answer, e.g. while the
database restarted) lapses after `PENDING_S`: the same key and body may then run again.
Requests finish within seconds, so a lapsed claim is a dead one; a command that committed
just before its process died may then run twice, which each command's own rules (one
carving per request, one completion per task) refuse or absorb.
"""

import asyncio
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import psycopg
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPRequestEvent, Message, Receive, Scope, Send
from psycopg import sql

from backbone.auth import Principal
from backbone.errors import TRANSIENT
from backbone.problems.kinds import (
    BAD_IDEMPOTENCY_KEY,
    IDEMPOTENCY_KEY_REUSED,
    REQUEST_IN_PROGRESS,
    Problem,
    ProblemKind,
    prefers_english,
    problem_body,
)
from backbone.stores import StoreSettings, counting_writes, ensure_schema

HEADER = b"idempotency-key"
KEEP_SECONDS = 24 * 3600
PENDING_S = 60.0
"""A claim older than this, still unanswered, is a dead process's: it may be taken again."""
METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY_LENGTH = 200
CLIENT_ERROR = 400
SERVER_ERROR = 500
log = logging.getLogger(__name__)


Row = tuple[str, str, int | None, str | None, bytes | None]
"""(digest, state, status, content type, body) of a kept key."""


class Begun(Enum):
    """What `begin` found."""

    NEW = "new"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class Kept:
    """A response kept for replay."""

    status: int
    content_type: str
    body: bytes


class IdempotencyStore(Protocol):
    """Where keys and their responses are kept."""

    def begin(self, scope: str, digest: str) -> tuple[Begun, Kept | None]:
        """Claim the key for this body, or say why not (with the kept response to replay)."""

    def finish(self, scope: str, kept: Kept) -> None:
        """Keep the response of a claimed key."""

    def abandon(self, scope: str) -> None:
        """Forget a claimed key (its request changed nothing, or failed on the server)."""


def decide(row: Row, digest: str) -> tuple[Begun, Kept | None]:
    """What an existing row means for a request with `digest`."""
    stored_digest, state, status, content_type, body = row
    if stored_digest != digest:
        return Begun.MISMATCH, None
    if state != "done" or status is None:
        return Begun.IN_PROGRESS, None
    return Begun.REPLAY, Kept(status, content_type or "application/json", bytes(body or b""))


class MemoryIdempotency:
    """Keys in a dict (one process; tests and the in-memory store)."""

    def __init__(self) -> None:
        """Empty."""
        self.rows: dict[str, Row] = {}
        self.claimed_at: dict[str, float] = {}
        self.lock = threading.Lock()

    def begin(self, scope: str, digest: str) -> tuple[Begun, Kept | None]:
        """Claim or report; a pending claim of the same body older than `PENDING_S` lapses."""
        with self.lock:
            row = self.rows.get(scope)
            lapsed = (
                row is not None
                and row[:2] == (digest, "pending")
                and time.monotonic() - self.claimed_at.get(scope, 0.0) > PENDING_S
            )
            if row is None or lapsed:
                self.rows[scope] = (digest, "pending", None, None, None)
                self.claimed_at[scope] = time.monotonic()
                return Begun.NEW, None
            return decide(row, digest)

    def finish(self, scope: str, kept: Kept) -> None:
        """Keep the response."""
        with self.lock:
            digest = self.rows[scope][0]
            self.rows[scope] = (digest, "done", kept.status, kept.content_type, kept.body)

    def abandon(self, scope: str) -> None:
        """Forget."""
        with self.lock:
            self.rows.pop(scope, None)
            self.claimed_at.pop(scope, None)


class SqliteIdempotency:
    """Keys in an SQLite file beside the service's store."""

    def __init__(self, path: Path) -> None:
        """Create the table when absent."""
        self.path = path
        with self.connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS idempotency (scope TEXT PRIMARY KEY, digest TEXT,"
                " state TEXT, status INTEGER, content_type TEXT, body BLOB, at REAL)"
            )

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """One autocommit connection."""
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as conn:
            yield conn

    def begin(self, scope: str, digest: str) -> tuple[Begun, Kept | None]:
        """Claim or report."""
        with self.connect() as conn:
            conn.execute("DELETE FROM idempotency WHERE at < ?", (time.time() - KEEP_SECONDS,))
            claimed = conn.execute(
                "INSERT INTO idempotency (scope, digest, state, at) VALUES (?, ?, 'pending', ?)"
                " ON CONFLICT (scope) DO UPDATE SET at = excluded.at"
                " WHERE idempotency.state = 'pending' AND idempotency.digest = excluded.digest"
                " AND idempotency.at < ?",
                (scope, digest, time.time(), time.time() - PENDING_S),
            ).rowcount
            if claimed:
                return Begun.NEW, None
            row = conn.execute(
                "SELECT digest, state, status, content_type, body FROM idempotency WHERE scope = ?",
                (scope,),
            ).fetchone()
        return decide(row, digest)

    def finish(self, scope: str, kept: Kept) -> None:
        """Keep the response."""
        with self.connect() as conn:
            conn.execute(
                "UPDATE idempotency SET state = 'done', status = ?, content_type = ?, body = ?"
                " WHERE scope = ?",
                (kept.status, kept.content_type, kept.body, scope),
            )

    def abandon(self, scope: str) -> None:
        """Forget."""
        with self.connect() as conn:
            conn.execute("DELETE FROM idempotency WHERE scope = ?", (scope,))


class PostgresIdempotency:
    """Keys in a table of the service's PostgreSQL schema."""

    def __init__(self, dsn: str, schema: str) -> None:
        """Create the table when absent."""
        self.dsn = dsn
        ensure_schema(dsn, schema)
        self.table = sql.Identifier(schema, "idempotency")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (scope text PRIMARY KEY, digest text,"
                    " state text, status int, content_type text, body bytea,"
                    " at timestamptz DEFAULT now())"
                ).format(self.table)
            )

    def begin(self, scope: str, digest: str) -> tuple[Begun, Kept | None]:
        """Claim or report."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE at < now() - interval '1 day'").format(self.table)
            )
            claimed = conn.execute(
                sql.SQL(
                    "INSERT INTO {} AS kept (scope, digest, state) VALUES (%s, %s, 'pending')"
                    " ON CONFLICT (scope) DO UPDATE SET at = now()"
                    " WHERE kept.state = 'pending' AND kept.digest = excluded.digest"
                    " AND kept.at < now() - make_interval(secs => %s)"
                ).format(self.table),
                (scope, digest, PENDING_S),
            ).rowcount
            if claimed:
                return Begun.NEW, None
            row = conn.execute(
                sql.SQL(
                    "SELECT digest, state, status, content_type, body FROM {} WHERE scope = %s"
                ).format(self.table),
                (scope,),
            ).fetchone()
        assert row is not None  # noqa: S101 - the conflicting row exists
        return decide(row, digest)

    def finish(self, scope: str, kept: Kept) -> None:
        """Keep the response."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET state = 'done', status = %s, content_type = %s, body = %s"
                    " WHERE scope = %s"
                ).format(self.table),
                (kept.status, kept.content_type, kept.body, scope),
            )

    def abandon(self, scope: str) -> None:
        """Forget."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DELETE FROM {} WHERE scope = %s").format(self.table), (scope,))


def idempotency_store_for(service: str, store: StoreSettings) -> IdempotencyStore:
    """The key table beside a service's event store."""
    if store.kind == "postgres" and store.postgres_dsn:
        return PostgresIdempotency(store.postgres_dsn, store.schema_for(service))
    if store.kind == "sqlite" and store.data_dir is not None:
        store.data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteIdempotency(store.data_dir / f"{service}.idempotency.sqlite3")
    return MemoryIdempotency()


def problem(scope: Scope, kind: ProblemKind) -> tuple[int, bytes]:
    """The RFC 9457 body of `kind`, in the order the caller's Accept-Language prefers."""
    accept = next(
        (
            v.decode("latin-1")
            for n, v in scope.get("headers", [])
            if n.lower() == b"accept-language"
        ),
        "",
    )
    body = problem_body(Problem(kind), english=prefers_english(accept))
    return kind.status, json.dumps(body, ensure_ascii=False).encode()


class IdempotencyMiddleware:
    """ASGI middleware honouring `Idempotency-Key` (placed after authentication)."""

    def __init__(self, app: ASGIApp, keys: IdempotencyStore) -> None:
        """Wrap `app`; keep keys in `keys`."""
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Replay, refuse, or run and keep the response."""
        key = key_of(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            await reply(send, *problem(scope, BAD_IDEMPOTENCY_KEY))
            return
        body = await whole_body(receive)
        scoped, digest = scope_of(scope, key), digest_of(scope, body)
        begun, kept = await asyncio.to_thread(self.keys.begin, scoped, digest)
        if begun is Begun.REPLAY and kept is not None:
            await reply(send, kept.status, kept.body, kept.content_type, replayed=True)
        elif begun is Begun.MISMATCH:
            await reply(send, *problem(scope, IDEMPOTENCY_KEY_REUSED))
        elif begun is Begun.IN_PROGRESS:
            await reply(send, *problem(scope, REQUEST_IN_PROGRESS))
        else:
            await self.run_and_keep(scope, body, send, scoped)

    async def run_and_keep(self, scope: Scope, body: bytes, send: Send, scoped: str) -> None:
        """Run the request once; keep its response, or release the key (see `kept`)."""
        sent: dict[str, Any] = {
            "status": SERVER_ERROR,
            "type": "application/json",
            "body": b"",
            "no_store": False,
        }

        async def replay_body() -> HTTPRequestEvent:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = int(message["status"])
                sent["type"] = content_type_of(message.get("headers", []))
                sent["no_store"] = no_store(message.get("headers", []))
            elif message["type"] == "http.response.body":
                sent["body"] += message.get("body", b"")
            await send(message)

        try:
            with counting_writes() as writes:
                await self.app(scope, replay_body, capture)
        except Exception:
            await asyncio.to_thread(self.keys.abandon, scoped)
            raise
        if not kept(sent["status"], stored=writes.events, no_store=sent["no_store"]):
            await asyncio.to_thread(self.keys.abandon, scoped)
            return
        answer = Kept(sent["status"], sent["type"], sent["body"])
        try:
            await asyncio.to_thread(self.keys.finish, scoped, answer)
        except TRANSIENT as error:  # the answer is out already; the claim lapses (PENDING_S)
            log.warning("idempotency: could not keep the answer for a key: %s", error)


def kept(status: int, *, stored: int, no_store: bool) -> bool:
    """Whether an answer is kept for its key (True) or the key is released (False).

    Kept: below 400, or a 4xx of a request that stored `stored` > 0 events. Released: a
    4xx that stored nothing (the corrected request may reuse the key), any 5xx, and
    answers marked `no-store`.
    """
    if no_store or status >= SERVER_ERROR:
        return False
    return status < CLIENT_ERROR or stored > 0


def key_of(scope: Scope) -> str | None:
    """The request's Idempotency-Key, for methods that change something; else None."""
    if scope["type"] != ScopeType.HTTP or str(scope.get("method", "")) not in METHODS:
        return None
    for name, value in scope.get("headers", []):
        if name.lower() == HEADER:
            return str(value.decode("latin-1")).strip()
    return None


async def whole_body(receive: Receive) -> bytes:
    """Read the request body to its end."""
    body = b""
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        body += chunk if isinstance(chunk, bytes) else b""
        if not message.get("more_body", False):
            return body


def scope_of(scope: Scope, key: str) -> str:
    """The key's scope: council, caller, method and path."""
    user = scope.get("user")
    who = f"{user.tenant}:{user.subject}" if isinstance(user, Principal) else "anonymous"
    return f"{who}:{scope.get('method', '')}:{scope.get('path', '')}:{key}"


def digest_of(scope: Scope, body: bytes) -> str:
    """What makes two requests the same."""
    head = f"{scope.get('method', '')} {scope.get('path', '')}\n".encode()
    return hashlib.sha256(head + body).hexdigest()


def no_store(headers: Any) -> bool:  # noqa: ANN401 - ASGI header pairs
    """True when the response must not be stored (`Cache-Control: no-store`)."""
    return any(
        name.lower() == b"cache-control" and b"no-store" in value.lower() for name, value in headers
    )


def content_type_of(headers: Any) -> str:  # noqa: ANN401 - ASGI header pairs
    """The response's content type."""
    for name, value in headers:
        if name.lower() == b"content-type":
            return str(value.decode("latin-1"))
    return "application/json"


async def reply(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "application/problem+json",
    *,
    replayed: bool = False,
) -> None:
    """Send a whole response."""
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
