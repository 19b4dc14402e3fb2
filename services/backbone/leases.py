"""At most one active relay per service: a lock tied to the service's own store.

PostgreSQL: a session advisory lock on a dedicated connection (released when the process
dies or the connection drops). SQLite: an exclusive `flock` on a file beside the database
(released when the process dies). In memory: a lock inside the process.
"""

import contextlib
import fcntl
import hashlib
import os
import threading
from pathlib import Path
from typing import ClassVar, Protocol

import psycopg


class Lease(Protocol):
    """A lock a relay must hold before it publishes."""

    def try_acquire(self) -> bool:
        """Take the lease if nobody holds it; return whether we hold it now."""
        ...

    def still_held(self) -> bool:
        """Return True while we still hold the lease."""
        ...

    def release(self) -> None:
        """Give the lease up."""
        ...


def lock_key(name: str) -> int:
    """Return a stable signed 64-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostgresLease:
    """A session-level advisory lock held on its own connection."""

    def __init__(self, dsn: str, name: str) -> None:
        self.dsn = dsn
        self.key = lock_key(name)
        self.conn: psycopg.Connection[tuple[object, ...]] | None = None

    def try_acquire(self) -> bool:
        """Take the lock if free (a new connection after any failure)."""
        if self.still_held():
            return True
        self.release()
        try:
            self.conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
            row = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except psycopg.OperationalError:
            self.release()
            return False
        if not (row and row[0]):
            self.release()
            return False
        return True

    def still_held(self) -> bool:
        """Return True while the lock's connection is alive."""
        if self.conn is None or self.conn.closed:
            return False
        try:
            self.conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def release(self) -> None:
        """Close the connection, which releases the lock."""
        if self.conn is not None:
            with contextlib.suppress(psycopg.Error):
                self.conn.close()
        self.conn = None


class FileLease:
    """An exclusive `flock` on a lock file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if free."""
        if self.fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def still_held(self) -> bool:
        """A held flock lasts as long as our descriptor."""
        return self.fd is not None

    def release(self) -> None:
        """Unlock and close."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class LocalLease:
    """A lock shared by the relays of one process (in-memory stores)."""

    locks: ClassVar[dict[str, threading.Lock]] = {}
    guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, name: str) -> None:
        with self.guard:
            self.lock = self.locks.setdefault(name, threading.Lock())
        self.held = False

    def try_acquire(self) -> bool:
        """Take the lock if free."""
        if not self.held:
            self.held = self.lock.acquire(blocking=False)
        return self.held

    def still_held(self) -> bool:
        """Return True while we hold it."""
        return self.held

    def release(self) -> None:
        """Unlock."""
        if self.held:
            self.lock.release()
            self.held = False
