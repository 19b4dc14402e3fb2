"""Idempotency claims in a real PostgreSQL: an unanswered one lapses after `PENDING_S`.

Also: when PostgreSQL goes down after a command ran but before its answer is kept, the
client still gets its 201 and nothing escapes; the claim stays pending and then lapses,
so the same request may run again (the documented trade-off: the command's own rules
must absorb a second run).
"""

import shutil
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from litestar import Litestar, post
from litestar.middleware import DefineMiddleware
from litestar.status_codes import HTTP_201_CREATED
from litestar.testing import TestClient
from psycopg import sql

from backbone import idempotency
from backbone.idempotency import Begun, IdempotencyMiddleware, Kept, PostgresIdempotency
from tests.support.postgres import PrivatePostgres, start_private_postgres

LAPSE_S = 0.2
ANSWER = Kept(201, "application/json", b'{"id": 1}')


def lapse() -> None:
    time.sleep(LAPSE_S * 1.5)


def test_an_unanswered_postgres_claim_lapses_for_the_same_body_only(
    postgres: str, pg_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "PENDING_S", LAPSE_S)
    dead, alive = PostgresIdempotency(postgres, pg_schema), PostgresIdempotency(postgres, pg_schema)
    scope = "t:u:POST:/lapse:k"

    assert dead.begin(scope, "body") == (Begun.NEW, None)
    assert alive.begin(scope, "body") == (Begun.IN_PROGRESS, None)  # not yet lapsed
    lapse()
    assert alive.begin(scope, "other body") == (Begun.MISMATCH, None)
    assert alive.begin(scope, "body") == (Begun.NEW, None)  # the dead replica's claim lapsed
    assert dead.begin(scope, "body") == (Begun.IN_PROGRESS, None)  # the new claim is fresh
    alive.finish(scope, ANSWER)
    lapse()
    assert dead.begin(scope, "body") == (Begun.REPLAY, ANSWER)  # a kept answer never lapses
    assert dead.begin(scope, "other body") == (Begun.MISMATCH, None)


def test_a_postgres_claim_holds_for_a_minute_by_default(postgres: str, pg_schema: str) -> None:
    keys = PostgresIdempotency(postgres, pg_schema)
    assert idempotency.PENDING_S == 60.0
    assert keys.begin("t:u:POST:/minute:k", "body") == (Begun.NEW, None)
    lapse()
    assert keys.begin("t:u:POST:/minute:k", "body") == (Begun.IN_PROGRESS, None)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = start_private_postgres()
    yield server
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


def claim_state(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        table = sql.Identifier("idem", "idempotency")
        return conn.execute(sql.SQL("SELECT state, status FROM {}").format(table)).fetchall()


def test_an_answer_that_cannot_be_kept_still_reaches_the_client_and_its_claim_lapses(
    private_postgres: PrivatePostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []

    @post("/things", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create() -> dict[str, int]:
        runs.append(len(runs) + 1)
        if len(runs) == 1:
            private_postgres.stop()  # the database goes down after the command, before `finish`
        return {"run": len(runs)}

    keys = PostgresIdempotency(private_postgres.dsn, "idem")
    app = Litestar(
        route_handlers=[create],
        middleware=[DefineMiddleware(IdempotencyMiddleware, keys=keys)],
    )
    key = {"Idempotency-Key": "kept-or-not"}
    with TestClient(app=app) as client:  # raises any exception that escapes the app
        first = client.post("/things", json={"a": 1}, headers=key)
        assert first.status_code == 201
        assert first.json() == {"run": 1}

        private_postgres.start()
        assert claim_state(private_postgres.dsn) == [("pending", None)]
        assert client.post("/things", json={"a": 1}, headers=key).status_code == 409

        monkeypatch.setattr(idempotency, "PENDING_S", LAPSE_S)
        lapse()
        other = client.post("/things", json={"a": 2}, headers=key)
        second = client.post("/things", json={"a": 1}, headers=key)
        replayed = client.post("/things", json={"a": 1}, headers=key)

    assert other.status_code == 422
    assert second.status_code == 201
    assert second.json() == {"run": 2}  # the lapsed claim ran again, once
    assert replayed.status_code == 201
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == {"run": 2}
    assert runs == [1, 2]
    assert claim_state(private_postgres.dsn) == [("done", 201)]
