"""/docs works with no internet: every script, style and icon comes from the service itself.

Each service's app is started by the test client; its API reference page may name only
local paths, each of which answers 200 with the right content type and no token. `/` of a
service leads somewhere useful (to /docs; notify's to the worker page and /docs).
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from broker.bootstrap import build_broker
from broker.http.app import create_app as broker_app
from broker.settings import BrokerSettings
from notify.http.app import create_app as notify_app
from payout.http.app import create_app as payout_app
from tests.unit.notify.support import in_memory_notify
from tests.unit.payout.support import in_memory_payout

APPS: dict[str, Callable[[Path], Litestar]] = {
    "broker": lambda folder: broker_app(build_broker(BrokerSettings.in_memory(folder / "jwt.key"))),
    "notify": lambda folder: notify_app(in_memory_notify(folder)),
    "payout": lambda folder: payout_app(in_memory_payout(folder)),
}
ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']([^\"']+)[\"']", re.IGNORECASE)
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


@pytest.fixture(params=sorted(APPS))
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient[Any]]:
    with TestClient(app=APPS[request.param](tmp_path)) as test_client:
        yield test_client


@pytest.mark.parametrize("page", ["/docs", "/docs/swagger"])
def test_the_api_reference_loads_only_files_the_service_serves_itself(
    client: TestClient[Any], page: str
) -> None:
    docs = client.get(page)  # no token: /docs is public

    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assets = ASSET.findall(docs.text)
    assert {Path(a).suffix for a in assets} == {".js", ".css", ".png"}, assets
    for asset in assets:
        assert asset.startswith("/docs/assets/"), asset  # a local path, no host
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert CONTENT_TYPES[Path(asset).suffix] in served.headers["content-type"], asset
        assert served.content, asset
    assert "SwaggerUIBundle" in client.get(next(a for a in assets if a.endswith("bundle.js"))).text
    assert "cdn." not in docs.text


def test_the_openapi_document_still_is_at_docs_openapi_json(client: TestClient[Any]) -> None:
    document = client.get("/docs/openapi.json")

    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.1")


def test_the_front_door_leads_to_the_api_reference(client: TestClient[Any]) -> None:
    front = client.get("/", follow_redirects=False)  # no token

    assert front.status_code != 404
    if front.is_redirect:
        assert front.headers["location"] == "/docs"
        assert client.get("/").url.path == "/docs"
    else:  # notify: a short page pointing to the worker page and the API reference
        assert front.status_code == 200
        assert front.headers["content-type"].startswith("text/html")
        assert 'href="/docs"' in front.text
        assert "リンク" in front.text
        assert "link you were sent" in front.text
