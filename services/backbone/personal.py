"""Personal data under envelope encryption: one data key per person, wrapped by a master key.

A service that must keep a person's name, contacts or notes seals them with that person's
data key (AES-256-GCM, the person's id as associated data) and stores only the sealed text
in its events. The data keys live in one small table beside the service's events, each
wrapped by the deployment's master key. Erasing a person destroys their data key: every
sealed copy — old events, snapshots, exports, backups of the event tables — becomes
unreadable at once, while everything that is not personal (ids, times, minutes, yen) is
untouched, so replay, reports and ledgers still work.
"""

import base64
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Protocol
from uuid import UUID

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from psycopg import sql

from backbone.stores import StoreSettings, ensure_schema

SEALED_PREFIX = "sealed:v1:"
NONCE_BYTES = 12


class KeyStore(Protocol):
    """Where wrapped data keys are kept: one row per person, deletable."""

    def get(self, subject: UUID) -> bytes | None:
        """The wrapped key of `subject`, or None when it has none (or it was destroyed)."""

    def put_if_absent(self, subject: UUID, wrapped: bytes) -> bytes:
        """Store `wrapped` unless a key is already there; return whichever is stored."""

    def destroy(self, subject: UUID) -> bool:
        """Delete the key; True when there was one."""

    def is_destroyed(self, subject: UUID) -> bool:
        """True when `subject`'s key was destroyed (an erased person)."""


class MemoryKeyStore:
    """Keys in a dict: tests and the in-memory store."""

    def __init__(self) -> None:
        """Start empty."""
        self._keys: dict[UUID, bytes] = {}
        self._destroyed: set[UUID] = set()
        self._lock = threading.Lock()

    def get(self, subject: UUID) -> bytes | None:
        """The wrapped key, if any."""
        return self._keys.get(subject)

    def put_if_absent(self, subject: UUID, wrapped: bytes) -> bytes:
        """Store unless present."""
        with self._lock:
            return self._keys.setdefault(subject, wrapped)

    def destroy(self, subject: UUID) -> bool:
        """Forget the key and remember that it was destroyed."""
        with self._lock:
            self._destroyed.add(subject)
            return self._keys.pop(subject, None) is not None

    def is_destroyed(self, subject: UUID) -> bool:
        """Destroyed earlier."""
        return subject in self._destroyed


class SqliteKeyStore:
    """Keys in a table of the service's SQLite database."""

    def __init__(self, path: Path) -> None:
        """Create the table when absent."""
        self._path = path
        with self._connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS personal_keys ("
                " subject TEXT PRIMARY KEY, wrapped BLOB, destroyed INTEGER NOT NULL DEFAULT 0)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self._path, timeout=10, isolation_level=None)) as conn:
            conn.execute("PRAGMA secure_delete = ON")  # destroyed keys are zeroed on disk
            yield conn

    def get(self, subject: UUID) -> bytes | None:
        """The wrapped key, if any."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT wrapped FROM personal_keys WHERE subject = ?", (str(subject),)
            ).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def put_if_absent(self, subject: UUID, wrapped: bytes) -> bytes:
        """Insert unless present; a destroyed key is never recreated."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO personal_keys (subject, wrapped) VALUES (?, ?)"
                " ON CONFLICT (subject) DO NOTHING",
                (str(subject), wrapped),
            )
        stored = self.get(subject)
        if stored is None:
            raise ErasedError(subject)
        return stored

    def destroy(self, subject: UUID) -> bool:
        """Overwrite the key with nothing, keeping a tombstone."""
        with self._connect() as conn:
            had = self.get(subject) is not None
            conn.execute(
                "INSERT INTO personal_keys (subject, wrapped, destroyed) VALUES (?, NULL, 1)"
                " ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, destroyed = 1",
                (str(subject),),
            )
        return had

    def is_destroyed(self, subject: UUID) -> bool:
        """A tombstone is there."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT destroyed FROM personal_keys WHERE subject = ?", (str(subject),)
            ).fetchone()
        return bool(row and row[0])


class PostgresKeyStore:
    """Keys in a table of the service's PostgreSQL schema."""

    def __init__(self, dsn: str, schema: str) -> None:
        """Create the schema and table when absent."""
        self._dsn = dsn
        ensure_schema(dsn, schema)
        self._table = sql.Identifier(schema, "personal_keys")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (subject uuid PRIMARY KEY, wrapped bytea,"
                    " destroyed boolean NOT NULL DEFAULT false)"
                ).format(self._table)
            )

    def get(self, subject: UUID) -> bytes | None:
        """The wrapped key, if any."""
        with psycopg.connect(self._dsn, autocommit=True) as conn:
            row = conn.execute(
                sql.SQL("SELECT wrapped FROM {} WHERE subject = %s").format(self._table),
                (subject,),
            ).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def put_if_absent(self, subject: UUID, wrapped: bytes) -> bytes:
        """Insert unless present; a destroyed key is never recreated."""
        with psycopg.connect(self._dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (subject, wrapped) VALUES (%s, %s) ON CONFLICT DO NOTHING"
                ).format(self._table),
                (subject, wrapped),
            )
        stored = self.get(subject)
        if stored is None:
            raise ErasedError(subject)
        return stored

    def destroy(self, subject: UUID) -> bool:
        """Overwrite the key with NULL, keeping a tombstone."""
        with psycopg.connect(self._dsn, autocommit=True) as conn:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {} AS k (subject, wrapped, destroyed) VALUES (%s, NULL, true)"
                    " ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, destroyed = true"
                    " RETURNING (xmax <> 0)"
                ).format(self._table),
                (subject,),
            ).fetchone()
        return bool(row and row[0])

    def is_destroyed(self, subject: UUID) -> bool:
        """A tombstone is there."""
        with psycopg.connect(self._dsn, autocommit=True) as conn:
            row = conn.execute(
                sql.SQL("SELECT destroyed FROM {} WHERE subject = %s").format(self._table),
                (subject,),
            ).fetchone()
        return bool(row and row[0])


