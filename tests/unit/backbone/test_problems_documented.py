"""Every refusal a service gives is documented for its route, and every guarded route says 401.

For each service, requests provoke the 4xx kinds it has on a sample of routes (no token, the
wrong role, an unknown id, bad input, an unreadable body, a bad Idempotency-Key, a reused
one, an oversize body, domain refusals), and each status that comes back must be among the
statuses the service's own OpenAPI documents for that route and method, with the media
type that came back. Then every documented operation is called without a token: a route
that needs one answers 401, and documents it.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from backbone.auth import Role
from backbone.clock import FixedClock
from broker.bootstrap import build_broker
from broker.http.app import create_app as broker_app
from broker.settings import BrokerSettings
from notify.bootstrap import build_notify
from notify.domain.job import job_id
from notify.http.app import create_app as notify_app
from notify.settings import NotifySettings
from payout.http.app import create_app as payout_app
from tests.support.api_bodies import bearer, job_request_json, worker_json
from tests.support.people import personal_json
from tests.unit.notify.support import NOW as NOTIFY_NOW
from tests.unit.notify.support import Book, accepted, offered, react
from tests.unit.payout.support import erased, in_memory_payout, registered
from tests.unit.payout.support import react as payout_react

TENANT = "mine-wakuwaku"
HUGE = "x" * (1024 * 1024 + 1)
Call = Callable[[TestClient[Any]], Iterator[tuple[str, str, Any]]]
"""Makes requests; yields (method, OpenAPI path, response) for each."""


def documented(schema: dict[str, Any], method: str, path: str) -> dict[str, set[str]]:
    """Status → media types the document lists for this operation."""
    responses = schema["paths"][path][method.lower()]["responses"]
    return {code: set((answer.get("content") or {}).keys()) for code, answer in responses.items()}


def check(app: Litestar, calls: Call, expected: set[int]) -> None:
    """Run the calls; every 4xx that came back is documented, and each expected one came."""
    seen: set[int] = set()
    undocumented: list[str] = []
    with TestClient(app=app) as client:
        schema = client.get("/docs/openapi.json").json()
        for method, path, response in calls(client):
            status = response.status_code
            if status < 400:
                continue
            seen.add(status)
            media = response.headers["content-type"].split(";")[0]
            listed = documented(schema, method, path)
            if str(status) not in listed or media not in listed[str(status)]:
                undocumented.append(f"{method} {path}: {status} {media}, listed {listed}")
    assert undocumented == []
    assert expected <= seen, f"never provoked: {expected - seen}"


def filled(path: str) -> str:
    """A concrete URL for an OpenAPI path."""
    values = {"period": "2026-03", "number": "1", "line": "1", "token": "not-a-link"}
    values |= {"answer": "accept", "slug": "not-found"}

    def value(found: re.Match[str]) -> str:
        name = found[1]
        return values.get(name, str(uuid4()))

    return re.sub(r"\{(\w+)\}", value, path)


def without_a_token(app: Litestar) -> None:
    """Every operation that needs a token answers 401 without one, and documents it."""
    wrong: list[str] = []
    with TestClient(app=app) as client:
        schema = client.get("/docs/openapi.json").json()
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                if path.endswith("/events"):
                    continue  # a stream: the link check is covered by its siblings
                response = client.request(method.upper(), filled(path), json={})
                listed = documented(schema, method, path)
                public = operation.get("security") == []
                if not public and (response.status_code != 401 or "401" not in listed):
                    wrong.append(f"{method} {path}: {response.status_code}, listed {listed}")
                if response.status_code >= 400 and str(response.status_code) not in listed:
                    wrong.append(f"{method} {path}: {response.status_code} undocumented")
    assert wrong == []


@pytest.fixture
def broker(tmp_path: Path) -> tuple[Litestar, str]:
    clock = FixedClock(datetime(2026, 10, 1, tzinfo=UTC))
    service = build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"), clock=clock)
    return broker_app(service), service.jwt_key


def broker_calls(key: str) -> Call:
    coordinator, requester = bearer(key, Role.COORDINATOR), bearer(key, Role.REQUESTER)
    worker = bearer(key, Role.WORKER)

    def calls(client: TestClient[Any]) -> Iterator[tuple[str, str, Any]]:
        yield "GET", "/job-requests", client.get("/job-requests")
        yield "GET", "/job-requests", client.get("/job-requests", headers=worker)
        yield "POST", "/job-requests", client.post("/job-requests", json={}, headers=requester)
        yield (
            "POST",
            "/job-requests",
            client.post(
                "/job-requests",
                content=b"{",
                headers=requester | {"content-type": "application/json"},
            ),
        )
        impossible = job_request_json(window_start=900, window_end=600)
        yield (
            "POST",
            "/job-requests",
            client.post("/job-requests", json=impossible, headers=requester),
        )
        long_key = requester | {"Idempotency-Key": "k" * 201}
        yield "POST", "/job-requests", client.post("/job-requests", json={}, headers=long_key)
        once = requester | {"Idempotency-Key": "once"}
        job = client.post("/job-requests", json=job_request_json(), headers=once).json()["id"]
        other = job_request_json(title="栗の収穫")
        yield "POST", "/job-requests", client.post("/job-requests", json=other, headers=once)
        huge = job_request_json(description=HUGE)
        yield "POST", "/job-requests", client.post("/job-requests", json=huge, headers=requester)
        yield "GET", "/tasks/{task_id}", client.get(f"/tasks/{uuid4()}", headers=coordinator)
        yield (
            "GET",
            "/tasks/{task_id}/timeline",
            client.get(f"/tasks/{uuid4()}/timeline?at=soon", headers=coordinator),
        )
        yield (
            "POST",
            "/tasks/{task_id}/cancel",
            client.post(f"/tasks/{uuid4()}/cancel", json={}, headers=coordinator),
        )
        person = client.post("/workers", json=worker_json(), headers=coordinator).json()["id"]
        shift = {
            "job_request_id": job,
            "starts_at": "2026-10-20T09:00:00+09:00",
            "ends_at": "2026-10-20T12:00:00+09:00",
        }
        task = client.post("/tasks", json=shift, headers=coordinator).json()["id"]
        assign = {"worker_id": person}
        client.post(f"/tasks/{task}/assign", json=assign, headers=coordinator)
        yield (
            "POST",
            "/tasks/{task_id}/assign",
            client.post(f"/tasks/{task}/assign", json=assign, headers=coordinator),
        )
        client.delete(f"/workers/{person}/personal", headers=coordinator)
        yield (
            "GET",
            "/workers/{worker_id}/reach",
            client.get(f"/workers/{person}/reach", headers=coordinator),
        )
        yield (
            "PUT",
            "/workers/{worker_id}/personal",
            client.put(f"/workers/{person}/personal", json=personal_json(), headers=coordinator),
        )
        yield "GET", "/workers", client.get("/workers?limit=0", headers=coordinator)
        yield "GET", "/workers", client.get("/workers", headers=worker)
        constraints: dict[str, object] = {"weekly": {}, "home_district": "ofuku"}
        yield (
            "PUT",
            "/workers/{worker_id}/constraints",
            client.put(f"/workers/{person}/constraints", json=constraints, headers=coordinator),
        )
        yield (
            "PUT",
            "/workers/{worker_id}/constraints",
            client.put(
                f"/workers/{uuid4()}/constraints",
                json=constraints | {"home_district": "tokyo"},
                headers=coordinator,
            ),
        )
        yield (
            "PUT",
            "/workers/{worker_id}/skills",
            client.put(
                f"/workers/{uuid4()}/skills",
                json={"skills": [], "preferred_work_types": []},
                headers=coordinator,
            ),
        )

    return calls


def test_the_brokers_refusals_are_documented_for_their_routes(
    broker: tuple[Litestar, str],
) -> None:
    app, key = broker
    check(app, broker_calls(key), {400, 401, 403, 404, 409, 410, 413, 422})


def test_every_broker_route_that_needs_a_token_answers_and_documents_401(
    broker: tuple[Litestar, str],
) -> None:
    without_a_token(broker[0])


@pytest.fixture
def payout(tmp_path: Path) -> tuple[Litestar, str]:
    service = in_memory_payout(tmp_path)
    hanako, ichiro = UUID(int=1), UUID(int=2)
    payout_react(service, registered(hanako), registered(ichiro), erased(ichiro))
    return payout_app(service), service.jwt_key


def payout_calls(key: str) -> Call:
    accountant, worker = bearer(key, Role.ACCOUNTANT), bearer(key, Role.WORKER)
    account = {
        "bank_code": "0005",
        "branch_code": "001",
        "account_type": 1,
        "number": "1234567",
        "holder_kana": "やまだ はなこ",
    }
    bank = "/workers/{worker_id}/bank-account"

    def calls(client: TestClient[Any]) -> Iterator[tuple[str, str, Any]]:
        yield "GET", "/rewards", client.get("/rewards")
        yield "GET", "/rewards", client.get("/rewards", headers=worker)
        yield "GET", "/rewards", client.get("/rewards?worker_id=someone", headers=accountant)
        yield "POST", "/runs", client.post("/runs", json={"period": "March"}, headers=accountant)
        yield "GET", "/runs/{period}", client.get("/runs/2026-13", headers=accountant)
        yield (
            "GET",
            "/runs/{period}/files/{number}",
            client.get("/runs/2026-03/files/first", headers=accountant),
        )
        unknown = f"/workers/{uuid4()}/bank-account"
        yield "PUT", bank, client.put(unknown, json=account, headers=accountant)
        known = f"/workers/{UUID(int=1)}/bank-account"
        wrong_bank = account | {"bank_code": "9998"}
        yield "PUT", bank, client.put(known, json=wrong_bank, headers=accountant)
        yield (
            "PUT",
            bank,
            client.put(known, json=account | {"holder_kana": HUGE}, headers=accountant),
        )
        yield "PUT", bank, client.put(known, content=b"[", headers=accountant)
        gone = f"/workers/{UUID(int=2)}/bank-account"
        yield "PUT", bank, client.put(gone, json=account, headers=accountant)

    return calls


def test_payouts_refusals_are_documented_for_their_routes(payout: tuple[Litestar, str]) -> None:
    app, key = payout
    check(app, payout_calls(key), {400, 401, 403, 404, 413, 422})


def test_every_payout_route_that_needs_a_token_answers_and_documents_401(
    payout: tuple[Litestar, str],
) -> None:
    without_a_token(payout[0])


@pytest.fixture
def notify(tmp_path: Path) -> tuple[Litestar, Any]:
    settings = replace(NotifySettings.in_memory(tmp_path / "jwt.key"), page_rate_per_minute=30)
    service = build_notify(settings, clock=FixedClock(NOTIFY_NOW), senders={}, contacts=Book())
    return notify_app(service), service


def notify_calls(service: Any) -> Call:
    key = service.jwt_key
    coordinator, worker = bearer(key, Role.COORDINATOR), bearer(key, Role.WORKER)
    person = uuid4()
    offer = offered(person)
    react(service, offer)
    react(service, accepted(offer))
    page = f"/w/{service.link_token(person, TENANT)}"
    answer = "/offers/{offer_id}/phone-answer"
    future = (NOTIFY_NOW + timedelta(days=1)).isoformat()

    def calls(client: TestClient[Any]) -> Iterator[tuple[str, str, Any]]:
        yield "GET", "/call-list", client.get("/call-list")
        yield "GET", "/call-list", client.get("/call-list", headers=worker)
        url = f"/offers/{offer.offer_id}/phone-answer"
        yield "POST", answer, client.post(url, json={"accept": "yes"}, headers=coordinator)
        late = {"accept": True, "answered_at": future}
        yield "POST", answer, client.post(url, json=late, headers=coordinator)
        unknown = f"/offers/{uuid4()}/phone-answer"
        yield "POST", answer, client.post(unknown, json={"accept": True}, headers=coordinator)
        link = "/workers/{worker_id}/link"
        yield (
            "POST",
            link,
            client.post(f"/workers/{person}/link", content=HUGE, headers=coordinator),
        )
        yield "POST", "/line/webhook", client.post("/line/webhook", content=b"{}")
        yield "GET", "/w/{token}", client.get("/w/not-a-link")
        yield "GET", "/w/{token}/offers/{offer_id}", client.get(f"{page}/offers/{uuid4()}")
        job = job_id(offer.task_id, person)
        yield (
            "POST",
            "/w/{token}/jobs/{job_id}/check-out",
            client.post(f"{page}/jobs/{job}/check-out", data={"minutes": "60"}),
        )
        yield (
            "POST",
            "/w/{token}/offers/{offer_id}/{answer}",
            client.post(f"{page}/offers/{offer.offer_id}/maybe"),
        )
        for _ in range(40):
            response = client.get(f"{page}/board")
            yield "GET", "/w/{token}/board", response
            if response.status_code == 429:
                break

    return calls


def test_notifys_refusals_are_documented_for_their_routes(notify: tuple[Litestar, Any]) -> None:
    app, service = notify
    check(app, notify_calls(service), {400, 401, 403, 404, 409, 413, 422, 429})


def test_every_notify_route_that_needs_a_token_answers_and_documents_401(
    notify: tuple[Litestar, Any],
) -> None:
    without_a_token(notify[0])


def test_every_error_response_documented_is_a_problem_or_a_workers_page(
    broker: tuple[Litestar, str], payout: tuple[Litestar, str], notify: tuple[Litestar, Any]
) -> None:
    for app in (broker[0], payout[0], notify[0]):
        with TestClient(app=app) as client:
            schema = client.get("/docs/openapi.json").json()
        assert {"Problem", "FieldError"} <= set(schema["components"]["schemas"])
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                for code, response in operation["responses"].items():
                    if int(code) < 400:
                        continue
                    for media, content in response["content"].items():
                        shown = (method, path, code, media)
                        if media == "text/html":
                            assert path.startswith("/w/"), shown
                        else:
                            assert media == "application/problem+json", shown
                            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
