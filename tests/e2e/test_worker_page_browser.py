"""The worker page in a real headless Chromium on a phone-sized screen.

Notify runs in memory behind a real uvicorn on a loopback port; the test feeds it what the
broker publishes (`react`) while the page is open, so offers and jobs arrive over the
page's real Server-Sent Events.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect

from backbone.flow import envelope_of
from contracts.notify import OfferAccepted, OfferDeclined
from contracts.values import Channel
from notify.bootstrap import Notify
from notify.domain.job import job_id
from notify.messaging.translate import to_contract
from tests.unit.notify.support import TENANT, accepted, offered, react

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = ViewportSize(width=390, height=844)
ZOOMED = ViewportSize(width=PHONE["width"] // 2, height=PHONE["height"] // 2)
"""200 % browser zoom on the phone: half the CSS pixels across, each drawn twice as big."""
TOUCH_TARGET_PX = 44
"""WCAG 2.5.5 (AAA) and Apple's and Google's guidelines: 44 × 44 CSS px at least."""
WAIT_MS = 5_000

LISTEN = """
(() => {
  // Count the live stream's "hello": sent once the server follows this page's worker.
  // The real EventSource does all the work; this only watches it.
  const Real = window.EventSource;
  window.liveHellos = 0;
  window.EventSource = class extends Real {
    constructor(url, init) {
      super(url, init);
      this.addEventListener("message", (message) => {
        if (JSON.parse(message.data).what === "hello") window.liveHellos += 1;
      });
    }
  };
})();
"""

# The widest element inside <main> (with its right edge) when the page overflows sideways.
OVERFLOW = """
() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  const wide = [...document.querySelectorAll("main *")]
    .map((e) => [e, e.getBoundingClientRect().right])
    .filter(([, right]) => right > limit + 1)
    .map(([e, right]) =>
      `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className} ` +
      `right=${Math.round(right)} "${e.textContent.trim().slice(0, 30)}"`);
  return {scrollWidth: root.scrollWidth, clientWidth: limit,
          innerWidth: window.innerWidth, wide: wide.slice(0, 10)};
}
"""


@pytest.fixture
def phone(browser: Browser, site: str) -> Iterator[Page]:
    """A phone-sized page, closed before the server stops (so its event stream ends)."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ja-JP",
        base_url=site,
    )
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(LISTEN)
    try:
        yield context.new_page()
    finally:
        context.close()


def published(notify: Notify) -> list[object]:
    notes = notify.app.recorder.select_notifications(1, 10_000)
    events = [notify.app.mapper.to_domain_event(n) for n in notes]
    found = [to_contract(e, envelope_of(e, default_tenant="?")) for e in events]
    return [f for f in found if f is not None]


def open_live(page: Page, path: str) -> None:
    """Open the worker page and wait until its live stream is followed by the server."""
    page.goto(path)
    wait_until_live(page)


def wait_until_live(page: Page) -> None:
    page.wait_for_function("window.liveHellos > 0")
    page.evaluate("window.sameDocument = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.sameDocument === true"), "the page was reloaded"


def assert_no_serious_axe_violations(page: Page, where: str) -> None:
    response: dict[str, Any] = Axe().run(page).response
    bad = [v for v in response["violations"] if v["impact"] in {"serious", "critical"}]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']}: {n['failureSummary']}" for n in v["nodes"])
        for v in bad
    ]
    assert not bad, f"axe-core on {where}:\n" + "\n".join(lines)


