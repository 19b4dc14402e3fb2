"""The PostgreSQL fixtures hand each module an isolated schema on a real server."""

import shutil
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from tests.support.postgres import eventsourcing_env, start_private_postgres


class Shift(Aggregate):
    """A tiny aggregate to prove events reach the schema and come back."""

    @event("Carved")
    def __init__(self, minutes: int) -> None:
        self.minutes = minutes

    @event("Extended")
    def extend(self, minutes: int) -> None:
        self.minutes += minutes


class Probe(Application[UUID]):
    name = "Probe"


def test_events_are_stored_in_the_module_schema_when_an_application_saves(
    postgres: str, pg_schema: str
) -> None:
    app = Probe(env=eventsourcing_env(postgres, pg_schema))
    shift = Shift(minutes=90)
    shift.extend(minutes=30)
    app.save(shift)

    again: Shift = app.repository.get(shift.id)
    app.close()

    assert again.minutes == 120
    with psycopg.connect(postgres) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (pg_schema,),
        ).fetchall()
    assert ("probe_events",) in tables


def test_private_server_keeps_data_when_restarted() -> None:
    server = start_private_postgres()
    try:
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (7)")
        pid = server.pid()

        server.restart()

        assert server.pid() != pid
        with psycopg.connect(server.dsn) as conn:
            assert conn.execute("SELECT n FROM kept").fetchall() == [(7,)]
    finally:
        server.stop()
        shutil.rmtree(server.data_dir, ignore_errors=True)
