"""Give a service relay and inbox roles without copying plumbing.

A service provides its application class, its translator and its routes; these helpers
open its store, take its lease, connect to NATS, declare the streams and run the loops
until asked to stop.
"""

import asyncio
import fcntl
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import nats
import psycopg
from nats.aio.client import Client

from backbone.inbox import Inbox, InboxSettings
from backbone.leases import FileLease, Lease, LocalLease, PostgresLease, lock_key
from backbone.nats_users import NatsLogin
from backbone.relay import Relay, RelaySettings, Translator
from backbone.stores import Policy, ServiceApplication, StoreSettings, ensure_schema
from backbone.stores import eventsourcing_env as store_env
from backbone.streams import StreamPolicy, prepare_streams
from contracts.base import IntegrationEvent
from contracts.subjects import DEAD_LETTER_STREAM, durable_name, producer_of, stream_name

log = logging.getLogger(__name__)

App = TypeVar("App", bound=ServiceApplication)


@dataclass(frozen=True, kw_only=True)
class BackboneSettings:
    """Everything the relay and inbox roles of one deployment need."""

    nats_urls: Sequence[str] = ("nats://127.0.0.1:14222",)
    store: StoreSettings = field(default_factory=StoreSettings)
    relay: RelaySettings = field(default_factory=RelaySettings)
    inbox: InboxSettings = field(default_factory=InboxSettings)
    streams: StreamPolicy = field(default_factory=StreamPolicy)
    nats_login: NatsLogin | None = None
    """This process's NATS user (backbone.nats_users); None connects anonymously, and the
    process then declares the streams itself, as a single-user deployment needs."""