class ErasedError(LookupError):
    """The person was erased: their data key is gone and nothing new may be sealed."""

    def __init__(self, subject: UUID) -> None:
        """Name the person."""
        super().__init__(f"personal data of {subject} was erased")
        self.subject = subject


class MasterKeyError(RuntimeError):
    """The master secret does not unwrap a stored data key (wrong or rotated secret)."""

    def __init__(self, subject: UUID) -> None:
        """Name the person whose key did not unwrap."""
        super().__init__(f"the master secret does not unwrap the data key of {subject}")


def derive_master_key(secret: str) -> bytes:
    """A 256-bit key-wrapping key from the deployment's master secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"conbini-kek-v1").derive(
        secret.encode()
    )


class PersonalVault:
    """Seal and open one person's data; erase a person by destroying their key."""

    def __init__(self, master_secret: str, keys: KeyStore) -> None:
        """Wrap data keys with a key derived from `master_secret`."""
        self._kek = AESGCM(derive_master_key(master_secret))
        self._keys = keys

    def _data_key(self, subject: UUID, *, create: bool) -> AESGCM | None:
        # Not cached: another replica may erase the person at any moment.
        wrapped = self._keys.get(subject)
        if wrapped is None:
            if not create:
                return None
            if self._keys.is_destroyed(subject):
                raise ErasedError(subject)
            nonce = secrets.token_bytes(NONCE_BYTES)
            fresh = nonce + self._kek.encrypt(nonce, AESGCM.generate_key(256), subject.bytes)
            wrapped = self._keys.put_if_absent(subject, fresh)
        try:
            key = self._kek.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], subject.bytes)
        except InvalidTag as error:
            raise MasterKeyError(subject) from error
        return AESGCM(key)

    def seal(self, subject: UUID, plaintext: bytes) -> str:
        """Encrypt `plaintext` under `subject`'s data key (created on first use).

        Raises:
            ErasedError: the person was erased.
        """
        key = self._data_key(subject, create=True)
        assert key is not None  # noqa: S101 - create=True returns a key or raises
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = nonce + key.encrypt(nonce, plaintext, subject.bytes)
        return SEALED_PREFIX + base64.b64encode(sealed).decode("ascii")

    def open(self, subject: UUID, sealed: str) -> bytes | None:
        """Decrypt; None when the person was erased (their key is gone).

        Raises:
            ValueError: `sealed` is not something this vault sealed for `subject`.
        """
        if not sealed.startswith(SEALED_PREFIX):
            msg = "not sealed personal data"
            raise ValueError(msg)
        key = self._data_key(subject, create=False)
        if key is None:
            return None
        raw = base64.b64decode(sealed[len(SEALED_PREFIX) :])
        try:
            return key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], subject.bytes)
        except InvalidTag as error:
            msg = "sealed data does not belong to this person or was altered"
            raise ValueError(msg) from error

    def erase(self, subject: UUID) -> bool:
        """Destroy `subject`'s data key; True when there was one."""
        return self._keys.destroy(subject)

    def is_erased(self, subject: UUID) -> bool:
        """True once `subject` was erased."""
        return self._keys.is_destroyed(subject)


def key_store_for(service: str, store: StoreSettings) -> KeyStore:
    """The key table beside a service's event store."""
    if store.kind == "postgres" and store.postgres_dsn:
        return PostgresKeyStore(store.postgres_dsn, store.schema_for(service))
    if store.kind == "sqlite" and store.data_dir is not None:
        store.data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteKeyStore(store.data_dir / f"{service}.keys.sqlite3")
    return MemoryKeyStore()
