"""The register (登録者名簿) and changing a worker's constraints and skills, over HTTP."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from backbone.auth import Role
from backbone.clock import FixedClock
from broker.bootstrap import Broker, build_broker
from broker.http.app import create_app
from broker.settings import BrokerSettings
from tests.support.people import personal_json
from tests.unit.broker.test_http import auth, request_body, worker_body

NOW = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def broker(tmp_path: Path) -> Broker:
    return build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"), clock=FixedClock(NOW))


@pytest.fixture
def client(broker: Broker) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(broker)) as test_client:
        yield test_client


@pytest.fixture
def coordinator(broker: Broker) -> dict[str, str]:
    return auth(broker, Role.COORDINATOR)


def register(
    client: TestClient[Any],
    headers: dict[str, str],
    *,
    name: str,
    kana: str,
    district: str = "ofuku",
    skills: tuple[str, ...] = ("harvest",),
    channels: tuple[str, ...] = ("email",),
) -> str:
    body = worker_body() | {"district": district, "skills": list(skills)}
    body["personal"] = personal_json(name=name, kana=kana, channels=list(channels))
    response = client.post("/workers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    worker_id: str = response.json()["id"]
    return worker_id


@pytest.fixture
def town(client: TestClient[Any], coordinator: dict[str, str]) -> dict[str, str]:
    """Four registrants; kana order: いとう, さとう, やまだ, わたなべ."""
    return {
        "yamada": register(client, coordinator, name="山田 花子", kana="やまだ はなこ"),
        "sato": register(
            client,
            coordinator,
            name="佐藤 一郎",
            kana="サトウ イチロウ",
            district="omine",
            skills=("care", "harvest"),
            channels=("phone",),
        ),
        "ito": register(
            client, coordinator, name="伊藤 静", kana="いとう しずか", skills=("cleaning",)
        ),
        "watanabe": register(
            client, coordinator, name="渡辺 健", kana="わたなべ けん", district="mito"
        ),
    }


def listed(client: TestClient[Any], headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = client.get("/workers", params=params, headers=headers)
    assert response.status_code == 200, response.text
    workers: list[dict[str, Any]] = response.json()["workers"]
    return workers


def test_the_register_lists_the_councils_workers_by_kana(
    client: TestClient[Any], broker: Broker, coordinator: dict[str, str], town: dict[str, str]
) -> None:
    register(client, auth(broker, Role.COORDINATOR, tenant="hagi"), name="萩 太郎", kana="はぎ")

    page = client.get("/workers", headers=coordinator).json()

    assert [w["id"] for w in page["workers"]] == [
        town["ito"],
        town["sato"],
        town["yamada"],
        town["watanabe"],
    ]
    assert page["total"] == 4
    assert (page["limit"], page["offset"]) == (50, 0)
    sato = page["workers"][1]
    assert sato == {
        "id": town["sato"],
        "name": "佐藤 一郎",
        "kana": "サトウ イチロウ",
        "district": "omine",
        "district_name": "大嶺町",
        "skills": ["care", "harvest"],
        "paused": False,
        "channels": ["phone", "web"],
        "erased": False,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "山田"}, ["yamada"]),
        ({"q": "さとう"}, ["sato"]),  # katakana kana found by hiragana
        ({"q": "ワタナベケン"}, ["watanabe"]),  # and the other way round, spaces ignored
        ({"q": "nobody"}, []),
        ({"district": "ofuku"}, ["ito", "yamada"]),
        ({"skill": "harvest"}, ["sato", "yamada", "watanabe"]),
        ({"skill": "harvest", "district": "omine"}, ["sato"]),
        ({"channel": "phone"}, ["sato"]),
        ({"channel": "web"}, ["ito", "sato", "yamada", "watanabe"]),
        ({"paused": "true"}, ["yamada"]),
        ({"paused": "false"}, ["ito", "sato", "watanabe"]),
    ],
)
def test_each_filter_narrows_the_register(
    client: TestClient[Any],
    coordinator: dict[str, str],
    town: dict[str, str],
    params: dict[str, str],
    expected: list[str],
) -> None:
    client.post(f"/workers/{town['yamada']}/pause", headers=coordinator)

    found = listed(client, coordinator, **params)

    assert [w["id"] for w in found] == [town[name] for name in expected]


def test_the_register_is_paged(
    client: TestClient[Any], coordinator: dict[str, str], town: dict[str, str]
) -> None:
    page = client.get("/workers", params={"limit": 2, "offset": 1}, headers=coordinator).json()
    too_many = client.get("/workers", params={"limit": 201}, headers=coordinator)
    none = client.get("/workers", params={"limit": 0}, headers=coordinator)
    negative = client.get("/workers", params={"offset": -1}, headers=coordinator)

    assert [w["id"] for w in page["workers"]] == [town["sato"], town["yamada"]]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [too_many.status_code, none.status_code, negative.status_code] == [400, 400, 400]


def test_erased_workers_are_listed_without_personal_data(
    client: TestClient[Any], coordinator: dict[str, str], town: dict[str, str]
) -> None:
    client.delete(f"/workers/{town['sato']}/personal", headers=coordinator)

    everyone = listed(client, coordinator)
    searched = listed(client, coordinator, q="佐藤")

    assert everyone[-1] == {
        "id": town["sato"],
        "name": None,
        "kana": None,
        "district": "omine",
        "district_name": "大嶺町",
        "skills": ["care", "harvest"],
        "paused": False,
        "channels": [],
        "erased": True,
    }
    assert searched == []


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.AUDITOR, Role.ACCOUNTANT, Role.WORKER])
def test_only_coordinators_see_the_register(
    client: TestClient[Any], broker: Broker, town: dict[str, str], role: Role
) -> None:
    assert town
    response = client.get("/workers", headers=auth(broker, role))

    assert response.status_code == 403


def new_constraints(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "weekly": {"1": [{"start": 780, "end": 1020}], "3": [{"start": 780, "end": 1020}]},
        "holidays_off": False,
        "home_district": "omine",
        "travel": "car",
        "max_travel_minutes": 30,
        "weekly_cap_minutes": 600,
        "monthly_cap_days": 6,
    }
    return body | overrides


def test_changed_constraints_are_recorded_and_shown(
    client: TestClient[Any], coordinator: dict[str, str], town: dict[str, str]
) -> None:
    changed = client.put(
        f"/workers/{town['yamada']}/constraints", json=new_constraints(), headers=coordinator
    )
    seen = client.get(f"/workers/{town['yamada']}", headers=coordinator).json()

    assert changed.status_code == 204
    assert seen["constraints"]["weekly"] == {"1": [[780, 1020]], "3": [[780, 1020]]}
    assert seen["constraints"]["home_district"] == "omine"
    assert seen["constraints"]["travel"] == "car"
    assert seen["constraints"]["holidays_off"] is False
    assert (seen["constraints"]["weekly_cap_minutes"], seen["constraints"]["monthly_cap_days"]) == (
        600,
        6,
    )


@pytest.mark.parametrize(
    "body",
    [
        new_constraints(home_district="tokyo"),
        new_constraints(weekly={"1": [{"start": 900, "end": 600}]}),
    ],
)
def test_impossible_constraints_are_a_422_and_change_nothing(
    client: TestClient[Any], coordinator: dict[str, str], town: dict[str, str], body: object
) -> None:
    before = client.get(f"/workers/{town['yamada']}", headers=coordinator).json()

    response = client.put(f"/workers/{town['yamada']}/constraints", json=body, headers=coordinator)
    after = client.get(f"/workers/{town['yamada']}", headers=coordinator).json()

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert after == before


def test_a_district_outside_the_council_lists_the_districts(
    client: TestClient[Any], coordinator: dict[str, str], town: dict[str, str]
) -> None:
    response = client.put(
        f"/workers/{town['yamada']}/constraints",
        json=new_constraints(home_district="tokyo"),
        headers=coordinator,
    )

    assert "ofuku" in response.text


def test_changed_skills_are_recorded_and_listed(
    client: TestClient[Any], coordinator: dict[str, str], town: dict[str, str]
) -> None:
    changed = client.put(
        f"/workers/{town['ito']}/skills",
        json={"skills": ["harvest", "care", "care"], "preferred_work_types": ["harvest"]},
        headers=coordinator,
    )
    seen = client.get(f"/workers/{town['ito']}", headers=coordinator).json()
    bad = client.put(
        f"/workers/{town['ito']}/skills",
        json={"skills": ["Not A Code"], "preferred_work_types": []},
        headers=coordinator,
    )

    assert changed.status_code == 204
    assert (seen["skills"], seen["preferred_work_types"]) == (["care", "harvest"], ["harvest"])
    assert [w["id"] for w in listed(client, coordinator, skill="care")] == [
        town["ito"],
        town["sato"],
    ]
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("constraints", new_constraints()),
        ("skills", {"skills": [], "preferred_work_types": []}),
    ],
)
def test_unknown_and_erased_workers_cannot_be_changed(
    client: TestClient[Any],
    broker: Broker,
    coordinator: dict[str, str],
    town: dict[str, str],
    path: str,
    body: object,
) -> None:
    client.delete(f"/workers/{town['sato']}/personal", headers=coordinator)

    unknown = client.put(
        f"/workers/00000000-0000-4000-8000-000000000000/{path}", json=body, headers=coordinator
    )
    erased = client.put(f"/workers/{town['sato']}/{path}", json=body, headers=coordinator)
    theirs = client.put(
        f"/workers/{town['ito']}/{path}",
        json=body,
        headers=auth(broker, Role.COORDINATOR, tenant="hagi"),
    )
    requester = client.put(
        f"/workers/{town['ito']}/{path}", json=body, headers=auth(broker, Role.REQUESTER)
    )

    assert [unknown.status_code, erased.status_code, theirs.status_code] == [404, 410, 404]
    assert requester.status_code == 403


def carve(
    client: TestClient[Any], broker: Broker, starts_at: str, ends_at: str, *skills: str
) -> dict[str, Any]:
    body = request_body(skills=list(skills))
    job = client.post("/job-requests", json=body, headers=auth(broker, Role.REQUESTER)).json()["id"]
    response = client.post(
        "/tasks",
        json={"job_request_id": job, "starts_at": starts_at, "ends_at": ends_at},
        headers=auth(broker, Role.COORDINATOR),
    )
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def offered_to(task: dict[str, Any]) -> list[str]:
    return [offer["worker_id"] for offer in task["offers"]]


def test_offers_follow_the_changed_constraints_and_skills(
    client: TestClient[Any], broker: Broker, coordinator: dict[str, str]
) -> None:
    worker = register(client, coordinator, name="山田 花子", kana="やまだ はなこ")
    # Her mornings (8:00–13:00, Monday to Friday) hold 9:00–12:00; afterwards she works
    # Tuesday and Thursday afternoons from Omine, by car.
    before = carve(client, broker, "2026-10-19T09:00:00+09:00", "2026-10-19T12:00:00+09:00")
    morning = ("2026-10-20T09:00:00+09:00", "2026-10-20T12:00:00+09:00")
    afternoon = ("2026-10-20T14:00:00+09:00", "2026-10-20T16:00:00+09:00")

    client.put(f"/workers/{worker}/constraints", json=new_constraints(), headers=coordinator)
    mornings_after = carve(client, broker, *morning)
    afternoons_after = carve(client, broker, *afternoon)
    client.put(
        f"/workers/{worker}/skills",
        json={"skills": ["care"], "preferred_work_types": []},
        headers=coordinator,
    )
    thursday = ("2026-10-22T14:00:00+09:00", "2026-10-22T16:00:00+09:00")
    with_her_new_skill = carve(client, broker, *thursday, "care")
    without_her_old_skill = carve(client, broker, *thursday, "harvest")

    assert offered_to(before) == [worker]
    assert offered_to(mornings_after) == []
    assert offered_to(afternoons_after) == [worker]
    assert offered_to(with_her_new_skill) == [worker]
    assert offered_to(without_her_old_skill) == []
