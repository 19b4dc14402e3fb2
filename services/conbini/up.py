"""`conbini up`: start the embedded marketplace, report its health, stop cleanly on Ctrl-C."""

import asyncio
import contextlib
import logging
import signal
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import nats
from nats.aio.client import Client
from nats.js.api import StreamInfo

from backbone.clock import FileClock, write_offset
from backbone.nats_server import NatsServer, NatsServerConfig, NatsServerError
from backbone.nats_users import (
    OPERATOR,
    USERS_DIR,
    NatsLogin,
    ensure_passwords,
    password_file,
    render_users,
)
from backbone.runtime import login_options
from backbone.streams import StreamPolicy, provision_streams
from conbini.children import Child, service_role
from conbini.demo_worker import demo_worker_page
from conbini.settings import UpSettings

log = logging.getLogger(__name__)

SUPERVISE_EVERY_S = 1.0
TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class Health:
    """What `conbini up` reports once everything answers."""

    nats_url: str
    server_version: str
    jetstream: bool
    streams: list[StreamInfo]
    monitor_url: str | None
    broker_url: str = ""
    notify_url: str = ""
    payout_url: str = ""
    worker_page: str = ""
    tenant: str = ""
    rehearsal_clock: str = ""
    """The rehearsal's now, when the town runs on a rehearsal clock."""

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
        if self.broker_url:
            lines += [
                f"  broker     {self.broker_url}  (API docs: {self.broker_url}/docs)",
                (
                    "  token      conbini token --tenant "
                    f"{self.tenant} --role requester   (or coordinator, auditor …)"
                ),
            ]
        if self.notify_url:
            lines.append(f"  notify     {self.notify_url}  (API docs: {self.notify_url}/docs)")
        if self.payout_url:
            lines.append(f"  payout     {self.payout_url}  (API docs: {self.payout_url}/docs)")
        if self.worker_page:
            lines.append(f"  worker     {self.worker_page}  (a demo worker's page)")
        if self.rehearsal_clock:
            lines.append(
                f"  clock      a REHEARSAL: now {self.rehearsal_clock}  (conbini clock show|set|"
                "advance, with CONBINI_DATA_DIR set to the data dir above)"
            )
        lines.append("Press Ctrl-C to stop. (とめるときは Ctrl-C)")
        return "\n".join(lines)


