"""Fixtures of the end-to-end tests: the product running as real processes."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from notify.bootstrap import Notify
from notify.http.app import create_app
from tests.support.browser import launch_chromium, serving
from tests.support.town import Town, running_town
from tests.unit.notify.support import in_memory_notify


@pytest.fixture
def town(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Town]:
    """A town whose tasks are offered to `request.param` workers at once (default 3)."""
    fanout = getattr(request, "param", 3)
    yield from running_town(tmp_path, {"CONBINI_OFFER_FANOUT": str(fanout)})


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (Debian's), one per test module."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def notify(tmp_path: Path) -> Notify:
    """Notify on in-memory stores, for the worker page tests."""
    return in_memory_notify(tmp_path)


@pytest.fixture
def site(notify: Notify) -> Iterator[str]:
    """Notify's app served by uvicorn on a free loopback port."""
    with serving(create_app(notify)) as base:
        yield base
