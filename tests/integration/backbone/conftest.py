"""Fixtures for backbone tests: a fresh nats-server and fresh stores per test."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from backbone.nats_server import NatsServer, NatsServerConfig, free_port
from backbone.stores import StoreSettings
from bench.pipeline import SINK, SOURCE
from tests.support.postgres import unique_name


@pytest.fixture
def fresh_nats() -> Iterator[NatsServer]:
    """A nats-server of this test's own: empty streams, killable, restartable."""
    store = Path(tempfile.mkdtemp(prefix="nats-"))
    server = NatsServer(
        NatsServerConfig(store_dir=store, port=free_port(), monitor_port=free_port())
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(store, ignore_errors=True)


def drop_schemas(dsn: str, prefix: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for service in (SOURCE, SINK):
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(f"{prefix}{service}")
                )
            )


@pytest.fixture
def postgres_store(postgres: str) -> Iterator[StoreSettings]:
    """PostgreSQL stores in schemas of this test's own, dropped afterwards."""
    prefix = unique_name("t") + "_"
    yield StoreSettings(kind="postgres", postgres_dsn=postgres, schema_prefix=prefix)
    drop_schemas(postgres, prefix)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSettings:
    """Each kind of store the backbone supports."""
    if request.param == "memory":
        return StoreSettings(kind="memory")
    if request.param == "sqlite":
        return StoreSettings(kind="sqlite", data_dir=tmp_path / "stores")
    store: StoreSettings = request.getfixturevalue("postgres_store")
    return store
