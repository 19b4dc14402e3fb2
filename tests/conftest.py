"""Markers from folders, and the real servers every integration test may ask for."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from backbone.nats_server import NatsServer
from tests.support.nats import private_nats_server
from tests.support.postgres import fresh_schema, postgres_dsn

TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/integration or tests/e2e with its folder's marker."""
    for item in items:
        folder = Path(item.path).relative_to(TESTS).parts[0]
        if folder in {"integration", "e2e"}:
            item.add_marker(getattr(pytest.mark, folder))


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """DSN of a real PostgreSQL: TEST_POSTGRES_DSN, else a private server for the session."""
    with postgres_dsn() as dsn:
        yield dsn


@pytest.fixture(scope="module")
def pg_schema(postgres: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty schema for one test module; dropped afterwards."""
    with fresh_schema(postgres, f"t_{request.module.__name__.rsplit('.', 1)[-1]}") as name:
        yield name


@pytest.fixture(scope="session")
def nats_process() -> Iterator[NatsServer]:
    """A nats-server from the wheel with JetStream on free loopback ports and its own store.

    Tests may stop, kill (SIGKILL by PID) and restart it; `nats_server` brings it back up.
    """
    with private_nats_server() as server:
        yield server


@pytest.fixture
def nats_server(nats_process: NatsServer) -> NatsServer:
    """The session's nats-server, running (restarted if an earlier test killed it)."""
    if not nats_process.running():
        nats_process.start()
    return nats_process
