"""The broker as real processes under `conbini up`: HTTP in, events out over JetStream.

These tests publish the workers' answers (OfferAccepted) on the NOTIFY stream exactly as
notify does, all at once, to race them; tests/e2e/test_notify_flow.py answers through
notify's own pages.
"""

import asyncio
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from contracts.base import encode
from contracts.broker import (
    TaskAccepted,
    TaskAssignmentRefused,
    TaskOffered,
    WorkCompleted,
)
from contracts.notify import OfferAccepted
from contracts.subjects import subject_of
from contracts.values import Channel
from tests.support.town import TENANT, Town, broker_events, connect_as
from tests.support.waiting import eventually


async def answer_yes(url: str, offers: list[TaskOffered]) -> None:
    """What notify will publish when each worker taps うける, all at once."""
    client = await connect_as(url)
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
    await answer_yes(town.nats_url_as("notify"), offers)

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
    await answer_yes(town.nats_url_as("notify"), offers[:1])

    async def assigned() -> bool:
        seen = town.call("GET", f"/tasks/{task['id']}", town.coordinator)
        return bool(seen["status"] == "assigned")

    await eventually(assigned, within=60)
    town.confirm(task, worked_minutes=175)

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
