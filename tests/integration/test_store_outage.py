"""While PostgreSQL is down, the services answer 503 problems with Retry-After, never 500.

Broker and payout run on a private PostgreSQL of this module's own, which the tests stop
(fast shutdown) and start again. A creating call (with and without an Idempotency-Key)
and a read call are 503 `application/problem+json` with `Retry-After` while it is down;
once it is back, the same call with the same key creates exactly one thing.
"""

import dataclasses
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from httpx import Response
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from backbone.runtime import BackboneSettings
from backbone.stores import StoreSettings
from broker.bootstrap import Broker, build_broker
from broker.domain.job_request import JobRequest
from broker.http.app import create_app as create_broker_app
from broker.settings import BrokerSettings
from payout.bootstrap import build_payout
from payout.http.app import create_app as create_payout_app
from payout.settings import PayoutSettings
from tests.support.postgres import PrivatePostgres, start_private_postgres
from tests.unit.security.test_idempotency import REQUEST

TENANT = "mine-wakuwaku"
BACK_WITHIN_S = 60.0
QUICK_GIVE_UP = {"POSTGRES_CONNECT_TIMEOUT": "1"}
"""Wait 1 s (not 5) for a pooled connection: eventsourcing tries each store call 10 times, so
with the default a request waits up to ~50 s for its 503. The mapping is the same."""


@pytest.fixture(scope="module")
def server() -> Iterator[PrivatePostgres]:
    private = start_private_postgres()
    yield private
    private.stop()
    shutil.rmtree(private.data_dir, ignore_errors=True)


@pytest.fixture
def pg(server: PrivatePostgres) -> Iterator[PrivatePostgres]:
    """The private server, running at the start and again at the end of each test."""
    if not running(server):
        server.start()
    yield server
    if not running(server):
        server.start()


def running(server: PrivatePostgres) -> bool:
    return (server.data_dir / "postmaster.pid").exists()


def backbone_on(pg: PrivatePostgres) -> BackboneSettings:
    prefix = f"o{uuid4().hex[:8]}_"
    store = StoreSettings(
        kind="postgres", postgres_dsn=pg.dsn, schema_prefix=prefix, extra_env=QUICK_GIVE_UP
    )
    return BackboneSettings(store=store)


@pytest.fixture
def broker(pg: PrivatePostgres, tmp_path: Path) -> Iterator[Broker]:
    base = BrokerSettings.in_memory(tmp_path / "jwt.key")
    built = build_broker(dataclasses.replace(base, backbone=backbone_on(pg)))
    yield built
    built.app.close()


def submitted(broker: Broker) -> int:
    notes = broker.app.recorder.select_notifications(1, 1000)
    return sum(
        isinstance(broker.app.mapper.to_domain_event(note), JobRequest.Submitted) for note in notes
    )


def assert_unavailable(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    problem = response.json()
    assert problem["status"] == 503
    assert problem["title"]
    assert "もう いちど" in problem["detail"]  # Japanese first, then English


def retried(send: Any) -> Response:
    """Send as a client honouring Retry-After would, until the answer is no longer a 503."""
    deadline = time.monotonic() + BACK_WITHIN_S
    while True:
        response: Response = send()
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(float(response.headers.get("retry-after", "1")) / 10)


def test_broker_answers_503_while_postgres_is_down_and_creates_once_after(
    pg: PrivatePostgres, broker: Broker
) -> None:
    token = issue_token(broker.jwt_key, tenant=TENANT, role=Role.REQUESTER, subject=uuid4())
    auth = {"Authorization": f"Bearer {token}"}
    keyed = auth | {"Idempotency-Key": "outage-1"}
    with TestClient(app=create_broker_app(broker)) as client:
        assert client.get("/job-requests", headers=auth).status_code == 200

        pg.stop()
        assert_unavailable(client.post("/job-requests", json=REQUEST, headers=keyed))
        assert_unavailable(client.post("/job-requests", json=REQUEST, headers=auth))
        assert_unavailable(client.get("/job-requests", headers=auth))
        assert_unavailable(client.post("/job-requests", json=REQUEST, headers=keyed))  # no claim

        pg.start()
        created = retried(lambda: client.post("/job-requests", json=REQUEST, headers=keyed))
        replayed = client.post("/job-requests", json=REQUEST, headers=keyed)
        listed = client.get("/job-requests", headers=auth)

    assert created.status_code == 201, created.text
    assert "idempotent-replayed" not in created.headers
    assert replayed.status_code == 201
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == created.json()
    assert submitted(broker) == 1  # nothing from the refused calls, one from the keyed one
    assert [view["id"] for view in listed.json()] == [created.json()["id"]]


def test_payout_answers_503_while_postgres_is_down(pg: PrivatePostgres, tmp_path: Path) -> None:
    base = PayoutSettings.in_memory(tmp_path / "jwt.key")
    payout = build_payout(dataclasses.replace(base, backbone=backbone_on(pg)))
    token = issue_token(payout.jwt_key, tenant=TENANT, role=Role.ACCOUNTANT, subject=uuid4())
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with TestClient(app=create_payout_app(payout)) as client:
            assert client.get("/rewards", headers=auth).status_code == 200
            pg.stop()
            assert_unavailable(client.get("/rewards", headers=auth))
            pg.start()
            back = retried(lambda: client.get("/rewards", headers=auth))
        assert back.status_code == 200
        assert back.json() == []
    finally:
        payout.app.close()