def open_store(
    service: str,
    app_class: type[App],
    store: StoreSettings,
    routes: Mapping[type[IntegrationEvent], Policy] | None = None,
) -> App:
    """Construct a service's application on its store, creating schema and tables if needed.

    Creation is serialised across processes (an advisory lock on PostgreSQL, a lock file
    beside SQLite databases): a service's API, relay and inbox start together, and
    concurrent `CREATE … IF NOT EXISTS` collide.
    """
    env = store_env(service, store)
    if store.kind == "postgres" and store.postgres_dsn:
        with psycopg.connect(store.postgres_dsn, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (lock_key(f"conbini-ddl:{service}"),))
            ensure_schema(store.postgres_dsn, store.schema_for(service))
            return app_class(env=env, routes=routes)
    if store.kind == "sqlite" and store.data_dir is not None:
        store.data_dir.mkdir(parents=True, exist_ok=True)
        with (store.data_dir / f"{service}.ddl.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return app_class(env=env, routes=routes)
    return app_class(env=env, routes=routes)


def lease_for(service: str, role: str, store: StoreSettings) -> Lease:
    """Return the lease of one role of a service, fit for its store.

    PostgreSQL: an advisory lock; SQLite: a lock file beside the database; in memory: a
    lock inside the process. `role` is `relay` or an inbox's durable name.
    """
    name = f"conbini-{role}:{store.schema_for(service)}"
    if store.kind == "postgres" and store.postgres_dsn:
        return PostgresLease(store.postgres_dsn, name)
    if store.kind == "sqlite" and store.data_dir is not None:
        return FileLease(store.data_dir / f"{service}.{role}.lock")
    return LocalLease(name)


def login_options(login: NatsLogin | None) -> dict[str, str]:
    """nats-py's connect options for a user: credentials and the user's own reply inbox."""
    if login is None:
        return {}
    return {"user": login.user, "password": login.password, "inbox_prefix": login.inbox_prefix}


async def connect(urls: Sequence[str], name: str, login: NatsLogin | None = None) -> Client:
    """Connect for a long-running role: reconnect forever, log errors."""

    async def on_error(error: Exception) -> None:
        log.warning("%s: NATS error: %s", name, error)

    async def on_disconnected() -> None:
        log.warning("%s: NATS disconnected", name)

    async def on_reconnected() -> None:
        log.info("%s: NATS reconnected", name)

    return await nats.connect(
        servers=list(urls),
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=2,
        ping_interval=5,  # a hung or cut-off node is noticed in ~15 s, not nats-py's 4 minutes
        max_outstanding_pings=3,
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
        **login_options(login),
    )


async def connect_retrying(
    urls: Sequence[str], name: str, stop: asyncio.Event, login: NatsLogin | None = None
) -> Client | None:
    """Connect, waiting for NATS to come up; None if asked to stop first."""
    delay = 0.2
    while not stop.is_set():
        try:
            return await connect(urls, name, login)
        except (OSError, nats.errors.Error, TimeoutError) as error:
            log.warning("%s: NATS not reachable (%s); retrying", name, error)
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                delay = min(delay * 2, 5.0)
    return None


async def run_relay(
    service: str,
    app: ServiceApplication,
    translate: Translator,
    settings: BackboneSettings,
    stop: asyncio.Event,
    *,
    on_start: Callable[[Relay], None] | None = None,
) -> None:
    """Run the service's relay until `stop` is set."""
    nc = await connect_retrying(settings.nats_urls, f"{service}-relay", stop, settings.nats_login)
    if nc is None:
        return
    try:
        needed = [stream_name(service)]
        if not await prepare_streams(
            nc.jetstream(), settings.streams, needed, stop, provision=settings.nats_login is None
        ):
            return
        relay = Relay(
            service=service,
            app=app,
            translate=translate,
            nc=nc,
            lease=lease_for(service, "relay", settings.store),
            settings=settings.relay,
        )
        if on_start is not None:
            on_start(relay)
        await relay.run(stop)
    finally:
        await nc.close()


def upstreams(app: ServiceApplication) -> list[str]:
    """Return the producers whose events the application's routes handle."""
    return sorted({producer_of(event_type) for event_type in app.routes})


async def run_inboxes(
    service: str,
    app: ServiceApplication,
    settings: BackboneSettings,
    stop: asyncio.Event,
    *,
    on_start: Callable[[list[Inbox]], None] | None = None,
) -> None:
    """Run one inbox per upstream producer until `stop` is set."""
    nc = await connect_retrying(settings.nats_urls, f"{service}-inbox", stop, settings.nats_login)
    if nc is None:
        return
    try:
        needed = [*(stream_name(producer) for producer in upstreams(app)), DEAD_LETTER_STREAM]
        if not await prepare_streams(
            nc.jetstream(), settings.streams, needed, stop, provision=settings.nats_login is None
        ):
            return
        inboxes = [
            Inbox(
                consumer=service,
                producer=producer,
                app=app,
                nc=nc,
                lease=lease_for(service, durable_name(service, producer), settings.store),
                settings=settings.inbox,
            )
            for producer in upstreams(app)
        ]
        if on_start is not None:
            on_start(inboxes)
        await asyncio.gather(*(inbox.run(stop) for inbox in inboxes))
    finally:
        await nc.close()


def run_until_signalled(role: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run an async role in its own event loop until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await role(stop)

    asyncio.run(main())


async def connect_once(
    urls: Sequence[str], timeout_s: float = 3.0, login: NatsLogin | None = None
) -> Client | None:
    """A short-lived connection for a one-off question; None when NATS does not answer.

    For reports and scrapes, where an unreachable server is an answer, not an error to log
    or to wait out (nats-py waits for ever with `max_reconnect_attempts=0`, so: 1).
    """

    async def quiet(error: Exception) -> None:
        del error

    try:
        return await nats.connect(
            servers=list(urls),
            connect_timeout=timeout_s,
            max_reconnect_attempts=1,
            reconnect_time_wait=0.5,
            error_cb=quiet,
            **login_options(login),
        )
    except (OSError, TimeoutError, nats.errors.NoServersError):
        return None
