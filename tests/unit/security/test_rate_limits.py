"""Worker pages are rate-limited per address; the coordinators' API is not."""

from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import uuid4

from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from backbone.clock import FixedClock
from notify.bootstrap import build_notify
from notify.http.app import create_app
from notify.settings import NotifySettings
from tests.unit.notify.support import NOW, TENANT, Book


def test_a_burst_on_worker_pages_gets_429_problems_and_the_api_is_untouched(
    tmp_path: Path,
) -> None:
    settings = replace(NotifySettings.in_memory(tmp_path / "jwt.key"), page_rate_per_minute=5)
    notify = build_notify(settings, clock=FixedClock(NOW), senders={}, contacts=Book())
    page = f"/w/{notify.link_token(uuid4(), TENANT)}"
    token = issue_token(notify.jwt_key, tenant=TENANT, role=Role.COORDINATOR, subject=uuid4())
    client: TestClient[Any]
    with TestClient(app=create_app(notify)) as client:
        answers = [client.get(page).status_code for _ in range(7)]
        limited = client.get(page)
        api = [
            client.get("/call-list", headers={"Authorization": f"Bearer {token}"}).status_code
            for _ in range(7)
        ]

    assert answers[:5] == [200] * 5
    assert answers[5:] == [429, 429]
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert "ratelimit-limit" in {k.lower() for k in limited.headers}
    assert api == [200] * 7
