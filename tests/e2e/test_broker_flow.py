"""The broker as real processes under `conbini up`: HTTP in, events out over JetStream.

The notify service does not exist yet, so these tests publish the workers' answers
(OfferAccepted) on the NOTIFY stream exactly as notify will.
"""

import asyncio
import json
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import nats
import pytest

from backbone.auth import Role, issue_token, load_or_create_key
from backbone.nats_server import free_port
from contracts.base import encode
from contracts.broker import (
    BrokerEvent,
    TaskAccepted,
    TaskAssignmentRefused,
    TaskOffered,
    WorkCompleted,
    broker_decoder,
)
from contracts.notify import OfferAccepted
from contracts.subjects import subject_of
from contracts.values import Channel
from tests.support.people import personal_json
from tests.support.processes import RunningCommand
from tests.support.waiting import eventually

TENANT = "mine-wakuwaku"
CONBINI = [sys.executable, "-m", "conbini"]


class Town:
    """A running `conbini up` and the calls a requester and a coordinator make."""

    def __init__(self, env: dict[str, str], command: RunningCommand) -> None:
        self.env = env
        self.command = command
        self.base = f"http://127.0.0.1:{env['CONBINI_BROKER_PORT']}"
        self.nats_url = f"nats://127.0.0.1:{env['CONBINI_NATS_PORT']}"
        key = load_or_create_key(Path(env["CONBINI_DATA_DIR"]) / "jwt.key")
        self.requester_id = uuid4()
        self.requester = issue_token(
            key, tenant=TENANT, role=Role.REQUESTER, subject=self.requester_id
        )
        self.coordinator = issue_token(key, tenant=TENANT, role=Role.COORDINATOR, subject=uuid4())

    def call(self, method: str, path: str, token: str, body: object = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{self.base}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            raw = response.read()
            return json.loads(raw) if raw else None

    def register_workers(self, count: int) -> list[str]:
        body = {
            "personal": personal_json(birth_date="1948-02-03"),
            "sex": "female",
            "district": "ofuku",
            "skills": ["harvest"],
            "constraints": {
                "weekly": {str(day): [{"start": 0, "end": 1440}] for day in range(7)},
                "holidays_off": False,
                "home_district": "ofuku",
                "travel": "car",
                "max_travel_minutes": 60,
            },
        }
        return [self.call("POST", "/workers", self.coordinator, body)["id"] for _ in range(count)]

    def carve_one_task(self) -> dict[str, Any]:
        start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=1, minute=0, second=0)
        request = {
            "title": "栗の収穫",
            "work_type": "harvest",
            "sector": "agriculture_forestry",
            "district": "ofuku",
            "starts_on": start.date().isoformat(),
            "ends_on": (start + timedelta(days=2)).date().isoformat(),
            "window_start": 0,
            "window_end": 1440,
            "volume_minutes": 180,
            "reward_kind": "hourly",
            "reward_yen": 1050,
        }
        job = self.call("POST", "/job-requests", self.requester, request)["id"]
        shift = {
            "job_request_id": job,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
        }
        task: dict[str, Any] = self.call("POST", "/tasks", self.coordinator, shift)
        return task


@pytest.fixture
def town(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Town]:
    fanout = getattr(request, "param", 3)
    env = {
        "CONBINI_DATA_DIR": str(tmp_path / "data"),
        "CONBINI_NATS_PORT": str(free_port()),
        "CONBINI_NATS_MONITOR_PORT": str(free_port()),
        "CONBINI_BROKER_PORT": str(free_port()),
        "CONBINI_OFFER_FANOUT": str(fanout),
    }
    command = RunningCommand([*CONBINI, "up"], env=env, cwd=tmp_path)
    try:
        command.wait_for("Press Ctrl-C", timeout=90)
        yield Town(env, command)
        assert command.interrupt() == 0
    finally:
        command.kill()


async def broker_events(url: str) -> list[BrokerEvent]:
    client = await nats.connect(servers=[url])
    js = client.jetstream()
    info = await js.stream_info("BROKER")
    events: list[BrokerEvent] = []
    for seq in range(1, info.state.last_seq + 1):
        message = await js.get_msg("BROKER", seq=seq)
        assert message.data is not None
        events.append(broker_decoder.decode(message.data))
    await client.close()
    return events


