"""Who may call what: one rule per route of every service, checked against the running apps.

The table below is the security model, written down. The test walks every route the
three applications actually serve: a route without a rule fails (so a new endpoint must be
given one), and every role is tried on every route — a role outside the rule must get 403,
a role inside it must not. Auditors are read-only everywhere; workers reach only their own
pages (signed links, not bearer tokens).
"""

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from broker.bootstrap import build_broker
from broker.http.app import create_app as broker_app
from broker.settings import BrokerSettings
from notify.http.app import create_app as notify_app
from payout.http.app import create_app as payout_app
from tests.unit.notify.support import in_memory_notify
from tests.unit.payout.support import in_memory_payout

R, C, W, A, U, S = (
    Role.REQUESTER,
    Role.COORDINATOR,
    Role.WORKER,
    Role.ACCOUNTANT,
    Role.AUDITOR,
    Role.SERVICE,
)
PUBLIC = "public"
"""No bearer token: health, readiness, metrics, API docs, problem pages, worker pages, LINE."""

RULES: dict[tuple[str, str, str], frozenset[Role] | str] = {
    # broker
    ("broker", "POST", "/job-requests"): frozenset({R}),
    ("broker", "GET", "/job-requests"): frozenset({R, C, U}),
    ("broker", "GET", "/job-requests/{job_request_id:uuid}"): frozenset({R, C, U}),
    ("broker", "GET", "/job-requests/{job_request_id:uuid}/proposal"): frozenset({C}),
    ("broker", "POST", "/job-requests/{job_request_id:uuid}/tasks"): frozenset({C}),
    ("broker", "POST", "/job-requests/{job_request_id:uuid}/cancel"): frozenset({R, C}),
    ("broker", "POST", "/tasks"): frozenset({C}),
    ("broker", "GET", "/tasks/{task_id:uuid}"): frozenset({R, C, U}),
    ("broker", "GET", "/tasks/{task_id:uuid}/timeline"): frozenset({C, U}),
    ("broker", "POST", "/tasks/{task_id:uuid}/assign"): frozenset({C}),
    ("broker", "POST", "/tasks/{task_id:uuid}/cancel"): frozenset({R, C}),
    ("broker", "POST", "/tasks/{task_id:uuid}/check-in"): frozenset({C}),
    ("broker", "POST", "/tasks/{task_id:uuid}/no-show"): frozenset({C}),
    ("broker", "POST", "/tasks/{task_id:uuid}/dispute"): frozenset({R, C}),
    ("broker", "POST", "/tasks/{task_id:uuid}/resolution"): frozenset({C}),
    ("broker", "POST", "/tasks/{task_id:uuid}/excess-approval"): frozenset({C}),
    ("broker", "POST", "/completions"): frozenset({R, C}),
    ("broker", "POST", "/workers"): frozenset({C}),
    ("broker", "GET", "/workers"): frozenset({C}),
    ("broker", "GET", "/workers/{worker_id:uuid}"): frozenset({C, U}),
    ("broker", "GET", "/workers/{worker_id:uuid}/reach"): frozenset({C, S}),
    ("broker", "PUT", "/workers/{worker_id:uuid}/personal"): frozenset({C}),
    ("broker", "PUT", "/workers/{worker_id:uuid}/constraints"): frozenset({C}),
    ("broker", "PUT", "/workers/{worker_id:uuid}/skills"): frozenset({C}),
    ("broker", "DELETE", "/workers/{worker_id:uuid}/personal"): frozenset({C}),
    ("broker", "POST", "/workers/{worker_id:uuid}/pause"): frozenset({C}),
    ("broker", "POST", "/workers/{worker_id:uuid}/resume"): frozenset({C}),
    # notify
    ("notify", "GET", "/call-list"): frozenset({C}),
    ("notify", "POST", "/offers/{offer_id:uuid}/phone-answer"): frozenset({C}),
    ("notify", "GET", "/offers/{offer_id:uuid}/deliveries"): frozenset({C, U}),
    ("notify", "POST", "/workers/{worker_id:uuid}/link"): frozenset({C}),
    # payout
    ("payout", "PUT", "/workers/{worker_id:uuid}/bank-account"): frozenset({A}),
    ("payout", "GET", "/rewards"): frozenset({A, U}),
    ("payout", "GET", "/rewards/at-risk"): frozenset({A, U}),
    ("payout", "GET", "/balances/workers/{worker_id:uuid}"): frozenset({A, U}),
    ("payout", "GET", "/balances/requesters/{requester_id:uuid}"): frozenset({A, U}),
    ("payout", "GET", "/ledger/trial-balance"): frozenset({A, U}),
    ("payout", "POST", "/runs"): frozenset({A}),
    ("payout", "GET", "/runs/{period:str}"): frozenset({A, U}),
    ("payout", "GET", "/runs/{period:str}/files/{number:int}"): frozenset({A}),
    ("payout", "GET", "/runs/{period:str}/summary.csv"): frozenset({A, U}),
    ("payout", "POST", "/runs/{period:str}/lines/{line:int}/confirmation"): frozenset({A}),
    ("payout", "POST", "/runs/{period:str}/results"): frozenset({A}),
    ("payout", "GET", "/invoices/{requester_id:uuid}/{period:str}"): frozenset({A, U, R}),
    ("payout", "GET", "/invoices/{requester_id:uuid}/{period:str}/page"): frozenset({A, U, R}),
    ("payout", "GET", "/reconciliation/{period:str}"): frozenset({A, U}),
}
PUBLIC_PREFIXES = ("/health", "/ready", "/metrics", "/docs", "/problems", "/w/", "/line/")
PUBLIC_PATHS = frozenset({"/"})
"""The front door: a redirect to /docs (notify: a page pointing to the worker page and /docs)."""
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Litestar, str]]:
    folder = tmp_path_factory.mktemp("matrix")
    broker = build_broker(BrokerSettings.in_memory(folder / "jwt.key"))
    notify = in_memory_notify(folder)
    payout = in_memory_payout(folder)
    return {
        "broker": (broker_app(broker), broker.jwt_key),
        "notify": (notify_app(notify), notify.jwt_key),
        "payout": (payout_app(payout), payout.jwt_key),
    }


