"""An unanswered `Idempotency-Key` claim (a dead process's) lapses after `PENDING_S`.

Until then the same key is a 409; after it the same key and body may run again, while a
different body is still a 422 and a kept answer is still replayed. `PENDING_S` is shortened
with monkeypatch; the waits below are the lapse itself, not polling.
"""

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from backbone import idempotency
from backbone.auth import Role, issue_token
from backbone.idempotency import (
    Begun,
    IdempotencyStore,
    Kept,
    MemoryIdempotency,
    SqliteIdempotency,
    digest_of,
)
from backbone.runtime import BackboneSettings
from backbone.stores import StoreSettings
from broker.bootstrap import Broker, build_broker
from broker.domain.job_request import JobRequest
from broker.http.app import create_app
from broker.settings import BrokerSettings
from tests.unit.security.test_idempotency import REQUEST

if TYPE_CHECKING:
    from litestar.types import Scope

LAPSE_S = 0.2
ANSWER = Kept(201, "application/json", b'{"id": 1}')


@pytest.fixture
def short_lapse(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(idempotency, "PENDING_S", LAPSE_S)
    return LAPSE_S


def lapse() -> None:
    time.sleep(LAPSE_S * 1.5)


@pytest.fixture(params=["memory", "sqlite"])
def keys(request: pytest.FixtureRequest, tmp_path: Path) -> IdempotencyStore:
    if request.param == "memory":
        return MemoryIdempotency()
    return SqliteIdempotency(tmp_path / "keys.sqlite3")


@pytest.mark.usefixtures("short_lapse")
def test_an_unanswered_claim_lapses_for_the_same_body_only(keys: IdempotencyStore) -> None:
    assert keys.begin("s", "body") == (Begun.NEW, None)
    assert keys.begin("s", "body") == (Begun.IN_PROGRESS, None)  # not yet lapsed

    lapse()

    assert keys.begin("s", "other body") == (Begun.MISMATCH, None)
    assert keys.begin("s", "body") == (Begun.NEW, None)  # the dead claim is taken again
    assert keys.begin("s", "body") == (Begun.IN_PROGRESS, None)  # and is fresh once more
    keys.finish("s", ANSWER)
    assert keys.begin("s", "body") == (Begun.REPLAY, ANSWER)


@pytest.mark.usefixtures("short_lapse")
def test_a_kept_answer_never_lapses(keys: IdempotencyStore) -> None:
    assert keys.begin("s", "body") == (Begun.NEW, None)
    keys.finish("s", ANSWER)

    lapse()

    assert keys.begin("s", "body") == (Begun.REPLAY, ANSWER)
    assert keys.begin("s", "other body") == (Begun.MISMATCH, None)


def test_the_lapse_is_a_minute_by_default(keys: IdempotencyStore) -> None:
    assert idempotency.PENDING_S == 60.0
    assert keys.begin("s", "body") == (Begun.NEW, None)
    lapse()  # far shorter than a minute: still someone else's request
    assert keys.begin("s", "body") == (Begun.IN_PROGRESS, None)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    base = BrokerSettings.in_memory(tmp_path / "jwt.key")
    store = StoreSettings(kind="sqlite", data_dir=tmp_path / "stores")
    built = build_broker(dataclasses.replace(base, backbone=BackboneSettings(store=store)))
    yield built
    built.app.close()


def submitted(broker: Broker) -> int:
    notes = broker.app.recorder.select_notifications(1, 1000)
    return sum(
        isinstance(broker.app.mapper.to_domain_event(note), JobRequest.Submitted) for note in notes
    )


@pytest.mark.usefixtures("short_lapse")
def test_a_dead_replicas_claim_is_a_409_then_runs_once_after_the_lapse(
    broker: Broker, tmp_path: Path
) -> None:
    requester = uuid4()
    token = issue_token(
        broker.jwt_key, tenant="mine-wakuwaku", role=Role.REQUESTER, subject=requester
    )
    body = json.dumps(REQUEST).encode()
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": "dead-1",
    }
    # Another replica claimed this very request and died before answering.
    other_replica = SqliteIdempotency(tmp_path / "stores" / "broker.idempotency.sqlite3")
    scope = f"mine-wakuwaku:{requester}:POST:/job-requests:dead-1"
    digest = digest_of(cast("Scope", {"method": "POST", "path": "/job-requests"}), body)

    with TestClient(app=create_app(broker)) as client:  # started first: the lapse is short
        assert other_replica.begin(scope, digest) == (Begun.NEW, None)
        running = client.post("/job-requests", content=body, headers=headers)
        assert running.status_code == 409
        assert running.headers["content-type"].startswith("application/problem+json")
        assert submitted(broker) == 0

        lapse()
        other = client.post(
            "/job-requests", content=body.replace(b"harvest", b"weeding"), headers=headers
        )
        taken = client.post("/job-requests", content=body, headers=headers)
        again = client.post("/job-requests", content=body, headers=headers)

    assert other.status_code == 422
    assert taken.status_code == 201
    assert "idempotent-replayed" not in taken.headers
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == taken.json()
    assert submitted(broker) == 1
