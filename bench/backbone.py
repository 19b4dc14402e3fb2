"""Events/s from a source store through relay, JetStream and inbox into a downstream store.

The source store (PostgreSQL) is filled first; then a relay process and an inbox process
(the production roles, as separate processes) drain it into the sink store with tracking.
The rate is measured between the first message JetStream stored and the last receipt the
sink stored (both stamped by this machine's clock), so process start-up is excluded.

In the same run, on the same servers, the raw floors: JetStream publish (pipelined, with
Msg-Id dedup) then pull-consume with one ack per batch, of N messages of the same size; and
PostgreSQL inserting N rows of the same size in batched transactions.
"""

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nats
import psycopg
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from psycopg import sql

from backbone.flow import envelope_of, occurred_at
from backbone.nats_server import NatsServer, NatsServerConfig, free_port
from backbone.stores import StoreSettings
from bench.pipeline import (
    SINK,
    SOURCE,
    TENANT,
    open_sink,
    open_source,
    produce,
    receipts,
    source_order,
    translate,
)
from contracts.base import encode

DEFAULT_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the benchmark's options."""
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500, help="relay and inbox batch size")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("CONBINI_POSTGRES_DSN")
        or os.environ.get("TEST_POSTGRES_DSN")
        or DEFAULT_DSN,
        help="PostgreSQL to use (default: $CONBINI_POSTGRES_DSN, $TEST_POSTGRES_DSN, local)",
    )
    parser.add_argument("--timeout", type=float, default=600.0)


def contract_payload() -> bytes:
    """One TaskCarvedOut encoded exactly as the relay publishes it."""
    app = open_source(StoreSettings())
    produce(app, 1)
    [note] = app.recorder.select_notifications(1, 1)
    event = app.mapper.to_domain_event(note)
    contract = translate(event, envelope_of(event, default_tenant=TENANT))
    app.close()
    if contract is None:
        msg = "the probe translator published nothing"
        raise RuntimeError(msg)
    return encode(contract)


def drop_schemas(dsn: str, prefix: str) -> None:
    """Remove everything the run created in PostgreSQL."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in (f"{prefix}{SOURCE}", f"{prefix}{SINK}", f"{prefix}floor"):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def pg_floor(dsn: str, schema: str, payload: bytes, events: int, batch: int) -> float:
    """Rows/s inserting `events` rows of `payload` size, `batch` per transaction."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        table = sql.Identifier(schema, "floor")
        conn.execute(
            sql.SQL("CREATE TABLE {} (id bigserial PRIMARY KEY, state bytea NOT NULL)").format(
                table
            )
        )
        insert = sql.SQL("INSERT INTO {} (state) VALUES (%s)").format(table)
        started = time.perf_counter()
        for start in range(0, events, batch):
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(insert, [(payload,)] * min(batch, events - start))
        return events / (time.perf_counter() - started)


async def js_floor(url: str, payload: bytes, events: int, batch: int) -> float:
    """Messages/s publishing `events` pipelined with Msg-Ids, then consuming them in batches."""
    nc = await nats.connect(servers=[url])
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="FLOOR", subjects=["floor.>"], duplicate_window=3600))
    started = time.perf_counter()
    for start in range(0, events, batch):
        futures = [
            await js.publish_async("floor.x", payload, headers={"Nats-Msg-Id": f"floor:{n}"})
            for n in range(start, min(start + batch, events))
        ]
        await asyncio.gather(*futures)
    config = ConsumerConfig(
        durable_name="floor", ack_policy=AckPolicy.ALL, max_ack_pending=batch, ack_wait=30
    )
    sub = await js.pull_subscribe("floor.x", durable="floor", stream="FLOOR", config=config)
    consumed = 0
    while consumed < events:
        msgs = await sub.fetch(batch, timeout=5)
        consumed += len(msgs)
        await msgs[-1].ack()
    elapsed = time.perf_counter() - started
    await nc.close()
    return events / elapsed


def role(name: str, store: StoreSettings, url: str, batch: int) -> subprocess.Popen[bytes]:
    """Start a relay or inbox process of the probe pipeline."""
    argv = [sys.executable, "-m", "bench.pipeline_process", name, "--store", "postgres"]
    argv += ["--dsn", str(store.postgres_dsn), "--prefix", store.schema_prefix]
    argv += ["--nats", url, "--batch", str(batch)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


async def first_stored_at(url: str) -> datetime:
    """When JetStream stored the first relayed message."""
    nc = await nats.connect(servers=[url])
    try:
        message = await nc.jetstream().get_msg("BROKER", seq=1)
    finally:
        await nc.close()
    if message.time is None:
        msg = "JetStream returned no timestamp"
        raise RuntimeError(msg)
    return message.time


def run(*, events: int, batch: int, dsn: str, timeout: float) -> str:
    """Measure and return the final `key=value` line."""
    prefix = f"bench_{os.getpid()}_"
    store = StoreSettings(kind="postgres", postgres_dsn=dsn, schema_prefix=prefix)
    nats_dir = Path(tempfile.mkdtemp(prefix="bench-nats-"))
    server = NatsServer(
        NatsServerConfig(store_dir=nats_dir, port=free_port(), monitor_port=free_port())
    )
    server.start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        source, sink = open_source(store), open_sink(store)
        filled = time.perf_counter()
        produce(source, events, per_save=100)
        fill_rate = events / (time.perf_counter() - filled)
        print(f"filled source store: {events} events at {fill_rate:.0f}/s", flush=True)

        processes = [
            role("inbox", store, server.url, batch),
            role("relay", store, server.url, batch),
        ]
        deadline = time.monotonic() + timeout
        durable = f"{SINK}-from-{SOURCE}"
        while (sink.recorder.max_tracking_id(durable) or 0) < events:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                msg = "the pipeline did not finish; is PostgreSQL reachable and NATS healthy?"
                raise RuntimeError(msg)
            time.sleep(0.05)
        started = asyncio.run(first_stored_at(server.url))
        [last] = sink.recorder.select_notifications(
            start=sink.recorder.max_notification_id() or 1, limit=1
        )
        finished = occurred_at(sink.mapper.to_domain_event(last))
        elapsed = (finished - started).total_seconds()
        if receipts(sink) != source_order(source):
            msg = "the sink's receipts differ from the source's events"
            raise RuntimeError(msg)
        rate = events / elapsed
        print(f"pipeline: {events} events in {elapsed:.2f}s", flush=True)
        source.close()
        sink.close()
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        payload = contract_payload()
        js_rate = asyncio.run(js_floor(server.url, payload, events, batch))
        pg_rate = pg_floor(dsn, f"{prefix}floor", payload, events, batch)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        server.stop()
        shutil.rmtree(nats_dir, ignore_errors=True)
        drop_schemas(dsn, prefix)
    return (
        f"backbone events_per_s={rate:.0f} js_floor_per_s={js_rate:.0f} "
        f"pg_floor_per_s={pg_rate:.0f} ratio_js={rate / js_rate:.2f}"
    )
