"""Worker pages are rate-limited per client address; the coordinators' API is not.

Behind a trusted reverse proxy the client is the one the proxy names in X-Forwarded-For.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import uvicorn
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from backbone.clock import FixedClock
from backbone.nats_server import free_port
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


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve `app` as production does: uvicorn on loopback, its proxy-header handling off."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped before serving"
            assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_behind_a_trusted_proxy_each_client_has_its_own_limit_and_forging_evades_nothing(
    tmp_path: Path,
) -> None:
    settings = replace(
        NotifySettings.in_memory(tmp_path / "jwt.key"),
        page_rate_per_minute=3,
        trusted_proxies=("127.0.0.1/32",),  # the reverse proxy
    )
    notify = build_notify(settings, clock=FixedClock(NOW), senders={}, contacts=Book())
    page = f"/w/{notify.link_token(uuid4(), TENANT)}"
    stranger_side = httpx.HTTPTransport(local_address="127.0.0.2")  # not a trusted proxy

    with (
        served(create_app(notify)) as base,
        httpx.Client(base_url=base) as proxy,
        httpx.Client(base_url=base, transport=stranger_side) as stranger,
    ):

        def via_proxy(forwarded_for: str) -> int:
            return proxy.get(page, headers={"X-Forwarded-For": forwarded_for}).status_code

        alice = [via_proxy("203.0.113.1") for _ in range(4)]
        alice_forging = [via_proxy(f"198.51.100.{n}, 203.0.113.1") for n in range(2)]
        bob = [via_proxy("203.0.113.2") for _ in range(3)]
        forged = [
            stranger.get(page, headers={"X-Forwarded-For": f"203.0.113.{100 + n}"}).status_code
            for n in range(4)
        ]

    assert alice == [200, 200, 200, 429]
    assert alice_forging == [429, 429]  # entries left of what the proxy saw prove nothing
    assert bob == [200, 200, 200]  # another person behind the same proxy is not limited
    assert forged == [200, 200, 200, 429]  # a forged header from an untrusted peer is ignored
