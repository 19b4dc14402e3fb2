"""From TaskOffered published to the offer shown on an open worker page, over SSE.

Notify runs as in production: its inbox and its API as separate processes on their own
store (SQLite by default, or PostgreSQL), a nats-server from the wheel with JetStream.
This process opens one worker page's live stream (`/w/<token>/events`) per worker, then
publishes TaskOffered on the BROKER stream at a steady rate, as the broker's relay does,
and times each offer from just before its publish to the moment its update arrives on the
worker's stream. The page itself fetches its fresh list on that update; the time counted
ends when the browser would start that fetch.

In the same run and on the same server, the floor: the same messages published at the
same rate to a JetStream stream and read by a plain push consumer in this process, which
is what the transport alone costs.
"""

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import msgspec
import nats
from nats.aio.msg import Msg
from nats.js.api import StreamConfig

from backbone.auth import load_or_create_key
from backbone.nats_server import NatsServer, NatsServerConfig, free_port
from backbone.streams import StreamPolicy, provision_streams
from contracts.base import encode
from contracts.broker import TaskOffered
from contracts.subjects import subject_of
from contracts.values import RewardKind

TENANT = "mine-wakuwaku"


class Update(msgspec.Struct):
    """What the worker page's stream sends."""

    what: str
    id: UUID


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the benchmark's options."""
    parser.add_argument("--offers-per-s", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=50, help="open worker pages")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("CONBINI_POSTGRES_DSN")
        or os.environ.get("TEST_POSTGRES_DSN")
        or "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
    )


def an_offer(worker_id: UUID) -> TaskOffered:
    """One offer as the broker publishes it."""
    now = datetime.now(UTC)
    starts = now + timedelta(days=3)
    return TaskOffered(
        event_id=uuid4(),
        occurred_at=now,
        tenant=TENANT,
        correlation_id=uuid4(),
        offer_id=uuid4(),
        task_id=uuid4(),
        worker_id=worker_id,
        expires_at=now + timedelta(hours=24),
        title="栗の収穫",
        district="ofuku",
        home_based=False,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        reward_kind=RewardKind.HOURLY,
        reward_yen=1050,
        transport_allowance_yen=300,
        work_type="harvest",
        bring=["軍手"],
        district_name="於福町",
    )


def wait_for_health(url: str, process: subprocess.Popen[bytes], within: float = 60.0) -> None:
    """Block until notify's API answers.

    Raises:
        RuntimeError: it died or never answered.
    """
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = "notify's API exited at start-up"
            raise RuntimeError(msg)
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/health", timeout=1),  # noqa: S310 - loopback
        ):
            return
        time.sleep(0.2)
    msg = "notify's API did not answer"
    raise RuntimeError(msg)


async def follow_page(
    client: httpx.AsyncClient,
    path: str,
    seen: dict[UUID, float],
    ready: asyncio.Event,
    everything: asyncio.Event,
    expected: int,
) -> None:
    """Read one worker page's live stream, noting when each offer's update arrives."""
    async with client.stream("GET", path) as response:
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            update = msgspec.json.decode(line[5:].strip(), type=Update)
            if update.what == "hello":
                ready.set()
            elif update.what == "offer":
                seen.setdefault(update.id, time.perf_counter())
                if len(seen) >= expected:
                    everything.set()


async def publish_at_rate(
    nats_url: str, offers: list[TaskOffered], rate: float, sent: dict[UUID, float]
) -> None:
    """Publish each offer on schedule (as the broker's relay would), acked by JetStream."""
    nc = await nats.connect(servers=[nats_url])
    js = nc.jetstream()
    start = time.perf_counter()
    try:
        for number, offer in enumerate(offers):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent[offer.offer_id] = time.perf_counter()
            await js.publish(
                subject_of(offer),
                encode(offer),
                headers={"Nats-Msg-Id": f"broker:bench:{number}"},
            )
    finally:
        await nc.close()


async def floor(nats_url: str, offers: list[TaskOffered], rate: float) -> list[float]:
    """Publish → JetStream → push consumer latencies (ms) at the same rate."""
    nc = await nats.connect(servers=[nats_url])
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="FLOOR", subjects=["floor.>"]))
    arrived: dict[int, float] = {}
    sent: dict[int, float] = {}
    everything = asyncio.Event()

    async def on_message(msg: Msg) -> None:
        arrived[int(msg.subject.rsplit(".", 1)[1])] = time.perf_counter()
        if len(arrived) == len(offers):
            everything.set()

    sub = await js.subscribe("floor.>", cb=on_message, ordered_consumer=True)
    start = time.perf_counter()
    for number, offer in enumerate(offers):
        delay = start + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[number] = time.perf_counter()
        await js.publish(f"floor.{number}", encode(offer), headers={"Nats-Msg-Id": str(number)})
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(everything.wait(), timeout=30)
    await sub.unsubscribe()
    await nc.close()
    return [(arrived[n] - sent[n]) * 1000 for n in sent if n in arrived]


