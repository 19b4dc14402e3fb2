"""Per-service NATS users on a real nats-server: each does its own work and nothing else.

The server runs with the `authorization` block `backbone.nats_users` renders (the one
`conbini up` writes); the relay and inbox are the real ones, connected as `broker` and
`payout` through the same settings the services use.
"""

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from backbone.inbox import Inbox, InboxSettings
from backbone.nats_server import NatsServer, NatsServerConfig, free_port
from backbone.nats_users import OPERATOR, NatsLogin, ensure_passwords, render_users
from backbone.observability import jetstream_lags
from backbone.relay import Relay, RelaySettings
from backbone.runtime import BackboneSettings, connect_once, login_options, run_inboxes, run_relay
from backbone.stores import StoreSettings
from backbone.streams import StreamPolicy, provision_streams
from bench.pipeline import (
    EXPLODE,
    SINK,
    SOURCE,
    TENANT,
    Shift,
    open_sink,
    open_source,
    produce,
    receipts,
    translate,
)
from contracts.subjects import DEAD_LETTER_STREAM, dead_letter_subject
from payout.domain.periods import Period
from payout.upstream import completed_tasks
from tests.support.waiting import eventually

REFUSED_WITHIN_S = 1.0
"""How long a refused request waits for the answer that never comes (the server drops it)."""


@dataclass
class SecuredNats:
    server: NatsServer
    passwords: dict[str, str]

    def login(self, user: str) -> NatsLogin:
        return NatsLogin(user=user, password=self.passwords[user])


@dataclass
class Session:
    """One connection as one user, and every error the server sent it."""

    nc: Client
    errors: list[str] = field(default_factory=list)

    def refused(self, verb: str, subject: str) -> bool:
        return any(
            f"permissions violation for {verb} to" in e and subject.lower() in e
            for e in self.errors
        )


Opener = Callable[[str], Awaitable[Session]]


@pytest.fixture
def secured() -> Iterator[SecuredNats]:
    store = Path(tempfile.mkdtemp(prefix="nats-auth-"))
    passwords = ensure_passwords(store / "users")
    server = NatsServer(
        NatsServerConfig(
            store_dir=store / "js",
            port=free_port(),
            monitor_port=free_port(),
            authorization=render_users(passwords),
        )
    )
    server.start()
    try:
        yield SecuredNats(server, passwords)
    finally:
        server.stop()
        shutil.rmtree(store, ignore_errors=True)


@pytest.fixture
async def session(secured: SecuredNats) -> AsyncIterator[Opener]:
    opened: list[Session] = []

    async def open_as(user: str) -> Session:
        errors: list[str] = []

        async def on_error(error: Exception) -> None:
            errors.append(str(error).lower())

        nc = await nats.connect(
            servers=[secured.server.url],
            error_cb=on_error,
            max_reconnect_attempts=1,
            **login_options(secured.login(user)),
        )
        opened.append(Session(nc, errors))
        return opened[-1]

    yield open_as
    for each in opened:
        await each.nc.close()


@pytest.fixture
async def provisioned(session: Opener) -> None:
    operator = await session(OPERATOR)
    await provision_streams(operator.nc.jetstream(), StreamPolicy())


def settings_as(secured: SecuredNats, user: str) -> BackboneSettings:
    return BackboneSettings(
        nats_urls=[secured.server.url],
        store=StoreSettings(kind="memory"),
        relay=RelaySettings(batch_size=10, default_tenant=TENANT),
        inbox=InboxSettings(batch_size=10, max_handler_attempts=1, max_backoff_s=0.2),
        nats_login=secured.login(user),
    )


async def messages_in(session: Session, stream: str) -> int:
    return int((await session.nc.jetstream().stream_info(stream)).state.messages)


@pytest.mark.usefixtures("provisioned")
async def test_services_relay_consume_and_dead_letter_as_their_own_users_when_the_operator_provisioned(  # noqa: E501
    secured: SecuredNats,
    session: Opener,
) -> None:
    source, sink = (
        open_source(StoreSettings(kind="memory")),
        open_sink(StoreSettings(kind="memory")),
    )
    relays: list[Relay] = []
    inboxes: list[Inbox] = []
    stop = asyncio.Event()
    roles = [
        run_relay(
            SOURCE, source, translate, settings_as(secured, SOURCE), stop, on_start=relays.append
        ),
        run_inboxes(SINK, sink, settings_as(secured, SINK), stop, on_start=inboxes.extend),
    ]
    tasks = [asyncio.create_task(role) for role in roles]
    try:
        carved = produce(source, 12)
        source.save(Shift(number=13, title=EXPLODE))  # its receipt policy always fails
        await eventually(lambda: len(receipts(sink)) == 12, within=30)
        await eventually(lambda: bool(inboxes) and inboxes[0].status.dead_lettered == 1, within=30)

        operator = await session(OPERATOR)
        assert receipts(sink) == carved
        assert relays[0].status.position == 13, "every PubAck came back to the broker's relay"
        assert await messages_in(operator, "BROKER") == 13
        assert await messages_in(operator, DEAD_LETTER_STREAM) == 1
        pending, dead = await jetstream_lags(
            [secured.server.url], SINK, [SOURCE], secured.login(SINK)
        )
        assert pending == {"payout-from-broker": 0}
        assert dead == {"payout-from-broker": 1}
        period = Period.parse("2026-10")
        checked = await completed_tasks(
            [secured.server.url], TENANT, period, timeout_s=5, login=secured.login(SINK)
        )
        assert checked == set(), "payout reads the BROKER stream (no WorkCompleted in it)"
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        source.close()
        sink.close()


