"""A three-node nats-server JetStream cluster on loopback ports, for failover tests.

Each node is the wheel's nats-server run by the product's `NatsServer` (so it is started,
SIGKILLed and restarted by its own PID, exactly like the single private server), with a
`cluster {}` block added to its configuration. Every node gets its own client, route and
monitoring port and its own JetStream store, fsynced before every PubAck.

Run as a module, it is `python -m bench.pipeline_process` with `--nats` taking several
comma-separated URLs (the probe pipeline itself passes `--nats` to nats-py as one URL).
"""

import asyncio
import json
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client
from nats.js.api import ConsumerInfo, StreamInfo

from backbone.nats_server import (
    NatsServer,
    NatsServerConfig,
    NatsServerError,
    free_port,
    port_is_open,
)
from backbone.runtime import BackboneSettings

CLUSTER_NAME = "conbini-test"


@dataclass(kw_only=True)
class ClusterNodeConfig(NatsServerConfig):
    """One node's configuration: the single server's, plus its routes to the others."""

    cluster_name: str = CLUSTER_NAME
    cluster_port: int
    route_ports: tuple[int, ...]

    def render(self) -> str:
        """Return the server's configuration file text, with a `cluster` block."""
        routes = ", ".join(json.dumps(f"nats-route://{self.host}:{p}") for p in self.route_ports)
        return super().render() + (
            "cluster {\n"
            f"  name: {json.dumps(self.cluster_name)}\n"
            f"  listen: {json.dumps(f'{self.host}:{self.cluster_port}')}\n"
            f"  routes: [{routes}]\n"
            "}\n"
        )