def test_an_offer_appears_live_on_an_open_page_with_big_buttons_furigana_and_no_axe_errors(
    browser: Browser, phone: Page, notify: Notify, site: str
) -> None:
    worker = uuid4()
    path = f"/w/{notify.link_token(worker, TENANT)}"
    open_live(phone, path)
    expect(phone.locator("article[id^='offer-']")).to_have_count(0)

    offer = offered(worker)
    react(notify, offer)

    card = phone.locator(f"#offer-{offer.offer_id}")
    expect(card).to_be_visible()
    expect(phone.locator("body")).to_have_attribute("data-last-update", f"offer:{offer.offer_id}")
    assert_not_reloaded(phone)
    expect(card).to_contain_text("梨の袋かけ")
    accept = card.get_by_role("button", name="うける")
    box = accept.bounding_box()
    assert box is not None
    assert box["width"] >= TOUCH_TARGET_PX, box
    assert box["height"] >= TOUCH_TARGET_PX, box
    assert phone.locator("ruby > rt").count() > 0
    expect(phone.locator("h1 ruby rt")).to_have_text("しごと")
    assert_no_serious_axe_violations(phone, "the worker page with an offer")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "worker-page.png", full_page=True)

    zoomed = browser.new_context(
        viewport=ZOOMED, device_scale_factor=4, locale="ja-JP", base_url=site
    )
    try:
        page = zoomed.new_page()
        page.goto(path)
        expect(page.locator(f"#offer-{offer.offer_id}")).to_be_visible()
        layout = page.evaluate(OVERFLOW)
        assert layout["scrollWidth"] <= layout["clientWidth"], (
            f"at 200 % zoom the page scrolls sideways: {layout}"
        )
        zoomed_box = page.get_by_role("button", name="うける").bounding_box()
        assert zoomed_box is not None
        assert zoomed_box["x"] >= 0
        assert zoomed_box["x"] + zoomed_box["width"] <= layout["clientWidth"], zoomed_box
    finally:
        zoomed.close()


def test_pressing_accept_in_the_browser_records_one_answer_and_the_job_then_arrives_live(
    phone: Page, notify: Notify
) -> None:
    worker = uuid4()
    path = f"/w/{notify.link_token(worker, TENANT)}"
    offer = offered(worker)
    react(notify, offer)
    open_live(phone, path)

    phone.locator(f"#offer-{offer.offer_id}").get_by_role("button", name="うける").click()

    phone.wait_for_url(lambda url: f"/offers/{offer.offer_id}" in url)
    expect(phone.locator(f"#offer-{offer.offer_id}")).to_have_attribute("data-state", "accepted")
    answers = [e for e in published(notify) if isinstance(e, OfferAccepted | OfferDeclined)]
    assert len(answers) == 1, answers
    assert isinstance(answers[0], OfferAccepted)
    assert answers[0].channel is Channel.WEB
    assert answers[0].task_id == offer.task_id
    assert_no_serious_axe_violations(phone, "the answered offer")

    phone.get_by_role("link", name="もどる").click()
    phone.wait_for_url(lambda url: url.split("?")[0].endswith(path))
    wait_until_live(phone)
    react(notify, accepted(offer))

    job: UUID = job_id(offer.task_id, worker)
    card = phone.locator(f"#job-{job}")
    expect(card).to_be_visible()
    expect(card).to_have_attribute("data-state", "assigned")
    # weeks before the shift: no はじめる yet, only when it will come (the check-in window)
    expect(card.locator(f"form[action*='/jobs/{job}/check-in'] button")).to_have_count(0)
    expect(card).to_contain_text("8:00から おせます")
    assert_not_reloaded(phone)
    assert_no_serious_axe_violations(phone, "the worker page with a job")


def test_the_english_switch_shows_the_page_in_english_with_an_accept_button(
    phone: Page, notify: Notify
) -> None:
    worker = uuid4()
    offer = offered(worker)
    react(notify, offer)
    phone.goto(f"/w/{notify.link_token(worker, TENANT)}")
    expect(phone.locator("html")).to_have_attribute("lang", "ja")

    phone.get_by_role("link", name="English").click()

    phone.wait_for_url(lambda url: url.endswith("?lang=en"))
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    card = phone.locator(f"#offer-{offer.offer_id}")
    expect(card.get_by_role("button", name="Accept", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="うける")).to_have_count(0)
    assert_no_serious_axe_violations(phone, "the English worker page")
