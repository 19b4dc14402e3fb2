"""Streams are provisioned idempotently on a real nats-server, and survive its crash."""

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import timedelta

import nats
import pytest
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import StorageType, StreamConfig

from backbone.nats_server import NatsServer
from backbone.streams import (
    StreamConflictError,
    StreamPolicy,
    ensure_stream,
    event_stream_config,
    provision_streams,
)
from contracts.subjects import DEAD_LETTER_STREAM
from tests.support.waiting import eventually


@pytest.fixture
async def nc(nats_server: NatsServer) -> AsyncIterator[Client]:
    client = await nats_connect(nats_server.url)
    yield client
    await client.close()


async def nats_connect(url: str) -> Client:
    return await nats.connect(servers=[url], max_reconnect_attempts=-1, reconnect_time_wait=0.2)


async def test_every_producer_and_the_dead_letters_get_a_stream_when_provisioned(
    nc: Client,
) -> None:
    infos = await provision_streams(nc.jetstream(), StreamPolicy())

    names = [info.config.name for info in infos]
    assert names == ["BROKER", "NOTIFY", "PAYOUT", DEAD_LETTER_STREAM]
    broker = infos[0].config
    assert broker.subjects == ["broker.>"]
    assert broker.storage == StorageType.FILE
    assert broker.deny_delete
    assert broker.deny_purge
    assert broker.duplicate_window == timedelta(hours=1).total_seconds()


async def test_messages_are_kept_when_streams_are_provisioned_again(nc: Client) -> None:
    js = nc.jetstream()
    await provision_streams(js, StreamPolicy())
    ack = await js.publish("broker.task_offered.v1.mine", b"{}", headers={"Nats-Msg-Id": "b:1"})

    again = await provision_streams(js, StreamPolicy())

    assert again[0].state.last_seq == ack.seq
    assert again[0].state.messages >= 1


async def test_a_republished_msg_id_is_dropped_when_inside_the_duplicate_window(
    nc: Client,
) -> None:
    js = nc.jetstream()
    await provision_streams(js, StreamPolicy())
    first = await js.publish("broker.x.v1.mine", b"1", headers={"Nats-Msg-Id": "broker:dup-1"})

    second = await js.publish("broker.x.v1.mine", b"1", headers={"Nats-Msg-Id": "broker:dup-1"})

    assert second.duplicate
    assert second.seq == first.seq


async def test_changed_settings_are_applied_when_they_can_change_in_place(nc: Client) -> None:
    js = nc.jetstream()
    await provision_streams(js, StreamPolicy())

    infos = await provision_streams(js, StreamPolicy(duplicate_window=timedelta(hours=2)))

    assert infos[0].config.duplicate_window == timedelta(hours=2).total_seconds()
    await provision_streams(js, StreamPolicy())


async def test_provisioning_refuses_when_an_existing_stream_has_other_storage(
    nc: Client,
) -> None:
    js = nc.jetstream()
    odd = StreamConfig(name="ODDONE", subjects=["oddone.>"], storage=StorageType.MEMORY)
    await js.add_stream(odd)
    wanted = event_stream_config("oddone", StreamPolicy())

    with pytest.raises(StreamConflictError, match="storage"):
        await ensure_stream(js, wanted)


async def test_streams_and_messages_survive_when_the_server_is_killed_and_restarted(
    nats_server: NatsServer, nc: Client
) -> None:
    js = nc.jetstream()
    await provision_streams(js, StreamPolicy())
    ack = await js.publish("payout.reward_paid.v1.mine", b"{}", headers={"Nats-Msg-Id": "p:kill"})
    pid = nats_server.pid

    nats_server.kill()
    nats_server.start()

    assert nats_server.pid != pid
    quick = nc.jetstream(timeout=0.5)

    async def kept_the_message() -> bool:
        try:
            info = await quick.stream_info("PAYOUT")
        except NatsTimeoutError:  # the client has not noticed the restart yet
            return False
        return info.state.last_seq >= ack.seq

    await eventually(kept_the_message, within=15, what="PAYOUT to answer after the restart")


@pytest.mark.skipif("TEST_NATS_URL" not in os.environ, reason="no external NATS named")
async def test_streams_are_provisioned_when_the_operator_names_an_external_nats() -> None:
    client = await nats_connect(os.environ["TEST_NATS_URL"])
    try:
        infos = await provision_streams(client.jetstream(), StreamPolicy())
        assert [info.config.name for info in infos][:3] == ["BROKER", "NOTIFY", "PAYOUT"]
    finally:
        await client.close()


async def test_concurrent_provisioning_succeeds_when_two_processes_start_together(
    nc: Client,
) -> None:
    js = nc.jetstream()

    results = await asyncio.gather(*(provision_streams(js, StreamPolicy()) for _ in range(4)))

    assert {tuple(info.config.name for info in infos) for infos in results} == {
        ("BROKER", "NOTIFY", "PAYOUT", DEAD_LETTER_STREAM)
    }
