"""Fault tests: real relay and inbox processes, SIGKILLed, with NATS and PostgreSQL failing.

Each test asserts the one property that matters for money: every stored source event
produced exactly one effect downstream, in the order it was stored.
"""

import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from backbone.nats_server import NatsServer
from backbone.stores import StoreSettings
from bench.pipeline import TENANT, open_sink, open_source, produce, receipts
from contracts.subjects import DEAD_LETTER_STREAM
from tests.support.postgres import PrivatePostgres, start_private_postgres
from tests.support.processes import RunningCommand
from tests.support.waiting import eventually

ROOT = Path(__file__).parents[3]
SIGKILLED = -signal.SIGKILL


class Roles:
    """Starts echo-pipeline processes against one store and one nats-server."""

    def __init__(self, store: StoreSettings, nats_url: str) -> None:
        self.store = store
        self.nats_url = nats_url
        self.started: list[RunningCommand] = []

    def start(
        self, role: str, *, batch: int = 50, ack_wait: float = 10.0, crash_at: str = ""
    ) -> RunningCommand:
        argv = [sys.executable, "-m", "bench.pipeline_process", role]
        argv += ["--store", self.store.kind, "--nats", self.nats_url]
        argv += ["--batch", str(batch), "--ack-wait", str(ack_wait)]
        if self.store.postgres_dsn:
            argv += ["--dsn", self.store.postgres_dsn, "--prefix", self.store.schema_prefix]
        env = {"CONBINI_CRASH_AT": crash_at} if crash_at else {"CONBINI_CRASH_AT": ""}
        command = RunningCommand(argv, env=env, cwd=ROOT)
        self.started.append(command)
        return command

    def stop_all(self) -> None:
        for command in self.started:
            if command.process.poll() is None:
                command.process.send_signal(signal.SIGTERM)
        for command in self.started:
            try:
                command.exit_code(timeout=15)
            except Exception:  # noqa: BLE001 - a hung process is killed below
                command.kill()


@pytest.fixture
def roles(postgres_store: StoreSettings, fresh_nats: NatsServer) -> Iterator[Roles]:
    running = Roles(postgres_store, fresh_nats.url)
    yield running
    running.stop_all()


async def stream_messages(url: str, stream: str = "BROKER") -> int:
    client = await nats.connect(servers=[url])
    try:
        return int((await client.jetstream().stream_info(stream)).state.messages)
    except NotFoundError:  # the relay has not declared it yet
        return 0
    finally:
        await client.close()


async def test_a_relay_killed_after_puback_before_its_position_duplicates_nothing(
    roles: Roles,
) -> None:
    source, sink = open_source(roles.store), open_sink(roles.store)
    ids = produce(source, 200)

    crashed = roles.start("relay", batch=50, crash_at="relay.after_puback:2")
    assert crashed.exit_code(timeout=60) == SIGKILLED
    assert source.recorder.max_tracking_id("broker-relay") == 50
    assert await stream_messages(roles.nats_url) == 100

    roles.start("relay", batch=50)
    roles.start("inbox", batch=50)
    await eventually(lambda: len(receipts(sink)) >= 200, within=60)

    assert receipts(sink) == ids
    assert await stream_messages(roles.nats_url) == 200


async def test_a_consumer_killed_after_commit_before_ack_has_no_second_effect(
    roles: Roles,
) -> None:
    source, sink = open_source(roles.store), open_sink(roles.store)
    ids = produce(source, 200)
    roles.start("relay", batch=50)

    async def all_published() -> bool:
        return await stream_messages(roles.nats_url) == 200

    await eventually(all_published, within=60)
    crashed = roles.start("inbox", batch=50, ack_wait=2, crash_at="inbox.after_commit:2")
    assert crashed.exit_code(timeout=60) == SIGKILLED
    assert len(receipts(sink)) == 100

    restarted = roles.start("inbox", batch=50, ack_wait=2)
    await eventually(
        lambda: len(receipts(sink)) >= 200,
        within=60,
        what=lambda: "all receipts; inbox said:\n" + "\n".join(restarted.lines),
    )

    assert receipts(sink) == ids
    assert sink.recorder.max_tracking_id("payout-from-broker") == 200


