"""A real PostgreSQL for tests: the one named by TEST_POSTGRES_DSN, else a private one.

__all__ names the private server's parts, which live in `bench.postgres_server`.

The private server is initialised from the system's PostgreSQL binaries in a short temp
directory (the Unix socket lives there), owned by `postgres` when the tests run as root
(initdb refuses root), listens on a free loopback port, and is stopped by its own PID.
"""

import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from backbone.stores import StoreSettings
from bench.postgres_server import PrivatePostgres, pg_tool, start_private_postgres

__all__ = [
    "PrivatePostgres",
    "eventsourcing_env",
    "fresh_schema",
    "pg_tool",
    "postgres_dsn",
    "start_private_postgres",
    "unique_name",
]
from backbone.stores import eventsourcing_env as store_env


@contextmanager
def postgres_dsn() -> Iterator[str]:
    """Yield a DSN of a reachable PostgreSQL; start (and later stop) one when none is named."""
    if dsn := os.environ.get("TEST_POSTGRES_DSN"):
        yield dsn
        return
    server = start_private_postgres()
    try:
        yield server.dsn
    finally:
        server.stop()
        shutil.rmtree(server.data_dir, ignore_errors=True)


def unique_name(prefix: str) -> str:
    """Return a lower-case identifier unique to this run, e.g. `t_contracts_3f9a1c`."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:40]
    return f"{cleaned}_{secrets.token_hex(3)}"


@contextmanager
def fresh_schema(dsn: str, prefix: str) -> Iterator[str]:
    """Create an empty schema, yield its name, and drop it with everything in it."""
    name = unique_name(prefix)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def eventsourcing_env(dsn: str, schema: str) -> dict[str, str]:
    """Return eventsourcing's settings for a DSN, in the given (existing) schema."""
    env = store_env("probe", StoreSettings(kind="postgres", postgres_dsn=dsn))
    return env | {"POSTGRES_SCHEMA": schema}