async def measure(
    nats_url: str,
    notify_url: str,
    key: str,
    workers: list[UUID],
    offers: list[TaskOffered],
    rate: float,
) -> tuple[dict[UUID, float], dict[UUID, float]]:
    """Open every page's stream, publish, and wait for every offer to show."""
    from notify.links import make_link_token  # noqa: PLC0415 - the page's own link format

    seen: dict[UUID, float] = {}
    sent: dict[UUID, float] = {}
    now = datetime.now(UTC)
    async with httpx.AsyncClient(
        base_url=notify_url,
        timeout=httpx.Timeout(10, read=None),
        limits=httpx.Limits(max_connections=len(workers) + 5),
    ) as client:
        readies = [asyncio.Event() for _ in workers]
        everything = asyncio.Event()
        streams = [
            asyncio.create_task(
                follow_page(
                    client,
                    "/w/"
                    + make_link_token(
                        key, worker_id=w, tenant=TENANT, now=now, lifetime=timedelta(hours=1)
                    )
                    + "/events",
                    seen,
                    ready,
                    everything,
                    len(offers),
                )
            )
            for w, ready in zip(workers, readies, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=30)
        await publish_at_rate(nats_url, offers, rate, sent)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everything.wait(), timeout=30)
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    return sent, seen


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by the inclusive method."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(*, offers_per_s: float, seconds: float, workers: int, store: str, dsn: str) -> str:
    """Measure and return the final `key=value` line."""
    data = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    server = NatsServer(
        NatsServerConfig(store_dir=data / "nats", port=free_port(), monitor_port=free_port())
    )
    server.start()
    port = free_port()
    prefix = f"bench_notify_{os.getpid()}_"
    env = {
        **os.environ,
        "CONBINI_DATA_DIR": str(data),
        "CONBINI_NATS_URL": server.url,
        "CONBINI_NOTIFY_PORT": str(port),
        "CONBINI_STORE": store,
        "CONBINI_SCHEMA_PREFIX": prefix,
    }
    if store == "postgres":
        env["CONBINI_POSTGRES_DSN"] = dsn
    processes: list[subprocess.Popen[bytes]] = []
    try:
        asyncio.run(provision(server.url))
        log = (data / "notify.log").open("ab")
        processes = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "notify", role], env=env, stdout=log, stderr=log
            )
            for role in ("inbox", "api")
        ]
        notify_url = f"http://127.0.0.1:{port}"
        wait_for_health(notify_url, processes[1])
        key = load_or_create_key(data / "jwt.key")
        people = [uuid4() for _ in range(workers)]
        count = int(offers_per_s * seconds)
        offers = [an_offer(people[n % workers]) for n in range(count)]
        sent, seen = asyncio.run(measure(server.url, notify_url, key, people, offers, offers_per_s))
        latencies = [(seen[o] - sent[o]) * 1000 for o in sent if o in seen]
        floors = asyncio.run(
            floor(
                server.url,
                [an_offer(p) for p in people for _ in range(count // workers)],
                offers_per_s,
            )
        )
    finally:
        for process in processes:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
        server.stop()
        if store == "postgres":
            drop_schemas(dsn, prefix)
        shutil.rmtree(data, ignore_errors=True)
    missing = count - len(latencies)
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    floor_p99 = percentile(floors, 99)
    print(
        f"offer visible: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms over "
        f"{len(latencies)} offers ({missing} not seen) to {workers} open pages at "
        f"{offers_per_s:.0f}/s; JetStream floor p50 {percentile(floors, 50):.1f} ms, "
        f"p99 {floor_p99:.1f} ms ({store} store)",
        flush=True,
    )
    return (
        f"notify p99_offer_visible_ms={p99:.1f} offers={len(latencies)} missing={missing} "
        f"p50_ms={p50:.1f} floor_p99_ms={floor_p99:.1f}"
    )


async def provision(url: str) -> None:
    """Create the deployment's streams on the bench's server."""
    nc = await nats.connect(servers=[url])
    try:
        await provision_streams(nc.jetstream(), StreamPolicy())
    finally:
        await nc.close()


def drop_schemas(dsn: str, prefix: str) -> None:
    """Remove what the run created in PostgreSQL."""
    import psycopg  # noqa: PLC0415 - only for the postgres variant
    from psycopg import sql  # noqa: PLC0415

    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{prefix}%",)
        ).fetchall()
        for (name,) in rows:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
