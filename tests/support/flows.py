"""Steps people take through the running town, shared by the end-to-end tests."""

import asyncio
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
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


async def assigned_task(town: Town) -> tuple[str, dict[str, Any]]:
    """A registered worker (web page only) says yes on their page; the task is theirs."""
    [worker] = town.register_workers(1, channels=["web"])
    task = town.carve_one_task()
    offer_id = task["offers"][0]["offer_id"]
    link = town.call("POST", f"/workers/{worker}/link", town.coordinator, base=town.notify)["url"]

    async def offer_shown() -> bool:
        return await asyncio.to_thread(opens, f"{link}/offers/{offer_id}")

    await eventually(offer_shown, within=60, what="the offer on the worker's page")
    await asyncio.to_thread(press, f"{link}/offers/{offer_id}/accept")

    async def assigned() -> bool:
        seen = town.call("GET", f"/tasks/{task['id']}", town.coordinator)
        return bool(seen["status"] == "assigned")

    await eventually(assigned, within=60, what="the worker's yes to assign the task")
    return worker, task


def last_month() -> tuple[str, datetime]:
    """The previous month (YYYY-MM) and a moment on its last day, 15:00 in Tokyo."""
    first = datetime.now(UTC).date().replace(day=1)
    last = first - timedelta(days=1)
    return f"{last:%Y-%m}", datetime(last.year, last.month, last.day, 6, 0, tzinfo=UTC)
