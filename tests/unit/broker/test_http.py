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
from tests.support.api_bodies import bearer, job_request_json, worker_json
from tests.support.people import personal_json

TENANT = "mine-wakuwaku"
REQUESTER = uuid4()
NOW = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def broker(tmp_path: Path, clock: FixedClock) -> Broker:
    return build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"), clock=clock)


@pytest.fixture
def client(broker: Broker) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(broker)) as test_client:
        yield test_client


def auth(
    broker: Broker, role: Role, *, subject: UUID | None = None, tenant: str = TENANT
) -> dict[str, str]:
    key = load_or_create_key(broker.settings.jwt_key_file)
    return bearer(key, role, subject=subject, tenant=tenant)


def request_body(**overrides: object) -> dict[str, object]:
    return job_request_json(**({"transport_allowance_yen": 300} | overrides))


def worker_body() -> dict[str, object]:
    return worker_json(sex="male")


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
    client: TestClient[Any], broker: Broker, clock: FixedClock
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
    clock.at = datetime(2026, 10, 20, 3, 30, tzinfo=UTC)  # 12:30 in Tokyo, after the work
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
    assert response.json()["type"] == "/problems/constraint-broken"
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


def an_assigned_task(client: TestClient[Any], broker: Broker, *, minutes: int = 180) -> str:
    """A task from 9:00 on 20 October (Tokyo), assigned by a coordinator; its id."""
    coordinator = auth(broker, Role.COORDINATOR)
    requester = auth(broker, Role.REQUESTER, subject=REQUESTER)
    worker = client.post("/workers", json=worker_body(), headers=coordinator).json()["id"]
    job = client.post("/job-requests", json=request_body(), headers=requester).json()["id"]
    start = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)
    task = client.post(
        "/tasks",
        json={
            "job_request_id": job,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        },
        headers=coordinator,
    ).json()["id"]
    client.post(f"/tasks/{task}/assign", json={"worker_id": worker}, headers=coordinator)
    return str(task)


def completion(task: str, minutes: int, finished_at: str) -> dict[str, object]:
    return {
        "completions": [{"task_id": task, "worked_minutes": minutes, "finished_at": finished_at}]
    }


def test_confirming_six_days_before_the_shift_began_is_a_422(
    client: TestClient[Any], broker: Broker, clock: FixedClock
) -> None:
    task = an_assigned_task(client, broker)
    clock.at = datetime(2026, 10, 14, 0, 0, tzinfo=UTC)  # six days before the shift

    response = client.post(
        "/completions",
        json=completion(task, 180, "2026-10-20T12:00:00+09:00"),
        headers=auth(broker, Role.REQUESTER, subject=REQUESTER),
    )
    seen = client.get(f"/tasks/{task}", headers=auth(broker, Role.COORDINATOR)).json()

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "10月20日（火） 9:00" in response.json()["detail"]
    assert seen["status"] == "assigned"


def test_720_minutes_on_a_60_minute_shift_need_a_coordinators_approval(
    client: TestClient[Any], broker: Broker, clock: FixedClock
) -> None:
    task = an_assigned_task(client, broker, minutes=60)
    requester = auth(broker, Role.REQUESTER, subject=REQUESTER)
    clock.at = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo
    body = completion(task, 720, "2026-10-20T21:00:00+09:00")
    approval = {"excess_minutes": 660, "reason": "機械の故障で延長"}

    refused = client.post("/completions", json=body, headers=requester)
    by_requester = client.post(f"/tasks/{task}/excess-approval", json=approval, headers=requester)
    approved = client.post(
        f"/tasks/{task}/excess-approval", json=approval, headers=auth(broker, Role.COORDINATOR)
    )
    accepted = client.post("/completions", json=body, headers=requester)

    assert refused.status_code == 422
    assert "720分" in refused.json()["detail"]
    assert by_requester.status_code == 403
    assert approved.status_code == 204
    assert accepted.status_code == 201


def test_a_check_in_six_days_early_is_a_422_and_the_task_stays_assigned(
    client: TestClient[Any], broker: Broker, clock: FixedClock
) -> None:
    task = an_assigned_task(client, broker)
    coordinator = auth(broker, Role.COORDINATOR)
    clock.at = datetime(2026, 10, 14, 0, 0, tzinfo=UTC)
    worker = client.get(f"/tasks/{task}", headers=coordinator).json()["worker_id"]

    response = client.post(
        f"/tasks/{task}/check-in", json={"worker_id": worker}, headers=coordinator
    )
    seen = client.get(f"/tasks/{task}", headers=coordinator).json()

    assert response.status_code == 422
    assert "チェックイン" in response.json()["detail"]
    assert seen["status"] == "assigned"


@pytest.mark.parametrize(
    ("district", "expected"),
    [("tokyo", "ofuku（於福町）"), ("於福町", "コード ofuku")],
)
def test_a_district_outside_the_council_is_a_422_listing_the_districts(
    client: TestClient[Any], broker: Broker, district: str, expected: str
) -> None:
    response = client.post(
        "/job-requests",
        json=request_body(district=district),
        headers=auth(broker, Role.REQUESTER, subject=REQUESTER),
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert expected in detail
    assert "mito（美東町）" in detail
    assert broker.app.recorder.max_notification_id() in (None, 0)


def test_200000_minutes_in_one_day_are_a_422(client: TestClient[Any], broker: Broker) -> None:
    response = client.post(
        "/job-requests",
        json=request_body(starts_on="2026-10-20", ends_on="2026-10-20", volume_minutes=200_000),
        headers=auth(broker, Role.REQUESTER, subject=REQUESTER),
    )

    assert response.status_code == 422
    assert "4,800" in response.json()["detail"]


def test_a_volume_near_capacity_is_accepted_with_a_warning(
    client: TestClient[Any], broker: Broker
) -> None:
    response = client.post(
        "/job-requests",
        json=request_body(starts_on="2026-10-20", ends_on="2026-10-20", volume_minutes=4_500),
        headers=auth(broker, Role.REQUESTER, subject=REQUESTER),
    )

    assert response.status_code == 201
    assert any("8割" in warning for warning in response.json()["warnings"])
