"""An inbox whose consumer ran ahead of its store rewinds to the store's position.

A killed consumer process leaves its last fetch pending on the durable consumer until
AckWait; a delivery can be lost on its way. Newer messages keep coming meanwhile, and
acking them (AckPolicy.ALL) would settle the pending ones unseen: a lost WorkCompleted is a
reward never paid. Payout's real inbox reads the BROKER stream of a real nats-server into a
real store; a "dead process" (plain nats-py on the same durable) fetches without acking.
Every WorkerRegistered must become exactly one payee, in the order published, long before
the consumer's AckWait would have redelivered anything.
"""

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from backbone.inbox import Inbox, InboxSettings
from backbone.nats_server import NatsServer
from backbone.runtime import BackboneSettings, lease_for, run_inboxes
from backbone.stores import StoreSettings
from backbone.streams import prepare_streams
from contracts.base import encode
from contracts.broker import WorkerErased, WorkerRegistered
from contracts.subjects import DEAD_LETTER_STREAM, subject_filter, subject_of
from payout.bootstrap import Payout, build_payout
from payout.domain.payee import Payee
from payout.settings import PayoutSettings
from tests.support.waiting import eventually

TENANT = "rewind-town"
DURABLE = "payout-from-broker"
STREAM = "BROKER"
ACK_WAIT_S = 60.0
"""Redelivery of the dead fetch would take this long; the inbox must not wait for it."""
QUICKLY_S = 15.0


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSettings:
    if request.param == "sqlite":
        return StoreSettings(kind="sqlite", data_dir=tmp_path / "stores")
    found: StoreSettings = request.getfixturevalue("postgres_store")
    return found


@pytest.fixture
def settings(store: StoreSettings, fresh_nats: NatsServer) -> BackboneSettings:
    return BackboneSettings(
        nats_urls=[fresh_nats.url],
        store=store,
        inbox=InboxSettings(
            batch_size=20, fetch_timeout_s=0.2, max_backoff_s=0.2, ack_wait_s=ACK_WAIT_S
        ),
    )


@pytest.fixture
async def payout(settings: BackboneSettings, tmp_path: Path) -> AsyncIterator[Payout]:
    base = PayoutSettings.in_memory(tmp_path / "jwt.key")
    built = build_payout(dataclasses.replace(base, backbone=settings))
    yield built
    built.app.close()


@pytest.fixture
async def nc(fresh_nats: NatsServer) -> AsyncIterator[Client]:
    client = await nats.connect(servers=[fresh_nats.url])
    yield client
    await client.close()


def a_registration() -> WorkerRegistered:
    return WorkerRegistered(
        event_id=uuid4(),
        occurred_at=datetime(2026, 4, 1, tzinfo=UTC),
        tenant=TENANT,
        correlation_id=uuid4(),
        worker_id=uuid4(),
    )


async def publish(nc: Client, count: int) -> list[WorkerRegistered]:
    events = [a_registration() for _ in range(count)]
    for event in events:
        await nc.jetstream().publish(subject_of(event), encode(event), timeout=10)
    return events


def payees_in_order(payout: Payout) -> list[UUID]:
    """The workers payout registered, in the order its store recorded them."""
    notes = payout.app.recorder.select_notifications(start=1, limit=10_000)
    events = [payout.app.mapper.to_domain_event(note) for note in notes]
    return [e.originator_id for e in events if isinstance(e, Payee.Registered)]


@asynccontextmanager
async def running_inbox(payout: Payout, settings: BackboneSettings) -> AsyncIterator[Inbox]:
    """Payout's real inbox, as its process runs it, until the block ends."""
    stop = asyncio.Event()
    started: list[Inbox] = []
    task = asyncio.ensure_future(
        run_inboxes("payout", payout.app, settings, stop, on_start=started.extend)
    )
    try:
        await eventually(lambda: bool(started), within=QUICKLY_S, what="the inbox to start")
        [inbox] = started
        yield inbox
    finally:
        stop.set()
        await asyncio.wait_for(task, QUICKLY_S)


async def fetch_and_die(url: str, count: int) -> list[int]:
    """A consumer process's last fetch: taken from the durable, never acked, then gone."""
    dead = await nats.connect(servers=[url])
    try:
        sub = await dead.jetstream().pull_subscribe_bind(durable=DURABLE, stream=STREAM)
        taken = await sub.fetch(count, timeout=5)
        return [msg.metadata.sequence.stream for msg in taken]
    finally:
        await dead.close()


