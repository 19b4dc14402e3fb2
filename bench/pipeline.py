"""A two-service probe pipeline for the backbone's tests and benchmark, as real processes.

`Source` (publishing as `broker`) stores `Shift.Carved` events, translated to
`TaskCarvedOut`; `Sink` (consuming as `payout`) records one `Receipt` per TaskCarvedOut it
receives. Exactly-once in order means: the sink's receipts name the source's shifts once
each, in the order they were stored.

    python -m bench.pipeline_process produce|relay|inbox --store postgres --dsn … …
"""

import argparse
import logging
import os
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, event

from backbone.crashpoints import CrashPoint
from backbone.flow import Envelope, Flow, within_flow
from backbone.inbox import InboxSettings
from backbone.relay import RelaySettings
from backbone.runtime import (
    BackboneSettings,
    open_store,
    run_inboxes,
    run_relay,
    run_until_signalled,
)
from backbone.stores import Policy, ServiceApplication, StoreSettings
from contracts.base import IntegrationEvent
from contracts.broker import TaskCarvedOut
from contracts.values import PhysicalLoad, RewardKind, Sector

SOURCE = "broker"
SINK = "payout"
TENANT = "mine-wakuwaku"
EXPLODE = "explode"
"""A title whose receipt policy always fails (a non-transient handler bug)."""


class Shift(Aggregate):
    """A shift carved out by the source."""

    class Carved(Aggregate.Created):
        """The source carved a numbered shift."""

        number: int
        title: str

    @event(Carved)
    def __init__(self, number: int, title: str) -> None:
        self.number = number
        self.title = title


class Receipt(Aggregate):
    """The sink's record of one TaskCarvedOut it received."""

    class Recorded(Aggregate.Created):
        """The sink received one TaskCarvedOut."""

        task_id: UUID
        title: str

    @event(Recorded)
    def __init__(self, task_id: UUID, title: str) -> None:
        self.task_id = task_id
        self.title = title


class Source(ServiceApplication):
    """The producing side."""

    name = "Source"


class Sink(ServiceApplication):
    """The consuming side."""

    name = "Sink"


def translate(domain_event: DomainEventProtocol[UUID], envelope: Envelope) -> TaskCarvedOut | None:
    """Shift.Carved → TaskCarvedOut; nothing else is public."""
    if not isinstance(domain_event, Shift.Carved):
        return None
    starts = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)
    return TaskCarvedOut(
        **envelope,
        task_id=domain_event.originator_id,
        job_request_id=domain_event.originator_id,
        requester_id=domain_event.originator_id,
        title=domain_event.title,
        work_type="harvest",
        sector=Sector.AGRICULTURE_FORESTRY,
        district="於福",
        home_based=False,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        duration_minutes=180,
        reward_kind=RewardKind.HOURLY,
        reward_yen=1050,
        transport_allowance_yen=300,
        withholding_applies=False,
        physical_load=PhysicalLoad.LIGHT,
    )


def when_task_carved_out_record_receipt(
    app: Sink, carved: TaskCarvedOut, processing: ProcessingEvent[UUID]
) -> None:
    """Record one receipt per received TaskCarvedOut."""
    del app
    if carved.title == EXPLODE:
        msg = "this task title always breaks the policy"
        raise ValueError(msg)
    processing.collect_events(Receipt(task_id=carved.task_id, title=carved.title))


ROUTES: Mapping[type[IntegrationEvent], Policy] = {
    TaskCarvedOut: when_task_carved_out_record_receipt
}


def open_source(store: StoreSettings) -> Source:
    """The source application on `store`."""
    return open_store(SOURCE, Source, store)


def open_sink(store: StoreSettings) -> Sink:
    """The sink application on `store`, routed."""
    return open_store(SINK, Sink, store, ROUTES)


def produce(app: Source, count: int, *, first: int = 1, per_save: int = 50) -> list[UUID]:
    """Store `count` shifts (numbered from `first`), `per_save` aggregates per transaction."""
    ids: list[UUID] = []
    flow = Flow(tenant=TENANT, correlation_id=UUID(int=first))
    with within_flow(flow):
        for start in range(first, first + count, per_save):
            shifts = [
                Shift(number=n, title=f"shift {n}")
                for n in range(start, min(start + per_save, first + count))
            ]
            app.save(*shifts)
            ids += [shift.id for shift in shifts]
    return ids


def source_order(app: Source) -> list[UUID]:
    """The shifts the source stored, in notification order."""
    return [
        UUID(str(note.originator_id))
        for note in app.recorder.select_notifications(start=1, limit=10**7)
        if note.topic.endswith("Shift.Carved")
    ]


def receipts(app: Sink) -> list[UUID]:
    """The task ids the sink recorded, in notification order."""
    notes = app.recorder.select_notifications(start=1, limit=10**7)
    events = [app.mapper.to_domain_event(note) for note in notes]
    return [e.task_id for e in events if isinstance(e, Receipt.Recorded)]


def parse(argv: list[str]) -> argparse.Namespace:
    """Command-line options of a test process."""
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline_process")
    parser.add_argument("role", choices=["produce", "relay", "inbox"])
    parser.add_argument("--store", choices=["memory", "sqlite", "postgres"], default="postgres")
    parser.add_argument("--dsn", default=None)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--ack-wait", type=float, default=10.0)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Run one role until SIGTERM (relay, inbox) or until done (produce)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = parse(argv)
    store = StoreSettings(
        kind=args.store, postgres_dsn=args.dsn, schema_prefix=args.prefix, data_dir=args.data_dir
    )
    crash = CrashPoint.parse(os.environ.get("CONBINI_CRASH_AT"))
    settings = BackboneSettings(
        nats_urls=[url.strip() for url in args.nats.split(",") if url.strip()],
        store=store,
        relay=RelaySettings(batch_size=args.batch, crash_at=crash, default_tenant=TENANT),
        inbox=InboxSettings(batch_size=args.batch, crash_at=crash, ack_wait_s=args.ack_wait),
    )
    if args.role == "produce":
        produce(open_source(store), args.count, first=args.first)
        return 0
    if args.role == "relay":
        source = open_source(store)
        run_until_signalled(lambda stop: run_relay(SOURCE, source, translate, settings, stop))
        return 0
    sink = open_sink(store)
    run_until_signalled(lambda stop: run_inboxes(SINK, sink, replace(settings), stop))
    return 0
