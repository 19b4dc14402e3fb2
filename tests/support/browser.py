"""A real HTTP server in a thread and the system's headless Chromium, for browser tests."""

import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Playwright

from backbone.nats_server import free_port

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium; CI installs it. Playwright's own browser downloads are never used."""


def launch_chromium(playwright: Playwright) -> Browser:
    """Start the system's Chromium headless; fail (never skip) when it is not installed."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium "
            "(apt-get install chromium); Playwright's browser downloads are not used",
            pytrace=False,
        )
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )


@contextmanager
def serving(app: Any, *, within: float = 10.0) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port; yield its base URL.

    The app must answer `GET /health`. Close every browser page before leaving, so that
    open event streams are disconnected and the server stops at once.
    """
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + within
        while not server.started:
            if not thread.is_alive():
                pytest.fail(f"uvicorn stopped before serving on port {port}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not start on port {port} within {within}s")
            time.sleep(0.01)
        with urllib.request.urlopen(f"{base}/health", timeout=within) as response:  # noqa: S310
            assert response.status == 200, f"/health answered {response.status}"
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=within)
        assert not thread.is_alive(), f"uvicorn on port {port} did not stop"
