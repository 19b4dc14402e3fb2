"""Notify as real processes under `conbini up`: an email reaches the worker, the link in it
assigns the task; with email failing, the coordinator's phone call does.
"""

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.smtp import Mailbox, smtp_server
from tests.support.town import Town, running_town
from tests.support.waiting import eventually

FAST_ESCALATION = {
    "CONBINI_DISPATCH_EVERY_SECONDS": "0.2",
    "CONBINI_RETRY_BASE_SECONDS": "0.2",
    "CONBINI_OFFER_FANOUT": "1",
}


@pytest.fixture
def mailed_town(tmp_path: Path) -> Iterator[tuple[Town, Mailbox]]:
    with smtp_server() as (port, mailbox):
        extra = FAST_ESCALATION | {
            "CONBINI_SMTP_HOST": "127.0.0.1",
            "CONBINI_SMTP_PORT": str(port),
        }
        for town in running_town(tmp_path, extra):
            yield town, mailbox


@pytest.fixture
def town_without_mail(tmp_path: Path) -> Iterator[Town]:
    with smtp_server() as (port, _):
        closed = port  # stopped on leaving the block: email fails from here on
    extra = FAST_ESCALATION | {"CONBINI_SMTP_HOST": "127.0.0.1", "CONBINI_SMTP_PORT": str(closed)}
    yield from running_town(tmp_path, extra)


def follow(url: str, *, post: bool = False) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, method="POST" if post else "GET", data=b"" if post else None
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return response.status, response.read().decode()


def task_status(town: Town, task: dict[str, Any]) -> str:
    return str(town.call("GET", f"/tasks/{task['id']}", town.coordinator)["status"])


async def test_the_accept_link_in_the_email_gets_the_worker_assigned(
    mailed_town: tuple[Town, Mailbox],
) -> None:
    town, mailbox = mailed_town
    [worker] = town.register_workers(1, channels=["email"])
    task = town.carve_one_task()

    async def mailed() -> bool:
        return len(mailbox.messages) >= 1

    await eventually(mailed, within=60, what="the offer email")
    [mail] = mailbox.messages
    assert mail["To"] == "hanako@example.jp"
    links = re.findall(r"http://127\.0\.0\.1:\d+/w/\S+/offers/\S+", mail.get_content())
    assert links, mail.get_content()
    offer_page = links[0]

    status, page = follow(offer_page)
    assert status == 200
    assert "栗の収穫" in page
    status, _ = follow(offer_page + "/accept?via=email", post=True)
    follow(offer_page + "/accept?via=email", post=True)  # pressed twice

    async def assigned() -> bool:
        return task_status(town, task) == "assigned"

    await eventually(assigned, within=60, what="the broker to assign the task")
    seen = town.call("GET", f"/tasks/{task['id']}", town.coordinator)
    assert seen["worker_id"] == worker
    deliveries = town.call(
        "GET",
        f"/offers/{seen['offers'][0]['offer_id']}/deliveries",
        town.coordinator,
        base=town.notify,
    )
    assert {(d["channel"], d["outcome"]) for d in deliveries} >= {
        ("web", "sent"),
        ("email", "sent"),
    }

    async def shown_assigned() -> bool:
        return 'data-state="assigned"' in follow(offer_page)[1]

    await eventually(shown_assigned, within=30, what="the page to show the task is theirs")


async def test_with_email_failing_the_offer_reaches_the_call_list_and_a_phone_answer_assigns(
    town_without_mail: Town,
) -> None:
    town = town_without_mail
    [worker] = town.register_workers(1, channels=["email"])
    task = town.carve_one_task()
    calls: list[dict[str, Any]] = []

    async def on_call_list() -> bool:
        calls[:] = town.call("GET", "/call-list", town.coordinator, base=town.notify)
        return len(calls) == 1

    await eventually(on_call_list, within=60, what="the offer on the call list")
    assert calls[0]["worker_id"] == worker
    assert "email:failed" in calls[0]["tried"]
    answer = town.call(
        "POST",
        f"/offers/{calls[0]['offer_id']}/phone-answer",
        town.coordinator,
        {"accept": True},
        base=town.notify,
    )
    assert answer["result"] == "recorded"

    async def assigned() -> bool:
        return task_status(town, task) == "assigned"

    await eventually(assigned, within=60, what="the broker to assign the task")
    assert town.call("GET", "/call-list", town.coordinator, base=town.notify) == []