async def test_nothing_is_lost_when_nats_is_killed_and_restarted_mid_stream(
    roles: Roles, fresh_nats: NatsServer
) -> None:
    source, sink = open_source(roles.store), open_sink(roles.store)
    ids = produce(source, 600)
    roles.start("relay", batch=20)
    roles.start("inbox", batch=20, ack_wait=3)
    await eventually(lambda: len(receipts(sink)) >= 60, within=60)

    fresh_nats.kill()
    ids += produce(source, 400, first=601)  # stored while the bus is down
    fresh_nats.start()

    await eventually(lambda: len(receipts(sink)) >= 1000, within=90)
    assert receipts(sink) == ids
    assert await stream_messages(roles.nats_url) == 1000


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = start_private_postgres()
    yield server
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


async def test_nothing_is_lost_when_postgres_restarts_mid_stream(
    private_postgres: PrivatePostgres, fresh_nats: NatsServer
) -> None:
    store = StoreSettings(kind="postgres", postgres_dsn=private_postgres.dsn, schema_prefix="f_")
    roles = Roles(store, fresh_nats.url)
    try:
        source, sink = open_source(store), open_sink(store)
        ids = produce(source, 600)
        roles.start("relay", batch=20)
        roles.start("inbox", batch=20)
        await eventually(lambda: len(receipts(sink)) >= 60, within=60)

        private_postgres.restart()
        ids += produce(source, 400, first=601)

        await eventually(lambda: len(receipts(sink)) >= 1000, within=90)
        assert receipts(sink) == ids
        assert await stream_messages(fresh_nats.url) == 1000
        source.close()
        sink.close()
    finally:
        roles.stop_all()


async def test_only_one_relay_publishes_when_two_start_at_once(roles: Roles) -> None:
    source, sink = open_source(roles.store), open_sink(roles.store)
    ids = produce(source, 300)

    first = roles.start("relay", batch=20)
    second = roles.start("relay", batch=20)
    await eventually(lambda: source.recorder.max_tracking_id("broker-relay") == 300, within=60)
    active = [
        relay
        for relay in (first, second)
        if any("is the active relay" in line for line in relay.lines)
    ]
    assert len(active) == 1

    active[0].kill()
    ids += produce(source, 100, first=301)
    standby_lines = (second if active[0] is first else first).lines
    await eventually(
        lambda: source.recorder.max_tracking_id("broker-relay") == 400,
        within=30,
        what="the standby relay to take over: " + "\n".join(standby_lines),
    )
    standby = second if active[0] is first else first
    assert any("is the active relay" in line for line in standby.lines)

    roles.start("inbox", batch=50)
    await eventually(lambda: len(receipts(sink)) >= 400, within=60)
    assert receipts(sink) == ids
    assert await stream_messages(roles.nats_url) == 400


async def test_a_poison_message_mid_stream_is_dead_lettered_with_its_reason(
    roles: Roles,
) -> None:
    source, sink = open_source(roles.store), open_sink(roles.store)
    ids = produce(source, 100)
    roles.start("relay", batch=50)
    roles.start("inbox", batch=50)
    await eventually(lambda: len(receipts(sink)) >= 100, within=60)

    client = await nats.connect(servers=[roles.nats_url])
    js = client.jetstream()
    poison = await js.publish(f"broker.task_carved_out.v1.{TENANT}", b"\x00garbage{")
    ids += produce(source, 100, first=101)
    await eventually(lambda: len(receipts(sink)) >= 200, within=60)
    dead = await js.get_msg(DEAD_LETTER_STREAM, seq=1)
    dead_count = (await js.stream_info(DEAD_LETTER_STREAM)).state.messages
    await client.close()

    assert receipts(sink) == ids
    assert dead_count == 1
    assert dead.data == b"\x00garbage{"
    assert dead.headers is not None
    assert dead.headers["Conbini-Dead-Sequence"] == str(poison.seq)
    assert dead.headers["Conbini-Dead-Reason"].startswith("undecodable broker.task_carved_out.v1")


async def test_only_one_inbox_consumes_when_two_start_at_once(roles: Roles) -> None:
    source, sink = open_source(roles.store), open_sink(roles.store)
    ids = produce(source, 400)
    roles.start("relay", batch=20)

    first = roles.start("inbox", batch=20)
    second = roles.start("inbox", batch=20)
    await eventually(lambda: len(receipts(sink)) >= 400, within=60)

    active = [
        inbox
        for inbox in (first, second)
        if any("is the active consumer" in line for line in inbox.lines)
    ]
    assert len(active) == 1
    assert receipts(sink) == ids
