"""Fixtures for backbone tests: a fresh nats-server and fresh stores per test."""

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from backbone.nats_server import NatsServer
from backbone.stores import StoreSettings
from bench.pipeline import SINK, SOURCE
from tests.support.nats import private_nats_server
from tests.support.postgres import unique_name


@pytest.fixture
def fresh_nats() -> Iterator[NatsServer]:
    """A nats-server of this test's own: empty streams, killable, restartable."""
    with private_nats_server() as server:
        yield server


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
