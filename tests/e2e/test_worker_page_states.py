"""Each state of a job on the worker's page, in real Chromium, against the whole town.

`conbini up --rehearsal` runs broker, notify and payout as real processes on a rehearsal
clock; the page is opened from the link a coordinator makes, and every card is checked as
a person reads it: one card per job, its state said once, and axe-core finding nothing
serious on any of them.
"""

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from notify.domain.job import job_id
from notify.messages import TOKYO
from tests.e2e.test_worker_page_browser import PHONE
from tests.support.flows import page_link
from tests.support.town import Town

T = TypeVar("T")
WITHIN_S = 60.0
"""How long a fact may take from the broker's store to the page (relay, inbox, board)."""


ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
"""Screenshots of each state (ignored by git)."""


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one of the shared async flows from this sync test (Playwright owns its loop)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="ja-JP"
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def reload_until(page: Page, shown: Callable[[], bool], what: str) -> None:
    """Reload the page until `shown` holds (the page also refreshes itself over SSE)."""
    deadline = time.monotonic() + WITHIN_S
    while not shown():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(300)
        page.reload()


def assert_no_axe_violations(page: Page, where: str) -> None:
    """axe-core finds nothing at all, whatever its impact; the page is kept as a screenshot
    in tests/artifacts/ (named after `where`) for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = "-".join(where.removeprefix("the page with ").split())
    page.screenshot(path=ARTIFACTS / f"worker-{name}.png", full_page=True)
    violations = Axe().run(page).response["violations"]
    found = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in violations]
    assert not found, f"axe-core on {where}: {found}"


def until(condition: Callable[[], bool], what: str) -> None:
    """Poll a condition outside the page (the town's API)."""
    deadline = time.monotonic() + WITHIN_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def card_in(page: Page, heading_id: str, job: UUID) -> Locator:
    """The job's card inside the section under one heading."""
    return page.locator(f"section[aria-labelledby='{heading_id}'] #job-{job}")


def cards_of_task(page: Page, job: UUID, offer_ids: list[str]) -> int:
    """How many cards the page shows about one task: its job's and its offers'."""
    ids = [f"#job-{job}", *(f"#offer-{offer}" for offer in offer_ids)]
    return sum(page.locator(ident).count() for ident in ids)


def tokyo(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(TOKYO)


def task_status(town: Town, task: dict[str, Any]) -> str:
    return str(town.call("GET", f"/tasks/{task['id']}", town.coordinator)["status"])


def test_one_job_from_offer_to_finished_work_with_its_confirmed_time_and_pay(
    town: Town, phone: Page
) -> None:
    [worker] = town.register_workers(1, channels=["web"])
    task = town.carve_one_task()
    [offer] = [o["offer_id"] for o in task["offers"]]
    job = job_id(UUID(task["id"]), UUID(worker))
    starts = tokyo(task["starts_at"])
    phone.goto(run(page_link(town, worker)))

    # an offer, with its two buttons
    offer_card = phone.locator(f"#offer-{offer}")
    reload_until(phone, offer_card.is_visible, "the offer")
    expect(offer_card).to_contain_text("栗の収穫")
    assert_no_axe_violations(phone, "the page with an offer")
    offer_card.get_by_role("button", name="うける").click()
    phone.get_by_role("link", name="もどる").click()

    # upcoming, three days ahead: no はじめる yet, and when it will come
    upcoming = card_in(phone, "h-jobs", job)
    reload_until(phone, upcoming.is_visible, "the job under upcoming work")
    expect(upcoming).to_have_attribute("data-state", "assigned")
    expect(upcoming.get_by_role("button", name="はじめる")).to_have_count(0)
    opens = starts - timedelta(hours=1)
    expect(upcoming).to_contain_text(f"{opens.hour}:{opens:%M}から おせます")
    assert cards_of_task(phone, job, [offer]) == 1
    assert_no_axe_violations(phone, "the page with an upcoming job")

    # half an hour before the start the window is open: はじめる
    town.move_clock_past(datetime.fromisoformat(task["starts_at"]) - timedelta(minutes=31))
    phone.reload()
    upcoming.get_by_role("button", name="はじめる").click()
    expect(upcoming).to_have_attribute("data-state", "checked_in")
    expect(upcoming).to_contain_text("はじめました")
    assert_no_axe_violations(phone, "the page with a job checked in")

    def started() -> bool:
        return task_status(town, task) == "in_progress"

    until(started, "the broker to record the start")

    # the requester confirms the 3 hours: the job moves to finished work, with time and pay
    town.confirm(task, 180)
    finished = card_in(phone, "h-done", job)
    reload_until(phone, finished.is_visible, "the job under finished work")
    expect(finished).to_have_attribute("data-state", "completed")
    ends = tokyo(task["ends_at"])
    expect(finished).to_contain_text(f"{starts.month}月{starts.day}日")
    expect(finished).to_contain_text(f"〜{ends.hour}:{ends:%M}")
    expect(finished).to_contain_text("180")
    expect(finished).to_contain_text("3,150円")  # ¥1,050 an hour × 3 hours
    expect(phone.locator(f"#job-{job} form")).to_have_count(0)
    expect(card_in(phone, "h-jobs", job)).to_have_count(0)
    assert cards_of_task(phone, job, [offer]) == 1
    assert_no_axe_violations(phone, "the page with finished work")


def test_a_direct_assignment_a_no_show_and_a_cancellation_each_show_one_true_card(
    town: Town, phone: Page
) -> None:
    [worker] = town.register_workers(1, channels=["web"])
    task = town.carve_one_task()
    [offer] = [o["offer_id"] for o in task["offers"]]
    job = job_id(UUID(task["id"]), UUID(worker))
    phone.goto(run(page_link(town, worker)))
    reload_until(phone, phone.locator(f"#offer-{offer}").is_visible, "the offer")

    # the coordinator assigns the task by phone: the card has its title, place and times
    town.call("POST", f"/tasks/{task['id']}/assign", town.coordinator, {"worker_id": worker})
    upcoming = card_in(phone, "h-jobs", job)
    reload_until(phone, upcoming.is_visible, "the directly assigned job")
    starts, ends = tokyo(task["starts_at"]), tokyo(task["ends_at"])
    expect(upcoming).to_contain_text("栗の収穫")
    expect(upcoming).to_contain_text("於福町")
    expect(upcoming).to_contain_text(f"{starts.hour}:{starts:%M}〜{ends.hour}:{ends:%M}")
    expect(phone.locator("body")).not_to_contain_text("ほかの")
    assert cards_of_task(phone, job, [offer]) == 1
    assert_no_axe_violations(phone, "the page with a directly assigned job")

    # she did not come: the job leaves upcoming work with one kind line
    town.call("POST", f"/tasks/{task['id']}/no-show", town.coordinator)
    past = card_in(phone, "h-past", job)
    reload_until(phone, past.is_visible, "the no-show among past notices")
    expect(past).to_have_attribute("data-state", "no_show")
    expect(past).to_contain_text("とりけしに なりました")
    expect(card_in(phone, "h-jobs", job)).to_have_count(0)
    expect(phone.get_by_role("button", name="はじめる")).to_have_count(0)
    assert cards_of_task(phone, job, [offer]) == 1
    assert_no_axe_violations(phone, "the page with a no-show")

    # another task of hers is cancelled by the requester
    second = town.carve_one_task()
    town.call("POST", f"/tasks/{second['id']}/assign", town.coordinator, {"worker_id": worker})
    cancelled_job = job_id(UUID(second["id"]), UUID(worker))
    reload_until(phone, card_in(phone, "h-jobs", cancelled_job).is_visible, "the second job")
    town.call("POST", f"/tasks/{second['id']}/cancel", town.requester, {"reason": "雨のため"})
    cancelled = card_in(phone, "h-past", cancelled_job)
    reload_until(phone, cancelled.is_visible, "the cancelled job among past notices")
    expect(cancelled).to_have_attribute("data-state", "cancelled")
    expect(card_in(phone, "h-jobs", cancelled_job)).to_have_count(0)
    assert_no_axe_violations(phone, "the page with a cancelled job")
