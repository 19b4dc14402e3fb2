"""`conbini up`: start the embedded marketplace, report its health, stop cleanly on Ctrl-C."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js.api import StreamInfo

from backbone.nats_server import NatsServer, NatsServerConfig
from backbone.streams import StreamPolicy, provision_streams
from conbini.settings import UpSettings

log = logging.getLogger(__name__)

SUPERVISE_EVERY_S = 1.0


@dataclass(frozen=True)
class Health:
    """What `conbini up` reports once everything answers."""

    nats_url: str
    server_version: str
    jetstream: bool
    streams: list[StreamInfo]
    monitor_url: str | None

    def render(self) -> str:
        """Return the human-readable report printed at start-up."""
        lines = [
            "shigoto-conbini is up (しごとコンビニ が うごいています)",
            (
                f"  NATS       {self.nats_url}  nats-server {self.server_version}, "
                f"JetStream {'on' if self.jetstream else 'OFF'}"
            ),
        ]
        if self.monitor_url:
            lines.append(f"  monitor    {self.monitor_url}/healthz?js-enabled-only=true")
        for info in self.streams:
            subjects = ", ".join(info.config.subjects or [])
            lines.append(
                f"  stream     {info.config.name:<10} {subjects:<14} "
                f"{info.state.messages} messages, last seq {info.state.last_seq}"
            )
        lines.append("Press Ctrl-C to stop. (とめるときは Ctrl-C)")
        return "\n".join(lines)


async def connect(url: str) -> Client:
    """Connect to NATS with the reconnect settings every long-running role uses."""

    async def on_error(error: Exception) -> None:
        log.warning("NATS connection error: %s", error)

    return await nats.connect(
        servers=[url],
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        error_cb=on_error,
        name="conbini-up",
    )


def version_of(nc: Client) -> str:
    """Return the connected server's version as `major.minor.patch`."""
    version = nc.connected_server_version
    return f"{version.major}.{version.minor}.{version.patch}"


async def check_health(nc: Client, settings: UpSettings, server: NatsServer | None) -> Health:
    """Provision the streams and return the health report."""
    js = nc.jetstream()
    streams = await provision_streams(js, StreamPolicy(replicas=settings.stream_replicas))
    account = await js.account_info()
    return Health(
        nats_url=server.url if server else (settings.nats_url or ""),
        server_version=version_of(nc),
        jetstream=account is not None,
        streams=streams,
        monitor_url=server.monitor_url if server else None,
    )


async def supervise(server: NatsServer, stop: asyncio.Event) -> None:
    """Restart the embedded nats-server if it dies while we are meant to be running."""
    while not stop.is_set():
        await asyncio.sleep(SUPERVISE_EVERY_S)
        if not stop.is_set() and not server.running():
            log.error("nats-server exited unexpectedly; restarting it")
            await asyncio.to_thread(server.restart)


def embedded_server(settings: UpSettings) -> NatsServer:
    """Return the embedded nats-server described by the settings (not yet started)."""
    return NatsServer(
        NatsServerConfig(
            store_dir=settings.data_dir / "nats",
            host=settings.nats_host,
            port=settings.nats_port,
            monitor_port=settings.nats_monitor_port,
            sync_interval=settings.nats_sync_interval,
        )
    )


async def run_up(settings: UpSettings, *, out: Callable[[str], None] = print) -> int:
    """Run until SIGINT or SIGTERM; return the process exit code."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    server = None if settings.nats_url else embedded_server(settings)
    try:
        if server is not None:
            await asyncio.to_thread(server.start)
        nc = await connect(server.url if server else str(settings.nats_url))
        try:
            out((await check_health(nc, settings, server)).render())
            supervisor = asyncio.create_task(supervise(server, stop)) if server else None
            await stop.wait()
            if supervisor is not None:
                supervisor.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await supervisor
        finally:
            await (nc.drain() if nc.is_connected else nc.close())
    finally:
        if server is not None:
            await asyncio.to_thread(server.stop)
    out("shigoto-conbini stopped. (とまりました)")
    return 0