async def answer_yes(url: str, offers: list[TaskOffered]) -> None:
    """What notify will publish when each worker taps うける, all at once."""
    client = await nats.connect(servers=[url])
    js = client.jetstream()
    now = datetime.now(UTC)
    answers = [
        OfferAccepted(
            event_id=uuid4(),
            occurred_at=now,
            tenant=TENANT,
            correlation_id=offer.correlation_id,
            causation_id=offer.event_id,
            offer_id=offer.offer_id,
            task_id=offer.task_id,
            worker_id=offer.worker_id,
            channel=Channel.WEB,
            answered_at=now,
        )
        for offer in offers
    ]
    await asyncio.gather(
        *(
            js.publish(subject_of(a), encode(a), headers={"Nats-Msg-Id": f"notify:{a.event_id}"})
            for a in answers
        )
    )
    await client.close()


@pytest.mark.parametrize("town", [50], indirect=True)
async def test_exactly_one_of_fifty_simultaneous_acceptances_wins(town: Town) -> None:
    town.register_workers(50)
    task = town.carve_one_task()
    assert len(task["offers"]) == 50

    offers: list[TaskOffered] = []

    async def all_offered() -> bool:
        offers[:] = [e for e in await broker_events(town.nats_url) if isinstance(e, TaskOffered)]
        return len(offers) == 50

    await eventually(all_offered, within=60)
    await answer_yes(town.nats_url, offers)

    async def all_answered() -> bool:
        events = await broker_events(town.nats_url)
        decided = [e for e in events if isinstance(e, TaskAccepted | TaskAssignmentRefused)]
        return len(decided) == 50

    await eventually(all_answered, within=90)
    events = await broker_events(town.nats_url)
    accepted = [e for e in events if isinstance(e, TaskAccepted)]
    refused = [e for e in events if isinstance(e, TaskAssignmentRefused)]
    assert len(accepted) == 1
    assert len(refused) == 49
    assert {e.reason.value for e in refused} == {"already_assigned"}
    winner = accepted[0].worker_id
    assert winner not in {e.worker_id for e in refused}
    seen = town.call("GET", f"/tasks/{task['id']}", town.coordinator)
    assert seen["status"] == "assigned"
    assert seen["worker_id"] == str(winner)


async def test_a_request_flows_to_work_completed_across_processes(town: Town) -> None:
    town.register_workers(3)
    task = town.carve_one_task()
    offers: list[TaskOffered] = []

    async def offered() -> bool:
        offers[:] = [e for e in await broker_events(town.nats_url) if isinstance(e, TaskOffered)]
        return len(offers) == 3

    await eventually(offered, within=60)
    await answer_yes(town.nats_url, offers[:1])

    async def assigned() -> bool:
        seen = town.call("GET", f"/tasks/{task['id']}", town.coordinator)
        return bool(seen["status"] == "assigned")

    await eventually(assigned, within=60)
    completion = {
        "completions": [
            {
                "task_id": task["id"],
                "worked_minutes": 175,
                "finished_at": datetime.now(UTC).isoformat(),
            }
        ]
    }
    town.call("POST", "/completions", town.requester, completion)

    async def completed() -> bool:
        kinds = [type(e).__name__ for e in await broker_events(town.nats_url)]
        return "WorkCompleted" in kinds

    await eventually(completed, within=60)
    events = await broker_events(town.nats_url)
    kinds = [type(e).__name__ for e in events]
    story = ["JobRequested", "TaskCarvedOut", "TaskAccepted", "WorkCompleted"]
    assert [kinds.count(kind) for kind in story] == [1, 1, 1, 1]
    assert [kinds.index(kind) for kind in story] == sorted(kinds.index(kind) for kind in story)
    assert kinds.count("WorkerRegistered") == 3
    assert kinds.count("OfferWithdrawn") == 2
    done = next(e for e in events if isinstance(e, WorkCompleted))
    assert done.worked_minutes == 175
    assert done.worker_id == offers[0].worker_id
    assert done.task_id == UUID(task["id"])
