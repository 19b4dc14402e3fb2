"""Store → relay → JetStream → inbox → store, in one process, on every kind of store."""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import nats
import pytest
from nats.js.api import StreamInfo

from backbone.flow import FLOW_KEY, event_id_of, traceparent
from backbone.inbox import Inbox, InboxSettings
from backbone.nats_server import NatsServer
from backbone.relay import Relay, RelaySettings
from backbone.runtime import BackboneSettings, run_inboxes, run_relay
from backbone.stores import StoreSettings
from bench.pipeline import (
    EXPLODE,
    SINK,
    SOURCE,
    TENANT,
    Receipt,
    Shift,
    Sink,
    Source,
    open_sink,
    open_source,
    produce,
    receipts,
    translate,
)
from contracts.broker import TaskCarvedOut, broker_decoder
from contracts.subjects import DEAD_LETTER_STREAM
from tests.support.waiting import eventually


@dataclass
class Pipeline:
    source: Source
    sink: Sink
    nats_url: str
    relays: list[Relay]
    inboxes: list[Inbox]

    async def stream(self, name: str) -> StreamInfo:
        client = await nats.connect(servers=[self.nats_url])
        try:
            return await client.jetstream().stream_info(name)
        finally:
            await client.close()


@pytest.fixture
async def pipeline(any_store: StoreSettings, fresh_nats: NatsServer) -> AsyncIterator[Pipeline]:
    settings = BackboneSettings(
        nats_urls=[fresh_nats.url],
        store=any_store,
        relay=RelaySettings(batch_size=50, default_tenant=TENANT),
        inbox=InboxSettings(batch_size=40, max_handler_attempts=2, max_backoff_s=0.2),
    )
    source, sink = open_source(any_store), open_sink(any_store)
    running = Pipeline(source, sink, fresh_nats.url, [], [])
    stop = asyncio.Event()
    roles: list[Coroutine[Any, Any, None]] = [
        run_relay(SOURCE, source, translate, settings, stop, on_start=running.relays.append),
        run_inboxes(SINK, sink, settings, stop, on_start=running.inboxes.extend),
    ]
    tasks = [asyncio.create_task(role) for role in roles]
    yield running
    stop.set()
    await asyncio.gather(*tasks)
    source.close()
    sink.close()


def count_reaches(sink: Sink, n: int) -> Callable[[], bool]:
    return lambda: len(receipts(sink)) >= n


async def test_every_event_arrives_once_in_order_when_relayed_and_consumed(
    pipeline: Pipeline,
) -> None:
    first = produce(pipeline.source, 230)
    await eventually(count_reaches(pipeline.sink, 230), within=30)

    more = produce(pipeline.source, 70, first=231)
    await eventually(count_reaches(pipeline.sink, 300), within=30)

    assert receipts(pipeline.sink) == first + more
    assert (await pipeline.stream("BROKER")).state.messages == 300
    relay = pipeline.relays[0]
    await eventually(lambda: relay.status.position == 300 and relay.status.lag == 0)
    assert pipeline.inboxes[0].status.processed == 300


async def test_private_events_advance_the_relay_without_being_published(
    pipeline: Pipeline,
) -> None:
    shift = Shift(number=1, title="renamed later")
    pipeline.source.save(shift)
    private = Receipt(task_id=shift.id, title="a private fact of the source")
    pipeline.source.save(private)

    await eventually(lambda: bool(pipeline.relays) and pipeline.relays[0].status.position == 2)

    assert pipeline.relays[0].status.skipped_private == 1
    assert (await pipeline.stream("BROKER")).state.messages == 1


async def test_flow_and_trace_travel_with_each_event_when_it_causes_another(
    pipeline: Pipeline,
) -> None:
    [shift_id] = produce(pipeline.source, 1)
    await eventually(count_reaches(pipeline.sink, 1))
    source_event = pipeline.source.mapper.to_domain_event(
        pipeline.source.recorder.select_notifications(1, 1)[0]
    )

    client = await nats.connect(servers=[pipeline.nats_url])
    message = await client.jetstream().get_msg("BROKER", seq=1)
    await client.close()
    assert message.data is not None
    published = broker_decoder.decode(message.data)
    receipt_event = pipeline.sink.mapper.to_domain_event(
        pipeline.sink.recorder.select_notifications(1, 1)[0]
    )
    sink_flow = vars(receipt_event)[FLOW_KEY]

    assert isinstance(published, TaskCarvedOut)
    assert published.task_id == shift_id
    assert published.event_id == event_id_of(source_event)
    assert published.tenant == TENANT
    assert message.headers is not None
    assert message.headers["Nats-Msg-Id"] == "broker:1"
    assert message.headers["traceparent"] == traceparent(
        published.correlation_id, published.event_id
    )
    assert sink_flow["tenant"] == TENANT
    assert UUID(sink_flow["correlation_id"]) == published.correlation_id
    assert UUID(sink_flow["causation_id"]) == published.event_id


async def test_undecodable_message_is_dead_lettered_and_the_rest_go_on(
    pipeline: Pipeline,
) -> None:
    before = produce(pipeline.source, 5)
    await eventually(count_reaches(pipeline.sink, 5))
    client = await nats.connect(servers=[pipeline.nats_url])
    js = client.jetstream()
    await js.publish(
        f"broker.task_carved_out.v1.{TENANT}",
        b'{"type": "broker.task_carved_out.v1", "task_id": "not-a-uuid"}',
        headers={"X-Origin": "hand-written"},
    )
    after = produce(pipeline.source, 5, first=6)

    await eventually(count_reaches(pipeline.sink, 10))
    dead = await js.get_msg(DEAD_LETTER_STREAM, seq=1)
    await client.close()

    assert receipts(pipeline.sink) == before + after
    assert dead.subject == "deadletter.payout-from-broker"
    assert dead.headers is not None
    assert "undecodable broker.task_carved_out.v1" in dead.headers["Conbini-Dead-Reason"]
    assert dead.headers["Conbini-Dead-Sequence"] == "6"
    assert dead.headers["X-Origin"] == "hand-written"
    assert pipeline.inboxes[0].status.dead_lettered == 1


async def test_a_policy_that_keeps_failing_is_dead_lettered_after_its_attempts(
    pipeline: Pipeline,
) -> None:
    produce(pipeline.source, 3)
    pipeline.source.save(Shift(number=4, title=EXPLODE))
    produce(pipeline.source, 3, first=5)

    await eventually(count_reaches(pipeline.sink, 6), within=30)
    await eventually(lambda: pipeline.inboxes[0].status.dead_lettered == 1)

    dead = await dead_letters(pipeline.nats_url)
    assert len(dead) == 1
    assert "policy failed 2x: ValueError" in dead[0]
    assert len(receipts(pipeline.sink)) == 6


async def dead_letters(url: str) -> list[str]:
    client = await nats.connect(servers=[url])
    js = client.jetstream()
    info = await js.stream_info(DEAD_LETTER_STREAM)
    reasons = []
    for seq in range(1, info.state.last_seq + 1):
        message = await js.get_msg(DEAD_LETTER_STREAM, seq=seq)
        assert message.headers is not None
        reasons.append(message.headers["Conbini-Dead-Reason"])
    await client.close()
    return reasons
