"""Steps people take through the running town, shared by the end-to-end tests."""

import asyncio
import urllib.error
import urllib.request
from typing import Any

from tests.support.town import Town
from tests.support.waiting import eventually


def opens(url: str) -> bool:
    """True when the page opens."""
    try:
        with urllib.request.urlopen(url, timeout=30):  # noqa: S310 - loopback
            return True
    except urllib.error.HTTPError as refused:
        refused.close()  # the response's socket
        return False


def press(url: str) -> None:
    """The worker presses a button on their page."""
    request = urllib.request.Request(url, method="POST", data=b"")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310
        pass


async def page_link(town: Town, worker: str) -> str:
    """The worker's page link, once notify has heard of the worker (404 until then)."""
    made: dict[str, str] = {}

    def heard_of() -> bool:
        try:
            made.update(
                town.call("POST", f"/workers/{worker}/link", town.coordinator, base=town.notify)
            )
        except urllib.error.HTTPError as refused:
            refused.close()  # the response's socket
            if refused.code != 404:
                raise
            return False
        return True

    await eventually(heard_of, within=60, what="notify to hear of the worker")
    return made["url"]


async def assigned_task(town: Town) -> tuple[str, dict[str, Any]]:
    """A registered worker (web page only) says yes on their page; the task is theirs."""
    [worker] = town.register_workers(1, channels=["web"])
    task = town.carve_one_task()
    offer_id = task["offers"][0]["offer_id"]
    link = await page_link(town, worker)

    async def offer_shown() -> bool:
        return await asyncio.to_thread(opens, f"{link}/offers/{offer_id}")

    await eventually(offer_shown, within=60, what="the offer on the worker's page")
    await asyncio.to_thread(press, f"{link}/offers/{offer_id}/accept")

    async def assigned() -> bool:
        seen = town.call("GET", f"/tasks/{task['id']}", town.coordinator)
        return bool(seen["status"] == "assigned")

    await eventually(assigned, within=60, what="the worker's yes to assign the task")
    return worker, task