def get_json(url: str, *, timeout: float = 1.0) -> dict[str, Any]:
    """Return a monitoring endpoint's JSON document."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback http
        data: dict[str, Any] = json.load(response)
        return data


class NatsCluster:
    """Three (or more) nats-server processes forming one JetStream cluster."""

    def __init__(self, base_dir: Path, size: int = 3) -> None:
        self.base_dir = base_dir
        ports = [(free_port(), free_port(), free_port()) for _ in range(size)]
        routes = tuple(cluster for _, cluster, _ in ports)
        self.nodes = [
            NatsServer(
                ClusterNodeConfig(
                    store_dir=base_dir / f"n{index}",
                    server_name=f"n{index}",
                    port=client,
                    monitor_port=monitor,
                    sync_interval="always",
                    cluster_port=cluster,
                    route_ports=routes,
                )
            )
            for index, (client, cluster, monitor) in enumerate(ports, start=1)
        ]

    @property
    def urls(self) -> list[str]:
        """Every node's client URL; join with commas for `CONBINI_NATS_URL`."""
        return [node.url for node in self.nodes]

    @property
    def url_list(self) -> str:
        """The client URLs joined by commas."""
        return ",".join(self.urls)

    def name_of(self, node: NatsServer) -> str:
        """The node's `server_name`."""
        return node.config.server_name

    def node_named(self, server_name: str) -> NatsServer:
        """The node whose `server_name` is given.

        Raises:
            KeyError: no node has that name.
        """
        for node in self.nodes:
            if node.config.server_name == server_name:
                return node
        raise KeyError(server_name)

    def running(self) -> list[NatsServer]:
        """The nodes whose process is alive."""
        return [node for node in self.nodes if node.running()]

    def start(self, *, timeout: float = 30.0) -> None:
        """Start every node at once, then wait until all of them agree on a meta leader.

        Raises:
            NatsServerError: a port is taken, a node exited, or no meta leader in time.
        """
        for node in self.nodes:
            config = node.config
            assert isinstance(config, ClusterNodeConfig)
            for port in (config.port, config.cluster_port, config.monitor_port):
                if port_is_open(config.host, port):
                    msg = f"{config.host}:{port} is already in use"
                    raise NatsServerError(msg)
        for node in self.nodes:
            node.start(timeout=timeout)  # healthy = JetStream enabled, before any quorum
        self.wait_meta_leader(timeout=timeout)

    def kill(self, node: NatsServer) -> None:
        """SIGKILL one node's process by its PID, as a crashed machine would, and reap it."""
        node.kill()

    def restart(self, node: NatsServer, *, timeout: float = 30.0) -> None:
        """Start a stopped or killed node again on its ports and store; wait for the meta leader."""
        if node.running():
            node.stop()
        node.start(timeout=timeout)
        self.wait_meta_leader(timeout=timeout)

    def stop(self) -> None:
        """Stop every node this cluster started (SIGTERM, then SIGKILL, by PID)."""
        for node in self.nodes:
            node.stop(timeout=10)

    def meta_leader(self, node: NatsServer) -> str | None:
        """The meta leader this node sees, if it sees one (from `/jsz`)."""
        try:
            jsz = get_json(f"{node.monitor_url}/jsz")
        except (urllib.error.URLError, OSError, ValueError):
            return None
        meta = jsz.get("meta_cluster") or {}
        leader = meta.get("leader")
        return str(leader) if leader else None

    def wait_meta_leader(self, *, timeout: float = 30.0) -> str:
        """Block until every running node names the same meta leader; return its name.

        Raises:
            NatsServerError: the nodes did not agree on a meta leader in time.
        """
        deadline = time.monotonic() + timeout
        seen: list[str | None] = []
        while time.monotonic() < deadline:
            seen = [self.meta_leader(node) for node in self.running()]
            if seen and seen[0] is not None and all(name == seen[0] for name in seen):
                return seen[0]
            time.sleep(0.1)
        msg = f"no agreed JetStream meta leader after {timeout}s (nodes see {seen}); logs in "
        msg += str(self.base_dir)
        raise NatsServerError(msg)

    async def client(self) -> Client:
        """A short-lived client of any running node; the caller closes it."""
        return await nats.connect(
            servers=[node.url for node in self.running()],
            connect_timeout=2,
            max_reconnect_attempts=2,
        )

    async def stream_info(self, stream: str) -> StreamInfo:
        """Return a stream's information, asking through any running node."""
        client = await self.client()
        try:
            return await client.jetstream(timeout=3).stream_info(stream)
        finally:
            await client.close()

    async def consumer_info(self, stream: str, durable: str) -> ConsumerInfo:
        """Return a durable consumer's information, asking through any running node."""
        client = await self.client()
        try:
            info: ConsumerInfo = await client.jetstream(timeout=3).consumer_info(stream, durable)
            return info
        finally:
            await client.close()

    async def move_leader(
        self, node: NatsServer, stream: str, durable: str | None = None, *, within: float = 20.0
    ) -> None:
        """Make `node` the leader of a stream (or of its consumer `durable`) by a stepdown.

        Raises:
            NatsServerError: the leadership did not move there in time.
        """
        kind, target = ("CONSUMER", f"{stream}.{durable}") if durable else ("STREAM", stream)
        request = json.dumps({"placement": {"preferred": self.name_of(node)}}).encode()
        deadline = time.monotonic() + within
        leader: str | None = None
        while time.monotonic() < deadline:
            client = await self.client()
            try:
                js = client.jetstream(timeout=3)
                info = await (
                    js.consumer_info(stream, durable) if durable else js.stream_info(stream)
                )
                leader = info.cluster.leader if info.cluster else None
                if leader == self.name_of(node):
                    return
                if leader is not None:
                    await client.request(f"$JS.API.{kind}.LEADER.STEPDOWN.{target}", request, 3)
            except (nats.errors.Error, OSError, TimeoutError):
                pass  # an election under way; ask again
            finally:
                await client.close()
            await asyncio.sleep(0.3)
        msg = f"{kind.lower()} {target} is led by {leader}, not {self.name_of(node)}"
        raise NatsServerError(msg)

    async def stream_leader(self, stream: str, *, within: float = 30.0) -> NatsServer:
        """The node that currently leads `stream` (waiting out an election).

        Raises:
            NatsServerError: the stream had no leader in time.
        """
        deadline = time.monotonic() + within
        last = "no answer"
        while time.monotonic() < deadline:
            try:
                info = await self.stream_info(stream)
            except (nats.errors.Error, OSError, TimeoutError) as error:
                last = repr(error)
            else:
                if info.cluster is not None and info.cluster.leader:
                    return self.node_named(info.cluster.leader)
                last = f"cluster info {info.cluster}"
            await asyncio.sleep(0.2)
        msg = f"stream {stream} has no leader after {within}s: {last}"
        raise NatsServerError(msg)

    def local_stream_messages(self, node: NatsServer, stream: str) -> int | None:
        """How many messages of `stream` this node's own replica holds (from its `/jsz`)."""
        try:
            jsz = get_json(f"{node.monitor_url}/jsz?streams=true", timeout=2)
        except (urllib.error.URLError, OSError, ValueError):
            return None
        for account in jsz.get("account_details") or []:
            for detail in account.get("stream_detail") or []:
                if detail.get("name") == stream:
                    return int(detail["state"]["messages"])
        return None

    def client_names(self, node: NatsServer) -> list[str]:
        """The names of the clients connected to this node (from its `/connz`)."""
        try:
            connz = get_json(f"{node.monitor_url}/connz?limit=1000", timeout=2)
        except (urllib.error.URLError, OSError, ValueError):
            return []
        return sorted(str(conn.get("name", "")) for conn in connz.get("connections") or [])

    def node_of_client(self, name: str) -> NatsServer | None:
        """The running node the client called `name` is connected to, if any."""
        return next((node for node in self.running() if name in self.client_names(node)), None)

    async def wait_for_client(self, name: str, *, within: float = 30.0) -> NatsServer:
        """The node the client called `name` is connected to, once it is.

        Raises:
            NatsServerError: no node had such a client in time.
        """
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if (node := self.node_of_client(name)) is not None:
                return node
            await asyncio.sleep(0.1)
        msg = f"no client named {name} connected within {within}s"
        raise NatsServerError(msg)


@contextmanager
def nats_cluster(size: int = 3) -> Iterator[NatsCluster]:
    """Start a cluster for the caller alone; stop every node by PID and remove the stores."""
    base = Path(tempfile.mkdtemp(prefix="nats-cluster-"))
    cluster = NatsCluster(base, size)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def split_urls(urls: Sequence[str]) -> list[str]:
    """Split comma-separated NATS URLs, as `CONBINI_NATS_URL` is split by settings."""
    return [url.strip() for joined in urls for url in joined.split(",") if url.strip()]


def pipeline_main(argv: list[str]) -> int:
    """Run `bench.pipeline.main`, giving nats-py each of the URLs in `--nats`."""
    from bench import pipeline  # noqa: PLC0415 - only the child process needs the pipeline

    def settings(**options: Any) -> BackboneSettings:
        options["nats_urls"] = split_urls(options.get("nats_urls", ()))
        return BackboneSettings(**options)

    setattr(pipeline, "BackboneSettings", settings)  # noqa: B010 - mypy forbids assigning a type
    return pipeline.main(argv)


if __name__ == "__main__":
    sys.exit(pipeline_main(sys.argv[1:]))