async def connect(url: str, login: NatsLogin | None) -> Client:
    """Connect to NATS with the reconnect settings every long-running role uses."""

    async def on_error(error: Exception) -> None:
        log.warning("NATS connection error: %s", error)

    return await nats.connect(
        servers=[url],
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        error_cb=on_error,
        name="conbini-up",
        **login_options(login),
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


async def supervise(server: NatsServer | None, children: list[Child], stop: asyncio.Event) -> None:
    """Restart the embedded nats-server and any service process that dies while running."""
    while not stop.is_set():
        await asyncio.sleep(SUPERVISE_EVERY_S)
        if stop.is_set():
            return
        if server is not None and not server.running():
            log.error("nats-server exited unexpectedly; restarting it")
            await asyncio.to_thread(server.restart)
        for child in children:
            if not child.alive():
                child.restarts += 1
                log.error("%s exited; restarting it (restart %s)", child.name, child.restarts)
                child.start()


ROLES = {
    "broker": ("api", "relay", "inbox", "clock"),
    "notify": ("api", "relay", "inbox", "dispatch"),
    "payout": ("api", "relay", "inbox"),
}
"""Every service and the roles `conbini up` runs of it, each as its own process."""


def service_children(settings: UpSettings, nats_url: str, *, own_users: bool) -> list[Child]:
    """Every service role `conbini up` runs; with `own_users`, each as its service's NATS user."""
    env = settings.service_env(nats_url)
    logs = settings.data_dir / "logs"
    users = settings.data_dir / USERS_DIR
    return [
        service_role(service, role, env | (login_env(users, service) if own_users else {}), logs)
        for service, roles in ROLES.items()
        for role in roles
    ]


def login_env(users: Path, user: str) -> dict[str, str]:
    """The variables that make a process connect as `user`, its password read from its file."""
    return {
        "CONBINI_NATS_USER": user,
        "CONBINI_NATS_PASSWORD": "",  # never one inherited from the shell
        "CONBINI_NATS_PASSWORD_FILE": str(password_file(users, user)),
    }


def secure(server: NatsServer, settings: UpSettings) -> NatsLogin:
    """Give the embedded server one user per service and the operator; return the operator's.

    Passwords are generated on first start into the data dir (0600) and kept.
    """
    passwords = ensure_passwords(settings.data_dir / USERS_DIR)
    server.config.authorization = render_users(passwords)
    return NatsLogin(user=OPERATOR, password=passwords[OPERATOR])


async def wait_for_http(url: str, children: list[Child], within: float = 60.0) -> None:
    """Wait until `url` answers 200, or fail if a child died or time ran out.

    Raises:
        NatsServerError: the API did not come up.
    """
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        dead = [child.name for child in children if not child.alive()]
        if dead:
            msg = f"{', '.join(dead)} exited at start-up; see {children[0].log_path.parent}"
            raise NatsServerError(msg)
        if await asyncio.to_thread(http_ok, url):
            return
        await asyncio.sleep(0.2)
    msg = f"{url} did not answer within {within}s"
    raise NatsServerError(msg)


def http_ok(url: str) -> bool:
    """True when a GET of `url` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)  # noqa: PLR2004
    except OSError:
        return False


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


def prepare_clock(settings: UpSettings) -> str:
    """Check the data dir fits the clock asked for; start a new rehearsal's clock at real time.

    Returns the rehearsal's now (ISO), or "" on the real clock.

    Raises:
        ValueError: a rehearsal's data dir without `--rehearsal` (its clock ran ahead: the
            real clock would put events out of order), or a real town's with it.
    """
    path = settings.clock_file
    if not settings.rehearsal:
        if path.exists():
            msg = (
                f"{settings.data_dir} holds a rehearsal (its clock is in {path.name}); "
                "start it with `conbini up --rehearsal`, or give another --data-dir"
            )
            raise ValueError(msg)
        return ""
    if not path.exists():
        if (settings.data_dir / "stores").exists() or (settings.data_dir / "nats").exists():
            msg = (
                f"{settings.data_dir} holds a town on the real clock; a rehearsal starts in "
                "its own data dir (the default for --rehearsal is .conbini-rehearsal)"
            )
            raise ValueError(msg)
        write_offset(path, timedelta(0))
    return FileClock(path).now().astimezone(TOKYO).isoformat(timespec="minutes")


async def run_up(settings: UpSettings, *, out: Callable[[str], None] = print) -> int:
    """Run until SIGINT or SIGTERM; return the process exit code.

    Raises:
        ValueError: the data dir does not fit the clock asked for (see `prepare_clock`).
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    rehearsal_now = prepare_clock(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = None if settings.nats_url else embedded_server(settings)
    login = secure(server, settings) if server is not None else settings.nats_login
    children: list[Child] = []
    try:
        if server is not None:
            await asyncio.to_thread(server.start)
        nats_url = server.url if server else str(settings.nats_url)
        nc = await connect(nats_url, login)
        try:
            health = await check_health(nc, settings, server)
            children = service_children(settings, nats_url, own_users=server is not None)
            for child in children:
                child.start()
            broker_url = f"http://127.0.0.1:{settings.broker_port}"
            notify_url = f"http://127.0.0.1:{settings.notify_port}"
            await wait_for_http(f"{broker_url}/health", children)
            payout_url = f"http://127.0.0.1:{settings.payout_port}"
            await wait_for_http(f"{notify_url}/health", children)
            await wait_for_http(f"{payout_url}/health", children)
            page = (
                await asyncio.to_thread(
                    demo_worker_page, settings, broker_url=broker_url, notify_url=notify_url
                )
                if settings.demo_worker
                else ""
            )
            report = replace(
                health,
                broker_url=broker_url,
                notify_url=notify_url,
                payout_url=payout_url,
                worker_page=page,
                tenant=settings.tenant,
                rehearsal_clock=rehearsal_now,
            )
            out(report.render())
            supervisor = asyncio.create_task(supervise(server, children, stop))
            await stop.wait()
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        finally:
            await (nc.drain() if nc.is_connected else nc.close())
    finally:
        for child in children:
            await asyncio.to_thread(child.stop)
        if server is not None:
            await asyncio.to_thread(server.stop)
    out("shigoto-conbini stopped. (とまりました)")
    return 0
