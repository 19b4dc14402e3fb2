"""Garbage on the bus never crashes or wedges an inbox: it lands in the dead-letter stream.

Payout's real inbox (its policies, a SQLite store) reads the BROKER stream of a real
nats-server. Each example publishes a valid `WorkerRegistered`, then hypothesis's garbage
on the subjects payout consumes — random bytes, truncated JSON, msgpack, wrong types,
another event's tag, huge strings, out-of-range values, a tenant that is not the
subject's — then another valid event, each with arbitrary headers (no `Nats-Msg-Id`, a
broken `traceparent` …). The inbox must take every valid event exactly once, and park
every garbage message in DEADLETTER with a reason and its original bytes.
"""

import asyncio
import dataclasses
import json
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import msgspec
import nats
import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from nats.aio.client import Client

from backbone.inbox import Inbox, InboxSettings
from backbone.nats_server import NatsServer
from backbone.runtime import BackboneSettings, run_inboxes
from backbone.stores import StoreSettings
from contracts.base import encode
from contracts.broker import WorkerRegistered
from contracts.subjects import DEAD_LETTER_STREAM, subject_of
from payout.bootstrap import Payout, build_payout
from payout.domain.payee import Payee
from payout.settings import PayoutSettings
from tests.support.nats import private_nats_server
from tests.support.strategies import struct_strategy
from tests.support.waiting import eventually

T = TypeVar("T")
TENANT = "fuzz-town"
WAIT_S = 30.0
HUGE = 300_000
FRESH = "a fresh id"


