"""The broker's HTTP API on an in-memory store: access, validation and problem details."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.testing import TestClient

from backbone.auth import Role, issue_token, load_or_create_key
from backbone.clock import FixedClock
from broker.bootstrap import Broker, build_broker
from broker.http.app import create_app
from broker.settings import BrokerSettings
from tests.support.people import personal_json

TENANT = "mine-wakuwaku"
REQUESTER = uuid4()
NOW = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def broker(tmp_path: Path) -> Broker:
    return build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"), clock=FixedClock(NOW))


@pytest.fixture
def client(broker: Broker) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(broker)) as test_client:
        yield test_client


def auth(
    broker: Broker, role: Role, *, subject: UUID | None = None, tenant: str = TENANT
) -> dict[str, str]:
    key = load_or_create_key(broker.settings.jwt_key_file)
    token = issue_token(key, tenant=tenant, role=role, subject=subject or uuid4())
    return {"Authorization": f"Bearer {token}"}


def request_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "梨の袋かけ",
        "work_type": "harvest",
        "sector": "agriculture_forestry",
        "district": "ofuku",
        "starts_on": "2026-10-19",
        "ends_on": "2026-10-23",
        "window_start": 480,
        "window_end": 960,
        "volume_minutes": 1200,
        "reward_kind": "hourly",
        "reward_yen": 1050,
        "transport_allowance_yen": 300,
    }
    return body | overrides


def worker_body() -> dict[str, object]:
    return {
        "personal": personal_json(),
        "sex": "male",
        "district": "ofuku",
        "skills": ["harvest"],
        "constraints": {
            "weekly": {str(day): [{"start": 480, "end": 780}] for day in range(5)},
            "home_district": "ofuku",
            "travel": "walk",
            "max_travel_minutes": 60,
        },
    }


def test_calls_without_a_token_get_a_401_problem(client: TestClient[Any]) -> None:
    response = client.get("/job-requests")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_forged_token_is_refused(client: TestClient[Any]) -> None:
    forged = issue_token(
        "not-our-key-but-long-enough-to-be-a-real-hmac-key",
        tenant=TENANT,
        role=Role.COORDINATOR,
        subject=uuid4(),
    )

    response = client.get("/job-requests", headers={"Authorization": f"Bearer {forged}"})

    assert response.status_code == 401


def test_a_worker_cannot_submit_a_job_request(client: TestClient[Any], broker: Broker) -> None:
    response = client.post("/job-requests", json=request_body(), headers=auth(broker, Role.WORKER))

    assert response.status_code == 403


def test_a_requester_sees_only_its_own_requests(client: TestClient[Any], broker: Broker) -> None:
    mine = auth(broker, Role.REQUESTER, subject=REQUESTER)
    created = client.post("/job-requests", json=request_body(), headers=mine)
    client.post(
        "/job-requests", json=request_body(title="other"), headers=auth(broker, Role.REQUESTER)
    )

    listed = client.get("/job-requests", headers=mine).json()
    everyone = client.get("/job-requests", headers=auth(broker, Role.COORDINATOR)).json()

    assert created.status_code == 201
    assert [r["id"] for r in listed] == [created.json()["id"]]
    assert len(everyone) == 2


def test_another_council_cannot_read_a_request(client: TestClient[Any], broker: Broker) -> None:
    created = client.post(
        "/job-requests", json=request_body(), headers=auth(broker, Role.REQUESTER)
    ).json()

    response = client.get(
        f"/job-requests/{created['id']}", headers=auth(broker, Role.COORDINATOR, tenant="hagi")
    )

    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (request_body(reward_yen=-5), 400),
        (request_body(reward_yen="a lot"), 400),
        (request_body(sector="mining"), 400),
        (request_body(unknown_field=1), 400),
        (request_body(window_start=900, window_end=600), 422),
        (request_body(starts_on="2026-09-01"), 422),
        (request_body(ends_on="2026-10-01"), 422),
        (request_body(reward_yen=10**12), 400),
    ],
)
def test_bad_requests_get_a_4xx_problem_and_store_nothing(
    client: TestClient[Any], broker: Broker, body: dict[str, object], status: int
) -> None:
    response = client.post(
        "/job-requests", json=body, headers=auth(broker, Role.REQUESTER, subject=REQUESTER)
    )

    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert broker.app.recorder.max_notification_id() in (None, 0)


def test_malformed_json_gets_a_400_problem(client: TestClient[Any], broker: Broker) -> None:
    headers = auth(broker, Role.REQUESTER) | {"content-type": "application/json"}

    response = client.post("/job-requests", content=b'{"title": ', headers=headers)

    assert response.status_code == 400


def test_an_oversize_body_is_refused(client: TestClient[Any], broker: Broker) -> None:
    huge = request_body(description="x" * (1024 * 1024 + 1))

    response = client.post("/job-requests", json=huge, headers=auth(broker, Role.REQUESTER))

    assert response.status_code == 413


def test_carving_offers_the_task_and_completion_confirms_it(
    client: TestClient[Any], broker: Broker
) -> None:
    coordinator = auth(broker, Role.COORDINATOR)
    requester = auth(broker, Role.REQUESTER, subject=REQUESTER)
    worker = client.post("/workers", json=worker_body(), headers=coordinator).json()["id"]
    job = client.post("/job-requests", json=request_body(), headers=requester).json()["id"]

    carved = client.post(
        "/tasks",
        json={
            "job_request_id": job,
            "starts_at": "2026-10-20T09:00:00+09:00",
            "ends_at": "2026-10-20T12:00:00+09:00",
        },
        headers=coordinator,
    )
    task = carved.json()
    assigned = client.post(
        f"/tasks/{task['id']}/assign", json={"worker_id": worker}, headers=coordinator
    )
    done = client.post(
        "/completions",
        json={
            "completions": [
                {
                    "task_id": task["id"],
                    "worked_minutes": 180,
                    "finished_at": "2026-10-20T12:00:00+09:00",
                }
            ]
        },
        headers=requester,
    )
    seen = client.get(f"/job-requests/{job}", headers=requester).json()

    assert carved.status_code == 201
    assert [o["worker_id"] for o in task["offers"]] == [worker]
    assert assigned.status_code == 204
    assert done.status_code == 201
    assert seen["tasks"][0]["status"] == "completed"
    assert "offers" not in seen["tasks"][0] or seen["tasks"][0]["offers"] is None


def test_assigning_against_a_constraint_gives_a_422_with_what_broke(
    client: TestClient[Any], broker: Broker
) -> None:
    coordinator = auth(broker, Role.COORDINATOR)
    worker = client.post("/workers", json=worker_body(), headers=coordinator).json()["id"]
    job = client.post(
        "/job-requests", json=request_body(), headers=auth(broker, Role.REQUESTER)
    ).json()["id"]
    late = datetime(2026, 10, 20, 4, 0, tzinfo=UTC)  # 13:00 in Tokyo, after her mornings
    task = client.post(
        "/tasks",
        json={
            "job_request_id": job,
            "starts_at": late.isoformat(),
            "ends_at": (late + timedelta(hours=2)).isoformat(),
        },
        headers=coordinator,
    ).json()

    response = client.post(
        f"/tasks/{task['id']}/assign", json={"worker_id": worker}, headers=coordinator
    )

    assert response.status_code == 422
    assert response.json()["broken"] == ["hours"]


def test_openapi_document_is_served_without_a_token(client: TestClient[Any]) -> None:
    response = client.get("/docs/openapi.json")

    assert response.status_code == 200
    assert "/job-requests" in response.json()["paths"]


def test_personal_details_are_shown_to_coordinators_only_and_erasure_hides_them(
    client: TestClient[Any], broker: Broker
) -> None:
    coordinator = auth(broker, Role.COORDINATOR)
    worker = client.post("/workers", json=worker_body(), headers=coordinator).json()["id"]

    seen = client.get(f"/workers/{worker}", headers=coordinator).json()
    audited = client.get(f"/workers/{worker}", headers=auth(broker, Role.AUDITOR)).json()
    stored = [
        item.state
        for item in broker.app.recorder.select_notifications(start=None, limit=100)
        if item.originator_id == UUID(worker)
    ]
    erased = client.delete(f"/workers/{worker}/personal", headers=coordinator)
    after = client.get(f"/workers/{worker}", headers=coordinator).json()
    changed = client.put(f"/workers/{worker}/personal", json=personal_json(), headers=coordinator)

    assert seen["personal"]["name"] == "山田 花子"
    assert seen["personal"]["channels"] == ["email", "phone", "web"]
    assert seen["birth_year"] == 1950
    assert audited["personal"] is None
    assert stored
    assert all("山田".encode() not in state and b"090-1234" not in state for state in stored)
    assert erased.status_code == 204
    assert after["erased"] is True
    assert after["personal"] is None
    assert changed.status_code == 410


def test_changed_details_are_sealed_again(client: TestClient[Any], broker: Broker) -> None:
    coordinator = auth(broker, Role.COORDINATOR)
    worker = client.post("/workers", json=worker_body(), headers=coordinator).json()["id"]

    changed = client.put(
        f"/workers/{worker}/personal",
        json=personal_json(phone="0837-52-0000", channels=["phone"]),
        headers=coordinator,
    )
    seen = client.get(f"/workers/{worker}", headers=coordinator).json()

    assert changed.status_code == 204
    assert seen["personal"]["phone"] == "0837-52-0000"
    assert seen["personal"]["channels"] == ["phone", "web"]


@pytest.mark.parametrize(
    ("personal", "why"),
    [
        (
            personal_json(
                consent={"personal_data": False, "recorded_on": "2026-09-01"},
            ),
            "consent to keep personal data",
        ),
        (personal_json(health_notes="腰痛あり"), "health notes need"),
        (personal_json(email=None, channels=["email"]), "channel email needs"),
        (personal_json(birth_date="2020-01-01"), "birth date"),
        (personal_json(channels=["phone", "phone"]), "each channel at most once"),
    ],
)
def test_registration_without_consent_or_contacts_is_a_422(
    client: TestClient[Any], broker: Broker, personal: dict[str, Any], why: str
) -> None:
    response = client.post(
        "/workers",
        json=worker_body() | {"personal": personal},
        headers=auth(broker, Role.COORDINATOR),
    )

    assert response.status_code == 422
    assert why in response.json()["detail"]


def test_malformed_contacts_are_refused_by_validation(
    client: TestClient[Any], broker: Broker
) -> None:
    for bad in (
        {"email": "not-an-address"},
        {"kana": "Yamada"},
        {"line_user_id": "someone"},
        {"phone": "call me"},
    ):
        response = client.post(
            "/workers",
            json=worker_body() | {"personal": personal_json(**bad)},
            headers=auth(broker, Role.COORDINATOR),
        )
        assert response.status_code == 400, bad
