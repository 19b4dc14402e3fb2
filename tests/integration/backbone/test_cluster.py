"""Multi-node failover: a three-node JetStream cluster loses the stream leader's node and
the active inbox under load, and the pipeline neither loses nor duplicates anything.

Real processes throughout: three nats-servers from the wheel, one relay and two inboxes of
the probe pipeline (the inbox lease makes one active, the other a hot standby), all given
the three client URLs. Before the load starts, the source stream's leader and the inbox
consumer's leader are moved onto the node the relay is connected to, so that one SIGKILL
takes down the stream leader, the consumer leader and the relay's connection at once.
"""

import asyncio
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import nats
import pytest

from backbone.stores import StoreSettings
from backbone.streams import StreamPolicy, provision_streams
from bench.pipeline import (
    SINK,
    SOURCE,
    Sink,
    Source,
    open_sink,
    open_source,
    produce,
    receipts,
    source_order,
)
from contracts.subjects import durable_name, stream_name
from tests.support.nats_cluster import NatsCluster, nats_cluster
from tests.support.processes import RunningCommand
from tests.support.waiting import eventually

ROOT = Path(__file__).parents[3]
STREAM = stream_name(SOURCE)
DURABLE = durable_name(SINK, SOURCE)
RELAY_CLIENT = f"{SOURCE}-relay"
RELAY_TRACKING = f"{SOURCE}-relay"
BATCHES, PER_BATCH, PAUSE_S = 12, 250, 0.4
TOTAL = BATCHES * PER_BATCH


class Roles:
    """Probe-pipeline processes on one store, each given every node of the cluster."""

    def __init__(self, store: StoreSettings, nats_urls: str) -> None:
        self.store = store
        self.nats_urls = nats_urls
        self.started: list[tuple[str, RunningCommand]] = []

    def start(self, role: str, *, batch: int = 50, ack_wait: float = 3.0) -> RunningCommand:
        # `python -m bench.pipeline_process`, with --nats split on commas (see nats_cluster)
        argv = [sys.executable, "-m", "tests.support.nats_cluster", role]
        argv += ["--store", "postgres", "--nats", self.nats_urls]
        argv += ["--dsn", str(self.store.postgres_dsn), "--prefix", self.store.schema_prefix]
        argv += ["--batch", str(batch), "--ack-wait", str(ack_wait)]
        command = RunningCommand(argv, env={"CONBINI_CRASH_AT": ""}, cwd=ROOT)
        self.started.append((role, command))
        return command

    def stop_all(self) -> None:
        for _, command in self.started:
            if command.process.poll() is None:
                command.process.send_signal(signal.SIGTERM)
        for _, command in self.started:
            try:
                command.exit_code(timeout=15)
            except Exception:  # noqa: BLE001 - a hung process is killed below
                command.kill()

    def output(self) -> str:
        return "\n\n".join(
            f"--- {role} (pid {command.process.pid}):\n" + "\n".join(command.lines[-60:])
            for role, command in self.started
        )


@pytest.fixture
def cluster() -> Iterator[NatsCluster]:
    with nats_cluster() as running:
        yield running


@pytest.fixture
def roles(postgres_store: StoreSettings, cluster: NatsCluster) -> Iterator[Roles]:
    running = Roles(postgres_store, cluster.url_list)
    yield running
    running.stop_all()


@pytest.fixture
def apps(postgres_store: StoreSettings) -> Iterator[tuple[Source, Sink]]:
    source, sink = open_source(postgres_store), open_sink(postgres_store)
    yield source, sink
    source.close()
    sink.close()


async def produce_in_batches(source: Source) -> list[UUID]:
    """Store TOTAL shifts in BATCHES over several seconds: the load running during the kills."""
    ids: list[UUID] = []
    for batch in range(BATCHES):
        ids += await asyncio.to_thread(produce, source, PER_BATCH, first=1 + batch * PER_BATCH)
        await asyncio.sleep(PAUSE_S)
    return ids