def served(app: Litestar) -> Iterator[tuple[str, str]]:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(getattr(handler, "http_methods", ()) or ()):
                if method not in {"OPTIONS", "HEAD"}:
                    yield method, route.path


def fill(path: str, caller: UUID | None = None) -> str:
    """A concrete URL for a templated path (a requester's own id where one is named)."""
    parts = []
    for piece in path.split("/"):
        if piece == "{requester_id:uuid}" and caller is not None:
            parts.append(str(caller))
        elif piece.startswith("{") and piece.endswith(":uuid}"):
            parts.append(str(uuid4()))
        elif piece == "{period:str}":
            parts.append("2026-03")
        elif piece.startswith("{") and piece.endswith(":int}"):
            parts.append("1")
        else:
            parts.append(piece)
    return "/".join(parts)


def test_every_served_route_has_a_rule(apps: dict[str, tuple[Litestar, str]]) -> None:
    missing = [
        (service, method, path)
        for service, (app, _) in apps.items()
        for method, path in served(app)
        if (service, method, path) not in RULES
        and not path.startswith(PUBLIC_PREFIXES)
        and path not in PUBLIC_PATHS
    ]
    assert missing == []
    stale = [rule for rule in RULES if (rule[1], rule[2]) not in set(served(apps[rule[0]][0]))]
    assert stale == []


def test_auditors_are_read_only_and_workers_use_their_pages() -> None:
    for (_, method, path), roles in RULES.items():
        assert isinstance(roles, frozenset)
        if method in WRITES:
            assert Role.AUDITOR not in roles, path
        assert Role.WORKER not in roles, path


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_exactly_where_its_rule_says(
    apps: dict[str, tuple[Litestar, str]], role: Role
) -> None:
    wrong: list[str] = []
    for (service, method, path), allowed in RULES.items():
        app, key = apps[service]
        caller = uuid4()
        token = issue_token(key, tenant="mine-wakuwaku", role=role, subject=caller)
        client: TestClient[Any]
        with TestClient(app=app) as client:
            response = client.request(
                method, fill(path, caller), json={}, headers={"Authorization": f"Bearer {token}"}
            )
        refused = response.status_code == 403
        if refused == (role in allowed):
            wrong.append(f"{service} {method} {path}: {response.status_code}")
    assert wrong == [], f"{role}: {wrong}"


def test_without_a_token_only_public_routes_answer(apps: dict[str, tuple[Litestar, str]]) -> None:
    for service, method, path in RULES:
        client: TestClient[Any]
        with TestClient(app=apps[service][0]) as client:
            response = client.request(method, fill(path), json={})
        assert response.status_code == 401, (service, method, path)


def test_a_token_of_another_council_sees_nothing_of_this_one(
    apps: dict[str, tuple[Litestar, str]],
) -> None:
    app, key = apps["broker"]
    mine = issue_token(key, tenant="mine-wakuwaku", role=Role.COORDINATOR, subject=uuid4())
    theirs = issue_token(key, tenant="hagi-city", role=Role.COORDINATOR, subject=uuid4())
    client: TestClient[Any]
    with TestClient(app=app) as client:
        body = {
            "sex": "female",
            "personal": {
                "name": "山田 花子",
                "kana": "やまだ はなこ",
                "birth_date": "1950-04-12",
                "consent": {"personal_data": True, "recorded_on": "2026-09-01"},
            },
            "constraints": {"weekly": {}},
        }
        created = client.post("/workers", json=body, headers={"Authorization": f"Bearer {mine}"})
        worker = created.json()["id"]
        seen = client.get(f"/workers/{worker}", headers={"Authorization": f"Bearer {theirs}"})
        paused = client.post(
            f"/workers/{worker}/pause", headers={"Authorization": f"Bearer {theirs}"}
        )

    assert created.status_code == 201
    assert seen.status_code == 404
    assert paused.status_code == 404
