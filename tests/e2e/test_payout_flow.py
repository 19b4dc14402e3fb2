"""Payout as real processes under `conbini up`: from WorkCompleted on the bus to RewardPaid,
a duplicate delivery that pays nothing twice, and a clean reconciliation (API and CLI).
"""

import asyncio
import subprocess
import sys

import nats

from contracts.broker import WorkCompleted
from contracts.payout import RewardPaid, payout_decoder
from tests.support.flows import assigned_task
from tests.support.town import Town, broker_events, connect_as
from tests.support.waiting import eventually

ACCOUNT = {
    "bank_code": "0005",
    "branch_code": "001",
    "account_type": 1,
    "number": "1234567",
    "holder_kana": "やまだ はなこ",
}


async def payout_events(url: str) -> list[object]:
    client = await nats.connect(servers=[url])
    js = client.jetstream()
    info = await js.stream_info("PAYOUT")
    found: list[object] = []
    for seq in range(1, info.state.last_seq + 1):
        message = await js.get_msg("PAYOUT", seq=seq)
        assert message.data is not None
        found.append(payout_decoder.decode(message.data))
    await client.close()
    return found


async def republish(url: str, event: WorkCompleted, data: bytes) -> None:
    """The same WorkCompleted once more, as a relay retry past the dedup window would."""
    client = await connect_as(url)
    await client.jetstream().publish(
        f"broker.work_completed.v1.{event.tenant}", data, headers={"Nats-Msg-Id": "again:1"}
    )
    await client.close()


async def raw_work_completed(url: str) -> bytes:
    client = await nats.connect(servers=[url])
    js = client.jetstream()
    info = await js.stream_info("BROKER")
    for seq in range(1, info.state.last_seq + 1):
        message = await js.get_msg("BROKER", seq=seq)
        if (message.subject or "").startswith("broker.work_completed"):
            await client.close()
            assert message.data is not None
            return message.data
    await client.close()
    msg = "no WorkCompleted on BROKER"
    raise AssertionError(msg)


async def test_work_completed_on_the_bus_is_paid_once_and_reconciles(town: Town) -> None:
    worker, task = await assigned_task(town)
    town.confirm(task, worked_minutes=175)
    rewards: list[dict[str, object]] = []

    async def accrued() -> bool:
        rewards[:] = town.call("GET", "/rewards", town.accountant, base=town.payout)
        return len(rewards) == 1

    await eventually(accrued, within=60, what="the reward to accrue")
    assert rewards[0]["net_yen"] == 3063  # ¥1,050 × 175 min, rounded up; no transport
    done = next(e for e in await broker_events(town.nats_url) if isinstance(e, WorkCompleted))
    await republish(town.nats_url_as("broker"), done, await raw_work_completed(town.nats_url))

    town.call("PUT", f"/workers/{worker}/bank-account", town.accountant, ACCOUNT, base=town.payout)
    period = town.month_ends(task)
    run = town.call("POST", "/runs", town.accountant, {"period": period}, base=town.payout)
    assert [line["amount_yen"] for line in run["lines"]] == [3063]
    again = town.call("POST", "/runs", town.accountant, {"period": period}, base=town.payout)
    assert again["id"] == run["id"]
    town.call(
        "POST",
        f"/runs/{period}/lines/1/confirmation",
        town.accountant,
        {"ok": True},
        base=town.payout,
    )
    paid: list[RewardPaid] = []

    async def reward_paid() -> bool:
        paid[:] = [e for e in await payout_events(town.nats_url) if isinstance(e, RewardPaid)]
        return len(paid) == 1

    await eventually(reward_paid, within=60, what="RewardPaid on the PAYOUT stream")
    assert paid[0].net_paid_yen == 3063
    assert len(town.call("GET", "/rewards", town.accountant, base=town.payout)) == 1

    found = town.call("GET", f"/reconciliation/{period}", town.auditor, base=town.payout)
    assert found["clean"], found["problems"]
    assert found["upstream_checked"]
    assert found["paid_yen"] == 3063
    cli = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "conbini", "payout", "reconcile", "--period", period],
        env=town.env_for_commands(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "clean" in cli.stdout
