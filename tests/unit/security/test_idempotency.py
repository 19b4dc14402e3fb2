"""`Idempotency-Key`: the same key and body answer the same and change nothing twice."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from backbone.idempotency import Begun, Kept, MemoryIdempotency, SqliteIdempotency
from broker.bootstrap import Broker, build_broker
from broker.domain.job_request import JobRequest
from broker.http.app import create_app
from broker.settings import BrokerSettings

REQUEST = {
    "title": "梨の袋かけ",
    "work_type": "harvest",
    "sector": "agriculture_forestry",
    "district": "ofuku",
    "starts_on": "2027-10-19",
    "ends_on": "2027-10-23",
    "window_start": 480,
    "window_end": 960,
    "volume_minutes": 600,
    "reward_kind": "hourly",
    "reward_yen": 1050,
}


@pytest.fixture
def broker(tmp_path: Path) -> Broker:
    return build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"))


@pytest.fixture
def client(broker: Broker) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(broker)) as test_client:
        yield test_client


def headers(broker: Broker, key: str | None, subject: Any = None) -> dict[str, str]:
    token = issue_token(
        broker.jwt_key, tenant="mine-wakuwaku", role=Role.REQUESTER, subject=subject or REQUESTER
    )
    found = {"Authorization": f"Bearer {token}"}
    return found | ({"Idempotency-Key": key} if key else {})


REQUESTER = uuid4()


def submitted(broker: Broker) -> int:
    notes = broker.app.recorder.select_notifications(1, 1000)
    events = [broker.app.mapper.to_domain_event(n) for n in notes]
    return sum(isinstance(e, JobRequest.Submitted) for e in events)


def test_the_same_key_and_body_give_the_same_answer_and_one_event(
    client: TestClient[Any], broker: Broker
) -> None:
    first = client.post("/job-requests", json=REQUEST, headers=headers(broker, "k-1"))
    again = client.post("/job-requests", json=REQUEST, headers=headers(broker, "k-1"))

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert submitted(broker) == 1


def test_the_same_key_with_another_body_is_a_422(client: TestClient[Any], broker: Broker) -> None:
    client.post("/job-requests", json=REQUEST, headers=headers(broker, "k-2"))
    other = client.post(
        "/job-requests", json=REQUEST | {"title": "栗の収穫"}, headers=headers(broker, "k-2")
    )

    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert submitted(broker) == 1


def test_keys_belong_to_their_caller_and_requests_without_one_are_independent(
    client: TestClient[Any], broker: Broker
) -> None:
    client.post("/job-requests", json=REQUEST, headers=headers(broker, "k-3"))
    someone_else = client.post(
        "/job-requests", json=REQUEST, headers=headers(broker, "k-3", subject=uuid4())
    )
    client.post("/job-requests", json=REQUEST, headers=headers(broker, None))
    client.post("/job-requests", json=REQUEST, headers=headers(broker, None))

    assert someone_else.status_code == 201
    assert "idempotent-replayed" not in someone_else.headers
    assert submitted(broker) == 4


def test_a_refusal_is_replayed_too(client: TestClient[Any], broker: Broker) -> None:
    bad = REQUEST | {"ends_on": "2027-10-01"}
    first = client.post("/job-requests", json=bad, headers=headers(broker, "k-4"))
    again = client.post("/job-requests", json=bad, headers=headers(broker, "k-4"))

    assert first.status_code == again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_store_claims_once_reports_mismatch_and_in_progress(tmp_path: Path, kind: str) -> None:
    keys = MemoryIdempotency() if kind == "memory" else SqliteIdempotency(tmp_path / "k.sqlite3")

    assert keys.begin("s", "d1") == (Begun.NEW, None)
    assert keys.begin("s", "d1") == (Begun.IN_PROGRESS, None)
    assert keys.begin("s", "d2") == (Begun.MISMATCH, None)
    keys.finish("s", Kept(201, "application/json", b"{}"))
    assert keys.begin("s", "d1") == (Begun.REPLAY, Kept(201, "application/json", b"{}"))
    keys.abandon("s")
    assert keys.begin("s", "d2") == (Begun.NEW, None)
