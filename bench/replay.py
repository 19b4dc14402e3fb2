"""Replay speed: every stored event read, decoded and applied, against eventsourcing's read.

The store (PostgreSQL by default) is filled with N events first (the probe pipeline's
carved shifts, one event each, flow-stamped and chained as in production). Then, in the
same run and on the same server:

* **replay** — what `conbini audit replay` does per event: stream the rows
  (`backbone.fastread`), build each domain event as eventsourcing's mapper would, and
  apply it to a read model (the shifts by number);
* **the peer** — eventsourcing's own notification-log read of the same events:
  `select_notifications` page by page and `mapper.to_domain_event` for each.
"""

import argparse
import os
import time
from pathlib import Path
from uuid import UUID

import psycopg
from psycopg import sql

from backbone.fastread import FastMapper, rows
from backbone.stores import StoreSettings
from bench.pipeline import SOURCE, Shift, open_source, produce

PAGE = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the benchmark's options."""
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("CONBINI_POSTGRES_DSN")
        or os.environ.get("TEST_POSTGRES_DSN")
        or "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
    )
    parser.add_argument("--data-dir", default="/tmp/conbini-bench-replay")  # noqa: S108


def replay_ours(store: StoreSettings, name: str) -> tuple[float, dict[UUID, int]]:
    """Stream, decode and apply every event; return the rate and the read model."""
    mapper = FastMapper()
    shifts: dict[UUID, int] = {}
    started = time.perf_counter()
    count = 0
    for row in rows(store, SOURCE, name):
        event = mapper.event(row)
        if isinstance(event, Shift.Carved):
            shifts[event.originator_id] = event.number
        count += 1
    return count / (time.perf_counter() - started), shifts


def replay_peer(store: StoreSettings) -> tuple[float, dict[UUID, int]]:
    """Eventsourcing's notification-log read of the same events, applied the same way."""
    app = open_source(store)
    shifts: dict[UUID, int] = {}
    started = time.perf_counter()
    count, start = 0, 1
    while notes := app.recorder.select_notifications(start=start, limit=PAGE):
        for note in notes:
            event = app.mapper.to_domain_event(note)
            if isinstance(event, Shift.Carved):
                shifts[event.originator_id] = event.number
        count += len(notes)
        start = notes[-1].id + 1
    rate = count / (time.perf_counter() - started)
    app.close()
    return rate, shifts


def run(*, events: int, store: str, dsn: str, data_dir: str) -> str:
    """Measure and return the final `key=value` line."""
    prefix = f"bench_replay_{os.getpid()}_"
    secret = "a benchmark's chain secret"  # noqa: S105 - not a deployment's
    settings = (
        StoreSettings(kind="postgres", postgres_dsn=dsn, schema_prefix=prefix, chain_secret=secret)
        if store == "postgres"
        else StoreSettings(kind="sqlite", data_dir=Path(data_dir) / prefix, chain_secret=secret)
    )
    try:
        app = open_source(settings)
        filled = time.perf_counter()
        produce(app, events, per_save=1000)
        print(
            f"filled {events:,} events at {events / (time.perf_counter() - filled):,.0f}/s",
            flush=True,
        )
        name = app.name
        app.close()
        ours, mine = replay_ours(settings, name)
        peer, theirs = replay_peer(settings)
        if mine != theirs or len(mine) != events:
            msg = "the replay and eventsourcing's read disagree"
            raise RuntimeError(msg)
        print(
            f"replay: {ours:,.0f} events/s; eventsourcing's log read: {peer:,.0f} events/s "
            f"({store}, {events:,} events, same read model)",
            flush=True,
        )
    finally:
        if store == "postgres":
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(prefix + SOURCE)
                    )
                )
    return f"replay events_per_s={ours:.0f} es_log_read_per_s={peer:.0f} ratio={ours / peer:.2f}"