async def test_a_service_waits_for_its_streams_when_nobody_provisioned_them(
    secured: SecuredNats, session: Opener
) -> None:
    source = open_source(StoreSettings(kind="memory"))
    relays: list[Relay] = []
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_relay(
            SOURCE, source, translate, settings_as(secured, SOURCE), stop, on_start=relays.append
        )
    )
    try:
        produce(source, 3)
        await asyncio.sleep(1.5)
        assert relays == [], "no stream yet: the relay waits instead of creating one"
        operator = await session(OPERATOR)

        await provision_streams(operator.nc.jetstream(), StreamPolicy())

        await eventually(lambda: bool(relays) and relays[0].status.position == 3, within=20)
        assert await messages_in(operator, "BROKER") == 3
    finally:
        stop.set()
        await task
        source.close()


@pytest.mark.usefixtures("provisioned")
async def test_broker_cannot_publish_payouts_events_nor_a_dead_letter_of_another_consumer(
    session: Opener,
) -> None:
    broker = await session("broker")
    js = broker.nc.jetstream(timeout=REFUSED_WITHIN_S)

    ack = await js.publish("broker.task_offered.v1.mine", b"{}", headers={"Nats-Msg-Id": "b:1"})
    with pytest.raises(nats.errors.TimeoutError):
        await js.publish("payout.reward_paid.v1.mine", b"{}", headers={"Nats-Msg-Id": "p:1"})
    with pytest.raises(nats.errors.TimeoutError):
        await js.publish(dead_letter_subject("payout", "broker"), b"{}")

    operator = await session(OPERATOR)
    assert ack.stream == "BROKER"
    assert broker.refused("publish", '"payout.reward_paid.v1.mine"')
    assert broker.refused("publish", '"deadletter.payout-from-broker"')
    assert await messages_in(operator, "PAYOUT") == 0
    assert await messages_in(operator, DEAD_LETTER_STREAM) == 0


@pytest.mark.usefixtures("provisioned")
async def test_notify_cannot_create_or_pull_from_payouts_consumer(session: Opener) -> None:
    payout = await session("payout")
    await payout.nc.jetstream().add_consumer(
        "BROKER", ConsumerConfig(durable_name="payout-from-broker", ack_policy=AckPolicy.ALL)
    )
    broker = await session("broker")
    await broker.nc.jetstream().publish("broker.work_completed.v1.mine", b"{}")
    notify = await session("notify")
    js = notify.nc.jetstream(timeout=REFUSED_WITHIN_S)

    with pytest.raises(nats.errors.TimeoutError):
        await js.add_consumer("BROKER", ConsumerConfig(durable_name="payout-from-broker"))
    with pytest.raises(nats.errors.TimeoutError):
        await js.add_consumer("BROKER", ConsumerConfig(durable_name="notify-spy"))
    with pytest.raises(nats.errors.TimeoutError):
        await js.consumer_info("BROKER", "payout-from-broker")
    stolen = await js.pull_subscribe_bind(durable="payout-from-broker", stream="BROKER")
    with pytest.raises(nats.errors.TimeoutError):
        await stolen.fetch(1, timeout=REFUSED_WITHIN_S)

    info = await payout.nc.jetstream().consumer_info("BROKER", "payout-from-broker")
    assert info.num_pending == 1, "notify took nothing from payout's durable"
    assert info.delivered.stream_seq == 0
    assert notify.refused("publish", "$JS.API.CONSUMER.MSG.NEXT.BROKER.payout-from-broker")


@pytest.mark.usefixtures("provisioned")
async def test_services_may_not_declare_streams_nor_snoop_and_the_operator_may_not_delete(
    session: Opener,
) -> None:
    broker = await session("broker")
    js = broker.nc.jetstream(timeout=REFUSED_WITHIN_S)
    operator = await session(OPERATOR)

    with pytest.raises(nats.errors.TimeoutError):
        await js.add_stream(StreamConfig(name="SPY", subjects=["spy.>"]))
    await broker.nc.subscribe("payout.>")
    await broker.nc.subscribe("_INBOX.payout.>")
    await broker.nc.flush()
    with pytest.raises(nats.errors.TimeoutError):
        await operator.nc.jetstream(timeout=REFUSED_WITHIN_S).delete_stream("BROKER")
    with pytest.raises(nats.errors.TimeoutError):
        await operator.nc.jetstream(timeout=REFUSED_WITHIN_S).publish(
            "broker.task_offered.v1.x", b""
        )
    await eventually(lambda: broker.refused("subscription", '"_INBOX.payout.>"'), within=5)

    assert broker.refused("publish", "$JS.API.STREAM.CREATE.SPY")
    assert broker.refused("subscription", '"payout.>"')
    assert operator.refused("publish", "$JS.API.STREAM.DELETE.BROKER")
    assert await messages_in(operator, "BROKER") == 0
    assert "BROKER" in [info.config.name for info in await operator.nc.jetstream().streams_info()]


async def test_anonymous_and_wrong_passwords_are_turned_away(secured: SecuredNats) -> None:
    url = [secured.server.url]

    anonymous = await connect_once(url, timeout_s=2)
    wrong = await connect_once(url, timeout_s=2, login=NatsLogin(user="broker", password="guess"))
    right = await connect_once(url, timeout_s=2, login=secured.login("broker"))

    assert anonymous is None
    assert wrong is None
    assert right is not None
    await right.close()
