"""How fast contract events cross the wire: typed decode/encode against the untyped floor.

Every inbox decodes each message into its contract Struct (validating tags, types and
constraints) and every relay encodes one. The floor is msgspec decoding the same bytes
into plain dicts and lists, and encoding those back, with no validation at all.
"""

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypedDict
from uuid import UUID, uuid4

import msgspec

from contracts import broker, notify, payout
from contracts.base import IntegrationEvent, encode
from contracts.catalog import DECODERS
from contracts.values import Channel, PhysicalLoad, RewardKind, Sector


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the benchmark's options."""
    parser.add_argument("--events", type=int, default=200_000, help="messages per measurement")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated flow")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")


class Envelope(TypedDict):
    """The envelope fields one flow shares."""

    tenant: str
    correlation_id: UUID
    occurred_at: datetime


class TaskAndWorker(TypedDict):
    """The ids most events of one task's life carry."""

    task_id: UUID
    worker_id: UUID


def lifecycle(rng: random.Random) -> list[IntegrationEvent]:
    """Return the contract events of one task's life, offer to payment."""
    envelope = Envelope(
        tenant="mine-wakuwaku",
        correlation_id=UUID(int=rng.getrandbits(128)),
        occurred_at=datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(40_000)),
    )
    task, offer = uuid4(), uuid4()
    starts = envelope["occurred_at"] + timedelta(days=2)
    common = TaskAndWorker(task_id=task, worker_id=uuid4())
    return [
        broker.TaskCarvedOut(
            event_id=uuid4(),
            **envelope,
            task_id=task,
            job_request_id=uuid4(),
            requester_id=uuid4(),
            title="栗の収穫",
            work_type="harvest",
            sector=Sector.AGRICULTURE_FORESTRY,
            district="於福",
            home_based=False,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            duration_minutes=180,
            reward_kind=RewardKind.HOURLY,
            reward_yen=1050,
            transport_allowance_yen=300,
            withholding_applies=False,
            physical_load=PhysicalLoad.LIGHT,
        ),
        broker.TaskOffered(
            event_id=uuid4(),
            **envelope,
            **common,
            offer_id=offer,
            expires_at=starts - timedelta(days=1),
            title="栗の収穫",
            district="於福",
            home_based=False,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            reward_kind=RewardKind.HOURLY,
            reward_yen=1050,
            transport_allowance_yen=300,
        ),
        notify.OfferAccepted(
            event_id=uuid4(),
            **envelope,
            **common,
            offer_id=offer,
            channel=Channel.LINE,
            answered_at=envelope["occurred_at"],
        ),
        broker.TaskAccepted(
            event_id=uuid4(), **envelope, **common, offer_id=offer, starts_at=starts
        ),
        payout.RewardPaid(
            event_id=uuid4(),
            **envelope,
            **common,
            reward_id=uuid4(),
            payout_run_id=uuid4(),
            net_paid_yen=3537,
            paid_on=starts.date(),
        ),
    ]


def best_rate(count: int, repeat: int, work: Callable[[], object]) -> float:
    """Return the best items per second over `repeat` timed runs of `work`."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return count / best


def run(*, events: int, seed: int, repeat: int) -> str:
    """Measure and return the final `key=value` line."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    flow: list[IntegrationEvent] = []
    while len(flow) < events:
        flow.extend(lifecycle(rng))
    flow = flow[:events]
    wire = [(event.type_tag().split(".", 1)[0], encode(event)) for event in flow]
    untyped = msgspec.json.Decoder()
    plain = [untyped.decode(data) for _, data in wire]

    decode_rate = best_rate(
        events, repeat, lambda: [DECODERS[producer].decode(data) for producer, data in wire]
    )
    decode_floor = best_rate(events, repeat, lambda: [untyped.decode(data) for _, data in wire])
    encode_rate = best_rate(events, repeat, lambda: [encode(event) for event in flow])
    encode_floor = best_rate(events, repeat, lambda: [msgspec.json.encode(doc) for doc in plain])
    return (
        f"contracts events={events} decode_per_s={decode_rate:.0f} "
        f"decode_floor_per_s={decode_floor:.0f} decode_ratio={decode_rate / decode_floor:.2f} "
        f"encode_per_s={encode_rate:.0f} encode_floor_per_s={encode_floor:.0f} "
        f"encode_ratio={encode_rate / encode_floor:.2f}"
    )
