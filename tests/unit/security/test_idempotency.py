"""`Idempotency-Key`: the same key and body answer the same and change nothing twice.

A refused request that changed nothing releases its key, so the corrected one may use it.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate, event
from litestar import Litestar, post
from litestar.exceptions import ClientException
from litestar.middleware import DefineMiddleware
from litestar.params import JSONBody
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from backbone.idempotency import (
    Begun,
    IdempotencyMiddleware,
    Kept,
    MemoryIdempotency,
    SqliteIdempotency,
    kept,
)
from backbone.stores import ServiceApplication
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


REFUSED = [
    pytest.param({**REQUEST, "ends_on": "2027-10-01"}, 422, id="domain-refusal"),
    pytest.param({**REQUEST, "reward_yen": "たくさん"}, 400, id="field-type"),
    pytest.param({k: v for k, v in REQUEST.items() if k != "title"}, 400, id="missing-field"),
]


@pytest.mark.parametrize(("bad", "status"), REFUSED)
def test_the_corrected_request_runs_when_the_first_was_refused_with_the_same_key(
    client: TestClient[Any], broker: Broker, bad: dict[str, Any], status: int
) -> None:
    refused = client.post("/job-requests", json=bad, headers=headers(broker, "k-4"))
    refused_again = client.post("/job-requests", json=bad, headers=headers(broker, "k-4"))
    corrected = client.post("/job-requests", json=REQUEST, headers=headers(broker, "k-4"))
    repeated = client.post("/job-requests", json=REQUEST, headers=headers(broker, "k-4"))

    assert refused.status_code == refused_again.status_code == status
    assert "idempotent-replayed" not in refused_again.headers  # run again: nothing was kept
    assert corrected.status_code == 201, corrected.text
    assert "idempotent-replayed" not in corrected.headers
    assert repeated.status_code == 201
    assert repeated.headers["idempotent-replayed"] == "true"
    assert repeated.json() == corrected.json()
    assert submitted(broker) == 1


class Note(Aggregate):
    """Something a route stored before it refused."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


def test_a_refusal_after_something_was_stored_is_kept_and_replayed() -> None:
    store = ServiceApplication()
    runs: list[int] = []

    @post("/notes", sync_to_thread=True)
    def write_then_refuse(data: JSONBody[dict[str, str]]) -> None:
        runs.append(1)
        store.save(Note(data["text"]))  # in a worker thread: still counted
        raise ClientException(status_code=422, detail="stored, then refused")

    @post("/refusals", sync_to_thread=True)
    def refuse_only(data: JSONBody[dict[str, str]]) -> None:
        runs.append(2)
        raise ClientException(status_code=422, detail=data["text"])

    app = Litestar(
        route_handlers=[write_then_refuse, refuse_only],
        middleware=[DefineMiddleware(IdempotencyMiddleware, keys=MemoryIdempotency())],
    )
    key = {"Idempotency-Key": "k-5"}
    with TestClient(app=app) as test_client:
        first = test_client.post("/notes", json={"text": "a"}, headers=key)
        again = test_client.post("/notes", json={"text": "a"}, headers=key)
        refused = test_client.post("/refusals", json={"text": "b"}, headers=key)
        refused_again = test_client.post("/refusals", json={"text": "b"}, headers=key)

    assert first.status_code == again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
    assert refused.status_code == refused_again.status_code == 422
    assert "idempotent-replayed" not in refused_again.headers
    assert runs == [1, 2, 2]
    assert len(store.recorder.select_notifications(1, 10)) == 1


@pytest.mark.parametrize(
    ("status", "stored", "no_store", "expected"),
    [
        (201, 0, False, True),
        (200, 0, False, True),
        (303, 1, False, True),
        (400, 0, False, False),
        (404, 0, False, False),
        (409, 0, False, False),
        (422, 0, False, False),
        (429, 0, False, False),
        (422, 1, False, True),
        (409, 2, False, True),
        (500, 1, False, False),
        (503, 0, False, False),
        (200, 1, True, False),
    ],
)
def test_which_answers_are_kept(status: int, stored: int, no_store: bool, expected: bool) -> None:  # noqa: FBT001
    assert kept(status, stored=stored, no_store=no_store) is expected


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