async def put_leaders_beside_the_relay(cluster: NatsCluster, roles: Roles) -> None:
    """Move the stream's and the inbox consumer's leaders to the relay's node."""

    async def consumer_exists() -> bool:
        try:
            await cluster.consumer_info(STREAM, DURABLE)
        except nats.errors.Error:
            return False
        return True

    await eventually(consumer_exists, within=30, what=roles.output)
    relay_node = await cluster.wait_for_client(RELAY_CLIENT)
    await cluster.move_leader(relay_node, STREAM)
    await cluster.move_leader(relay_node, STREAM, DURABLE)


async def every_node_holds_the_whole_stream(cluster: NatsCluster) -> None:
    """Wait until every replica is current and every node's copy has TOTAL messages."""

    async def replicas_current() -> bool:
        info = await cluster.stream_info(STREAM)
        peers = (info.cluster.replicas or []) if info.cluster else []
        return len(peers) == 2 and all(p.current and not p.offline and not p.lag for p in peers)

    def local_counts() -> dict[str, int | None]:
        return {cluster.name_of(n): cluster.local_stream_messages(n, STREAM) for n in cluster.nodes}

    await eventually(replicas_current, within=30, what="every replica of the stream current")
    await eventually(
        lambda: set(local_counts().values()) == {TOTAL},
        within=30,
        what=lambda: f"every node to hold the whole stream: {local_counts()}",
    )


def is_active(command: RunningCommand) -> bool:
    return any("is the active consumer" in line for line in command.lines)


async def test_nothing_is_lost_or_duplicated_when_the_stream_leader_and_active_inbox_die(
    cluster: NatsCluster, roles: Roles, apps: tuple[Source, Sink]
) -> None:
    source, sink = apps
    client = await nats.connect(servers=cluster.urls)
    await provision_streams(client.jetstream(), StreamPolicy(replicas=3))
    await client.close()

    def inbox_position() -> int:
        return sink.recorder.max_tracking_id(DURABLE) or 0

    relay = roles.start("relay")
    inboxes = [roles.start("inbox"), roles.start("inbox")]
    await eventually(lambda: any(map(is_active, inboxes)), within=30, what=roles.output)

    await put_leaders_beside_the_relay(cluster, roles)

    load = asyncio.create_task(produce_in_batches(source))
    await eventually(lambda: inbox_position() >= 400, within=45, what=roles.output)
    leader = await cluster.stream_leader(STREAM)
    consumer = await cluster.consumer_info(STREAM, DURABLE)
    assert consumer.cluster is not None
    assert consumer.cluster.leader == cluster.name_of(leader)
    assert RELAY_CLIENT in cluster.client_names(leader)
    active = [inbox for inbox in inboxes if is_active(inbox)]
    assert len(active) == 1, roles.output()
    standby = next(inbox for inbox in inboxes if inbox is not active[0])

    cluster.kill(leader)
    active[0].kill()
    stored_at_kill = len(source_order(source))
    published_at_kill = source.recorder.max_tracking_id(RELAY_TRACKING) or 0
    processed_at_kill = inbox_position()
    assert not load.done(), "the load finished before the kills: nothing was mid-run"

    await eventually(
        lambda: inbox_position() > processed_at_kill,
        within=30,
        what=lambda: "progress after the kills\n" + roles.output(),
    )
    ids = await load
    await eventually(lambda: inbox_position() >= TOTAL, within=60, what=roles.output)

    assert receipts(sink) == source_order(source) == ids  # nothing lost, nothing duplicated
    assert len(ids) == TOTAL
    assert stored_at_kill < TOTAL  # the load ran on through the kills ...
    assert published_at_kill < TOTAL  # ... and the relay published again after them
    assert is_active(standby), roles.output()  # the standby inbox took over
    assert relay.process.poll() is None, roles.output()
    assert standby.process.poll() is None, roles.output()

    info = await cluster.stream_info(STREAM)
    assert info.state.messages == info.state.last_seq == TOTAL  # retries were deduplicated
    assert info.cluster is not None
    assert info.cluster.leader not in (None, cluster.name_of(leader))

    cluster.restart(leader)
    await every_node_holds_the_whole_stream(cluster)
