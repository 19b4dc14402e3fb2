"""Hostile task texts on the worker page, in a real headless Chromium.

Notify runs in memory behind a real uvicorn; offers arrive as the broker publishes them,
with titles, places and things to bring that try to run script. The page must show them as
plain text (in Japanese and English, and in the live-updated board), run nothing, and send
headers that keep the signed link in its URL to itself.
"""

import urllib.error
import urllib.request
from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from notify.bootstrap import Notify
from tests.unit.notify.support import TENANT, offered, react

TITLE = "<script>window.__xss = 'title'; alert(1)</script>{{7*7}}"
PLACE = '"><img src=x onerror="window.__xss = \'place\'; alert(2)">${7*7}'
BRING = "<svg onload=\"window.__xss = 'bring'\"></svg>'; DROP TABLE stored_events; --"
ESCAPED = [
    "&lt;script&gt;window.__xss",
    "&lt;img src=x onerror=",
    "&lt;svg onload=",
]
WAIT_MS = 5_000
HELLOS = """
(() => {
  // Count the live stream's "hello", sent once the server follows this page's worker.
  const Real = window.EventSource;
  window.liveHellos = 0;
  window.EventSource = class extends Real {
    constructor(url, init) {
      super(url, init);
      this.addEventListener("message", (m) => {
        if (JSON.parse(m.data).what === "hello") window.liveHellos += 1;
      });
    }
  };
})();
"""


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(locale="ja-JP", base_url=site)
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(HELLOS)
    try:
        yield context.new_page()
    finally:
        context.close()


def watch_dialogs(page: Page) -> list[str]:
    """Every alert/confirm/prompt the page opens (each is dismissed)."""
    opened: list[str] = []

    def seen(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    return opened


def hostile_offer(notify: Notify, worker: UUID) -> str:
    offer = offered(worker, title=TITLE, district_name=PLACE, bring=[BRING])
    react(notify, offer)
    return str(offer.offer_id)


def assert_shown_as_text(page: Page, offer_id: str, dialogs: list[str]) -> None:
    card = page.locator(f"#offer-{offer_id}")
    expect(card).to_be_visible()
    expect(card.locator("h3")).to_have_text(TITLE)
    expect(card).to_contain_text(PLACE)
    expect(card).to_contain_text(BRING)
    assert card.locator("script, img, svg").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []


def fetch(url: str) -> tuple[dict[str, str], str]:
    """(headers, body) of a GET; 200 only."""
    status, headers, body = fetch_any(url)
    assert status == 200, (url, status)
    return headers, body


def fetch_any(url: str) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of a GET, whatever its status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, headers, response.read().decode()
    except urllib.error.HTTPError as refused:
        headers = {k.lower(): v for k, v in refused.headers.items()}
        return refused.code, headers, refused.read().decode()


def test_hostile_task_texts_are_shown_as_text_and_run_nothing(
    page: Page, notify: Notify, site: str
) -> None:
    worker = uuid4()
    offer_id = hostile_offer(notify, worker)
    dialogs = watch_dialogs(page)
    path = f"/w/{notify.link_token(worker, TENANT)}"

    page.goto(path)
    assert_shown_as_text(page, offer_id, dialogs)

    page.get_by_role("link", name="English").click()
    page.wait_for_url(lambda url: url.endswith("?lang=en"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_shown_as_text(page, offer_id, dialogs)

    page.goto(f"{path}/offers/{offer_id}")
    assert_shown_as_text(page, offer_id, dialogs)

    for raw_path in (path, f"{path}?lang=en", f"{path}/board", f"{path}/offers/{offer_id}"):
        _, html = fetch(site + raw_path)
        assert "<script>window.__xss" not in html
        assert "<img src=x" not in html
        assert "<svg onload" not in html
        for escaped in ESCAPED:
            assert escaped in html, (raw_path, escaped)


def test_a_hostile_offer_arriving_live_is_shown_as_text(page: Page, notify: Notify) -> None:
    worker = uuid4()
    dialogs = watch_dialogs(page)
    page.goto(f"/w/{notify.link_token(worker, TENANT)}")
    page.wait_for_function("window.liveHellos > 0")  # the page's own (nonce'd) script runs
    expect(page.locator("article[id^='offer-']")).to_have_count(0)
    page.evaluate("window.sameDocument = true")

    offer_id = hostile_offer(notify, worker)

    expect(page.locator("body")).to_have_attribute("data-last-update", f"offer:{offer_id}")
    assert page.evaluate("window.sameDocument === true"), "updated by reloading, not live"
    assert_shown_as_text(page, offer_id, dialogs)


def test_worker_page_responses_carry_protective_headers(notify: Notify, site: str) -> None:
    worker = uuid4()
    offer_id = hostile_offer(notify, worker)
    path = f"{site}/w/{notify.link_token(worker, TENANT)}"

    headers, html = fetch(path)
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    [nonce] = [p.split("'nonce-")[1].rstrip("'") for p in policy.split(";") if "nonce-" in p]
    assert f'<script nonce="{nonce}">' in html
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    second, _ = fetch(path)
    assert nonce not in second["content-security-policy"], "a nonce is never reused"

    for url in (path, f"{path}/board", f"{path}/offers/{offer_id}", f"{site}/w/not-a-link"):
        status, found, _ = fetch_any(url)
        assert status == (403 if url.endswith("not-a-link") else 200), (url, status)
        assert found["x-content-type-options"] == "nosniff", url
        assert found["referrer-policy"] == "no-referrer", url
        assert found["cache-control"] == "no-store", url
        assert "default-src 'none'" in found["content-security-policy"], url
        if url != path:
            assert "script-src" not in found["content-security-policy"], url