async def test_a_restarted_inbox_takes_a_dead_processs_fetch_first(
    payout: Payout, settings: BackboneSettings, nc: Client, fresh_nats: NatsServer
) -> None:
    async with running_inbox(payout, settings) as inbox:
        first = await publish(nc, 5)
        await eventually(lambda: inbox.status.position >= 5, within=QUICKLY_S)
    later = await publish(nc, 10)

    assert await fetch_and_die(fresh_nats.url, 3) == [6, 7, 8]
    info = await nc.jetstream().consumer_info(STREAM, DURABLE)
    assert info.num_ack_pending == 3  # they would come back only after ACK_WAIT_S

    began = time.monotonic()
    async with running_inbox(payout, settings) as inbox:
        await eventually(
            lambda: inbox.status.position >= 15,
            within=QUICKLY_S,
            what=lambda: f"all 15 settled; the inbox is at {inbox.status}",
        )
        status = inbox.status
    took = time.monotonic() - began

    assert payees_in_order(payout) == [e.worker_id for e in first + later]
    assert status.rewound >= 1
    assert status.processed == 10
    assert status.dead_lettered == 0
    assert payout.app.recorder.max_tracking_id(DURABLE) == 15
    assert took < ACK_WAIT_S / 4
    info = await nc.jetstream().consumer_info(STREAM, DURABLE)
    assert info.num_ack_pending == 0
    assert info.delivered.stream_seq == 15


async def test_a_running_inbox_that_misses_a_delivery_rebinds_at_its_position(
    payout: Payout, settings: BackboneSettings, nc: Client, fresh_nats: NatsServer
) -> None:
    """Driven one cycle at a time, so the lost delivery falls between two known fetches."""
    js = nc.jetstream()
    stop = asyncio.Event()
    await prepare_streams(js, settings.streams, [STREAM, DEAD_LETTER_STREAM], stop, provision=True)
    inbox = Inbox(
        consumer="payout",
        producer="broker",
        app=payout.app,
        nc=nc,
        lease=lease_for("payout", DURABLE, settings.store),
        settings=settings.inbox,
    )

    async def cycle_until(position: int) -> None:
        deadline = time.monotonic() + QUICKLY_S
        while inbox.status.position < position:
            assert time.monotonic() < deadline, f"stuck at {inbox.status}"
            await inbox.cycle(stop)

    async def nobody_waiting() -> bool:
        info = await js.consumer_info(STREAM, DURABLE)
        return bool(info.num_waiting == 0)

    began = time.monotonic()
    try:
        first = await publish(nc, 3)
        await cycle_until(3)
        await eventually(nobody_waiting, within=QUICKLY_S, what="the inbox's pull to expire")
        later = await publish(nc, 3)
        assert await fetch_and_die(fresh_nats.url, 1) == [4]  # delivery 4 lost on its way

        await inbox.cycle(stop)  # deliveries 5 and 6 come: one is missing before them
        assert inbox.status.position == 3  # it took nothing past the gap
        assert inbox.sub is None  # and dropped the subscription to rebind
        assert inbox.status.rewound == 0

        await cycle_until(6)
    finally:
        await inbox.reset()
        inbox.lease.release()

    assert payees_in_order(payout) == [e.worker_id for e in first + later]
    assert inbox.status.rewound == 1
    assert inbox.status.processed == 6
    assert payout.app.recorder.max_tracking_id(DURABLE) == 6
    assert time.monotonic() - began < ACK_WAIT_S / 4


async def test_an_inbox_whose_routes_grew_recreates_its_consumer_with_the_new_filter(
    payout: Payout, settings: BackboneSettings, nc: Client
) -> None:
    """A release that follows more event types: the durable made by the one before keeps its
    old filter, and would never deliver the new types unless made again."""
    js = nc.jetstream()
    stop = asyncio.Event()
    await prepare_streams(js, settings.streams, [STREAM, DEAD_LETTER_STREAM], stop, provision=True)
    old = ConsumerConfig(
        durable_name=DURABLE,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.ALL,
        filter_subject=subject_filter(WorkerErased),  # the release before followed only this
    )
    await js.add_consumer(STREAM, old)
    registered = await publish(nc, 3)

    async with running_inbox(payout, settings) as inbox:
        await eventually(
            lambda: inbox.status.position >= 3,
            within=QUICKLY_S,
            what=lambda: f"the registrations; the inbox is at {inbox.status}",
        )

    assert payees_in_order(payout) == [e.worker_id for e in registered]
    info = await js.consumer_info(STREAM, DURABLE)
    assert subject_filter(WorkerRegistered) in (info.config.filter_subjects or [])
