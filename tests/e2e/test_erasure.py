"""`conbini worker erase`: personal data becomes unreadable everywhere; history stays."""

import asyncio
import subprocess
import sys
import urllib.error

import pytest

from tests.support.town import Town
from tests.support.waiting import eventually

ACCOUNT = {"bank_code": "0005", "branch_code": "001", "number": "7", "holder_kana": "ヤマダ"}


async def test_erasing_a_worker_reaches_broker_notify_and_payout(town: Town) -> None:
    [worker] = town.register_workers(1)

    async def known_to_payout() -> bool:
        try:
            town.call(
                "PUT", f"/workers/{worker}/bank-account", town.accountant, ACCOUNT, base=town.payout
            )
        except urllib.error.HTTPError as refused:
            refused.close()  # the response's socket
            return False
        return True

    await eventually(known_to_payout, within=60, what="payout to know the worker")
    env = town.env_for_commands() | {"CONBINI_BROKER_URL": town.base}

    erased = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "conbini", "worker", "erase", worker],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    again = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "conbini", "worker", "erase", worker],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert erased.returncode == 0, erased.stdout + erased.stderr
    assert again.returncode == 0  # repeating is harmless
    seen = town.call("GET", f"/workers/{worker}", town.coordinator)
    assert seen["erased"] is True
    assert seen["personal"] is None
    assert seen["birth_year"] == 1948  # the coarse statistics stay
    with pytest.raises(urllib.error.HTTPError) as gone:
        town.call("GET", f"/workers/{worker}/reach", town.coordinator)
    assert gone.value.code == 410
    gone.value.close()

    async def payout_forgot() -> bool:
        try:
            town.call(
                "PUT", f"/workers/{worker}/bank-account", town.accountant, ACCOUNT, base=town.payout
            )
        except urllib.error.HTTPError as error:
            error.close()  # the response's socket
            return error.code == 422
        return False

    await eventually(payout_forgot, within=60, what="payout to destroy its key for the worker")
