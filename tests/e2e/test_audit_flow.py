"""The auditor's commands against a town that ran for real: a task from request to payment.

Replay (with the streams), chain verification, time travel, export and the KPI report all
run as `conbini …` processes on the town's own stores and NATS, as an auditor would.
"""

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from conbini.quiet import wait_until_quiet
from tests.support.flows import assigned_task
from tests.support.town import TENANT, Town
from tests.support.waiting import eventually

ACCOUNT = {"bank_code": "0005", "branch_code": "001", "number": "7", "holder_kana": "テスト"}


async def conbini(town: Town, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "conbini", *args],
        env=town.env_for_commands(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


async def test_the_record_replays_verifies_travels_exports_and_reports(
    town: Town, tmp_path: Path
) -> None:
    worker, task = await assigned_task(town)
    before_completion = datetime.now(UTC)  # stored events keep the real time
    town.confirm(task, worked_minutes=120)

    async def accrued() -> bool:
        return len(town.call("GET", "/rewards", town.accountant, base=town.payout)) == 1

    await eventually(accrued, within=60, what="the reward to accrue")
    town.call("PUT", f"/workers/{worker}/bank-account", town.accountant, ACCOUNT, base=town.payout)
    period = town.month_ends(task)
    town.call("POST", "/runs", town.accountant, {"period": period}, base=town.payout)
    town.call(
        "POST",
        f"/runs/{period}/lines/1/confirmation",
        town.accountant,
        {"ok": True},
        base=town.payout,
    )

    async def paid() -> bool:
        rewards = town.call("GET", "/rewards", town.accountant, base=town.payout)
        return bool(rewards[0]["outstanding_yen"] == 0)

    await eventually(paid, within=60, what="the payment to be recorded")
    apis = [town.base, town.notify, town.payout]
    await asyncio.to_thread(wait_until_quiet, apis)  # every relay published what was stored

    replayed = await conbini(town, "audit", "replay")
    verified = await conbini(town, "audit", "verify")
    then = await conbini(town, "audit", "at", before_completion.isoformat(), "task", task["id"])
    worker_then = await conbini(
        town, "audit", "at", datetime.now(UTC).isoformat(), "worker", worker
    )
    ledger = await conbini(town, "audit", "at", datetime.now(UTC).isoformat(), "ledger")
    exported = await conbini(town, "audit", "export", "--out", str(tmp_path / "export"))
    report = await conbini(town, "report", "kpi", "--month", period, "--format", "json")
    timeline = town.call("GET", f"/tasks/{task['id']}/timeline", town.auditor)

    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "replay: clean" in replayed.stdout
    assert "streams not compared" not in replayed.stdout
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.count("chain ok") == 3
    assert json.loads(then.stdout)["status"] == "assigned"  # completion came later
    assert json.loads(worker_then.stdout)["paused"] is False
    assert "山田" not in worker_then.stdout  # no personal data in time travel
    assert json.loads(ledger.stdout)[TENANT]["bank"] == -2100
    digests = json.loads((tmp_path / "export" / "digests.json").read_text())
    assert exported.returncode == 0
    assert set(digests) == {"broker", "notify", "payout"}
    assert all(len(d["chain_head"]) == 64 for d in digests.values())
    exported_text = (tmp_path / "export" / "broker.jsonl").read_text()
    assert "山田" not in exported_text  # personal details stay sealed in exports
    kpis = json.loads(report.stdout)
    assert kpis["people_who_worked"] == 1
    assert kpis["hours_worked"] == 2.0
    assert kpis["rewards_paid_yen"] == 0  # paid on the pay day, in the month after
    assert [e["what"] for e in timeline["entries"]][:2] == ["CarvedOut", "Offered"]
    assert "reasons" in timeline["entries"][1]["facts"]
    assert timeline["entries"][-1]["what"] == "WorkCompleted"
