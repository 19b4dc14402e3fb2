"""A coordinator's fresh link to a worker's page: only for workers notify knows."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import pytest
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from contracts.broker import WorkerRegistered
from notify.bootstrap import Notify
from notify.http.app import create_app
from tests.unit.notify.support import TENANT, envelope, in_memory_notify, react


@pytest.fixture
def notify(tmp_path: Path) -> Notify:
    return in_memory_notify(tmp_path)


@pytest.fixture
def client(notify: Notify) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(notify)) as test_client:
        yield test_client


def coordinator(notify: Notify, tenant: str = TENANT) -> dict[str, str]:
    token = issue_token(notify.jwt_key, tenant=tenant, role=Role.COORDINATOR, subject=uuid4())
    return {"Authorization": f"Bearer {token}"}


def registered(worker: UUID, tenant: str = TENANT) -> WorkerRegistered:
    return WorkerRegistered(**(envelope() | {"tenant": tenant}), worker_id=worker)


def test_a_registered_worker_gets_a_link_to_their_own_page(
    client: TestClient[Any], notify: Notify
) -> None:
    worker = uuid4()
    react(notify, registered(worker))

    made = client.post(f"/workers/{worker}/link", headers=coordinator(notify))

    assert made.status_code == 201, made.text
    assert made.json()["worker_id"] == str(worker)
    assert client.get(urlsplit(made.json()["url"]).path).status_code == 200


def test_a_link_is_a_404_problem_when_notify_never_heard_of_the_worker(
    client: TestClient[Any], notify: Notify
) -> None:
    stranger = uuid4()
    react(notify, registered(uuid4(), tenant="hagi-city"), registered(stranger, tenant="hagi-city"))

    unknown = client.post(f"/workers/{uuid4()}/link", headers=coordinator(notify))
    other_council = client.post(f"/workers/{stranger}/link", headers=coordinator(notify))

    for refused in (unknown, other_council):
        assert refused.status_code == 404, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["status"] == 404
        assert "url" not in refused.json()