class Loop:
    """An event loop in a thread of its own, where the inbox and the publisher live."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = WAIT_S + 10) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@dataclass
class Consumer:
    """The running inbox, a publisher, and what was sent so far."""

    loop: Loop
    payout: Payout
    nc: Client
    inbox: Inbox
    task: "asyncio.Future[None]"


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consumer]:
    root: Path = tmp_path_factory.mktemp("inbox-fuzz")
    with private_nats_server() as server:
        yield from running_consumer(server, root)


def running_consumer(server: NatsServer, root: Path) -> Iterator[Consumer]:
    base = PayoutSettings.in_memory(root / "jwt.key")
    backbone = BackboneSettings(
        nats_urls=[server.url],
        store=StoreSettings(kind="sqlite", data_dir=root / "stores", chain_secret="fuzz"),
        inbox=InboxSettings(batch_size=20, fetch_timeout_s=0.2, max_backoff_s=0.2),
    )
    payout = build_payout(dataclasses.replace(base, backbone=backbone))
    loop = Loop()
    stop = asyncio.Event()
    started: list[Inbox] = []

    async def start() -> "asyncio.Future[None]":
        return asyncio.ensure_future(
            run_inboxes("payout", payout.app, backbone, stop, on_start=started.extend)
        )

    task = loop.run(start())

    async def connected() -> Client:
        await eventually(lambda: bool(started), within=WAIT_S, what="the inbox to start")
        return await nats.connect(servers=[server.url])

    nc = loop.run(connected())
    [inbox] = started
    try:
        yield Consumer(loop, payout, nc, inbox, task)
    finally:
        loop.loop.call_soon_threadsafe(stop.set)
        loop.run(asyncio.wait_for(asyncio.shield(task), WAIT_S))
        loop.run(nc.close())
        loop.close()
        payout.app.close()


# What a sender might put in headers: anything printable, a traceparent that is not one.
HEADER_NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,30}", fullmatch=True).filter(
    lambda name: not name.lower().startswith("nats-")
)
HEADER_VALUES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=300
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Nats-Msg-Id": st.just(FRESH),  # unique at publishing: the server dedupes on it
        "traceparent": st.one_of(
            HEADER_VALUES, st.just("00-" + "0" * 32 + "-" + "0" * 16 + "-01"), st.just("00-zz")
        ),
        "Conbini-Flow": HEADER_VALUES,
        "Conbini-Dead-Reason": HEADER_VALUES,
    },
).flatmap(lambda fixed: st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=4).map(fixed.__or__))

VALID = struct_strategy(WorkerRegistered).map(
    lambda event: msgspec.structs.replace(event, tenant=TENANT)
)


def as_json(event: WorkerRegistered) -> dict[str, Any]:
    return dict(json.loads(encode(event)))


def broken(body: dict[str, Any], name: str, value: object) -> bytes:
    return json.dumps(body | {name: value}).encode()


WRONG_TYPES: st.SearchStrategy[tuple[str, object]] = st.one_of(
    st.tuples(st.just("worker_id"), st.one_of(st.integers(), st.just("not-a-uuid"), st.none())),
    st.tuples(
        st.just("birth_year"), st.one_of(st.text(max_size=5), st.floats(), st.lists(st.integers()))
    ),
    st.tuples(
        st.just("occurred_at"),
        st.one_of(st.integers(), st.just("2026-13-45T99:00:00"), st.just("2026-04-01T10:00:00")),
    ),
    st.tuples(st.just("event_id"), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
    st.tuples(st.just("sex"), st.just("dragon")),
    st.tuples(st.just("schema_version"), st.integers(min_value=2, max_value=99)),
)
OUT_OF_RANGE = st.one_of(
    st.tuples(
        st.just("birth_year"), st.one_of(st.integers(max_value=-1), st.integers(min_value=2201))
    ),
    st.tuples(st.just("district"), st.text(min_size=201, max_size=400)),
    st.tuples(st.just("tenant"), st.just("Not A Tenant!")),
)


@st.composite
def garbage(draw: st.DrawFn) -> bytes:  # noqa: PLR0911 - one return per kind
    """One payload the `WorkerRegistered` decoder must refuse."""
    event = draw(VALID)
    body = as_json(event)
    kind = draw(
        st.sampled_from(
            [
                "bytes",
                "truncated",
                "msgpack",
                "wrong type",
                "out of range",
                "other tag",
                "missing field",
                "huge",
                "not an object",
            ]
        )
    )
    if kind == "bytes":
        return draw(st.binary(max_size=2000).filter(lambda raw: raw[:1] != b"{"))
    if kind == "truncated":
        raw = encode(event)
        return raw[: draw(st.integers(min_value=0, max_value=len(raw) - 1))]
    if kind == "msgpack":
        return msgspec.msgpack.encode(event)
    if kind == "wrong type":
        return broken(body, *draw(WRONG_TYPES))
    if kind == "out of range":
        return broken(body, *draw(OUT_OF_RANGE))
    if kind == "other tag":
        tag = draw(
            st.sampled_from(
                ["broker.task_offered.v1", "broker.unknown.v9", "", "payout.reward_paid.v1"]
            )
        )
        return broken(body, "type", tag)
    if kind == "missing field":
        name = draw(st.sampled_from(["type", "event_id", "tenant", "worker_id", "occurred_at"]))
        return json.dumps({k: v for k, v in body.items() if k != name}).encode()
    if kind == "huge":
        name = draw(st.sampled_from(["worker_id", "tenant", "type", "occurred_at"]))
        return broken(body, name, "x" * draw(st.integers(min_value=10_000, max_value=HUGE)))
    return json.dumps(
        draw(st.one_of(st.lists(st.integers()), st.text(), st.integers(), st.none()))
    ).encode()


@st.composite
def misaddressed(draw: st.DrawFn) -> bytes:
    """A valid event of another council than its subject says (tenant mismatch)."""
    return encode(msgspec.structs.replace(draw(VALID), tenant="another-town"))


GARBAGE = st.one_of(garbage(), misaddressed())


def a_registration() -> WorkerRegistered:
    return WorkerRegistered(
        event_id=uuid4(),
        occurred_at=datetime(2026, 4, 1, tzinfo=UTC),
        tenant=TENANT,
        correlation_id=uuid4(),
        worker_id=uuid4(),
    )


async def publish(nc: Client, subject: str, data: bytes, headers: dict[str, str]) -> int:
    if headers.get("Nats-Msg-Id") == FRESH:
        headers = headers | {"Nats-Msg-Id": str(uuid4())}
    ack = await nc.jetstream().publish(subject, data, headers=headers or None, timeout=10)
    assert not ack.duplicate
    return ack.seq


async def last_dead_letter(nc: Client) -> int:
    return int((await nc.jetstream().stream_info(DEAD_LETTER_STREAM)).state.last_seq)


async def dead_letters_from(nc: Client, first: int) -> list[Any]:
    js = nc.jetstream()
    info = await js.stream_info(DEAD_LETTER_STREAM)
    return [
        await js.get_msg(DEAD_LETTER_STREAM, seq=seq)
        for seq in range(first, info.state.last_seq + 1)
    ]


async def settled(inbox: Inbox, seq: int) -> None:
    await eventually(
        lambda: inbox.status.position >= seq,
        within=WAIT_S,
        what=lambda: f"seq {seq} settled; the inbox is at {inbox.status}",
    )


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # big failing reprs
@given(
    before=VALID,
    after=VALID,
    junk=st.lists(st.tuples(GARBAGE, HEADERS), min_size=1, max_size=3),
    before_headers=HEADERS,
    after_headers=HEADERS,
)
@example(
    before=a_registration(),
    after=a_registration(),
    junk=[
        (b"\xff\x00", {"traceparent": "00-zz"}),
        (b"", {}),
        # Found by this test: a body without its `type` was taken as the subject's event.
        (
            json.dumps(
                {k: v for k, v in as_json(a_registration()).items() if k != "type"}
            ).encode(),
            {},
        ),
    ],
    before_headers={},
    after_headers={"Nats-Msg-Id": FRESH, "traceparent": "00-" + "f" * 32 + "-" + "f" * 16 + "-ff"},
)
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
def test_garbage_lands_in_the_dead_letter_stream_and_valid_events_are_taken_once(
    consumer: Consumer,
    before: WorkerRegistered,
    after: WorkerRegistered,
    junk: list[tuple[bytes, dict[str, str]]],
    before_headers: dict[str, str],
    after_headers: dict[str, str],
) -> None:
    run, nc, status = consumer.loop.run, consumer.nc, consumer.inbox.status
    processed, dead_lettered = status.processed, status.dead_lettered
    first_dead = run(last_dead_letter(nc)) + 1
    subject = subject_of(before)

    run(publish(nc, subject, encode(before), before_headers))
    garbage_seqs = {run(publish(nc, subject, data, headers)): data for data, headers in junk}
    last = run(publish(nc, subject_of(after), encode(after), after_headers))
    run(settled(consumer.inbox, last))

    assert not consumer.task.done(), "the inbox is still running"
    note(f"garbage: {[(data[:300], headers) for data, headers in junk]}")
    assert status.processed - processed == 2
    assert status.dead_lettered - dead_lettered == len(junk)
    for event in (before, after):
        payee: object = consumer.payout.app.repository.get(event.worker_id)
        assert isinstance(payee, Payee)
        assert payee.version == 1  # registered once, however often the id came
    parked = run(dead_letters_from(nc, first_dead))
    by_seq = {int(m.headers["Conbini-Dead-Sequence"]): m for m in parked}
    assert set(by_seq) == set(garbage_seqs)
    for seq, data in garbage_seqs.items():
        assert (by_seq[seq].data or b"") == data  # nats-py reads an empty payload as None
        assert by_seq[seq].headers["Conbini-Dead-Reason"].strip()
        assert by_seq[seq].headers["Conbini-Dead-Consumer"] == "payout-from-broker"
