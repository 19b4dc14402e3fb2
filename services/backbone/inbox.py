"""The inbox: one upstream stream → the service's policies → its store, exactly once.

A durable pull consumer (`<consumer>-from-<producer>`) reads the upstream stream in order.
Each fetched batch is decoded and handed to `ServiceApplication.process_batch`, which runs
the policies and writes their events together with one tracking row (the highest stream
sequence of the batch) in a single transaction; the batch is acked (AckPolicy.ALL) only
after that commit. A redelivered message is at or below the tracking position, so it is
acked without a second effect.

A message that cannot be decoded, or whose policy keeps failing with a non-transient
error, is copied to `deadletter.<durable>` with the reason and its original headers, its
position is recorded, and the consumer goes on. A database or NATS outage is transient:
the batch is retried with backoff, never skipped.
"""

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import msgspec
from eventsourcing.persistence import IntegrityError, Tracking
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from opentelemetry.trace import SpanKind

from backbone.crashpoints import INBOX_AFTER_COMMIT, CrashPoint, reached
from backbone.errors import is_transient
from backbone.leases import Lease
from backbone.relay import sleep_unless
from backbone.stores import ServiceApplication
from backbone.threads import run_sync
from backbone.tracing import span_for
from contracts.base import IntegrationEvent
from contracts.subjects import (
    dead_letter_subject,
    durable_name,
    producer_of,
    stream_name,
    subject_filter,
)

log = logging.getLogger(__name__)

MAX_HEADER_VALUE = 1000
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class InboxSettings:
    """How an inbox batches, waits and retries."""

    batch_size: int = 500
    fetch_timeout_s: float = 1.0
    ack_wait_s: float = 10.0
    """Redelivery after this long without an ack; well above a batch's handling time."""
    max_handler_attempts: int = 5
    """Tries of one message whose policy fails with a non-transient error before it is
    dead-lettered."""
    max_backoff_s: float = 5.0
    crash_at: CrashPoint | None = None


@dataclass
class InboxStatus:
    """What the inbox has done; read by health checks and metrics."""

    position: int = 0
    active: bool = False
    processed: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    rewound: int = 0
    """Times the consumer was restarted at the recorded position (it had run ahead)."""
    last_error: str = ""


@dataclass(frozen=True)
class Received:
    """One decoded message of a batch."""

    seq: int
    event: IntegrationEvent


class Envelope(msgspec.Struct):
    """The one field every contract event carries on the wire: its tag."""

    type: str


ENVELOPE = msgspec.json.Decoder(Envelope)


class Poison(Exception):  # noqa: N818 - it names the message, not the failure
    """A message that cannot be processed, with the reason."""


class InboxStoppedError(Exception):
    """The inbox was asked to stop while a batch still waited for the store."""


class Inbox:
    """Feeds one upstream stream to a service's policies, in order, exactly once."""

    def __init__(
        self,
        *,
        consumer: str,
        producer: str,
        app: ServiceApplication,
        nc: Client,
        lease: Lease,
        settings: InboxSettings,
    ) -> None:
        self.consumer = consumer
        self.producer = producer
        self.app = app
        self.nc = nc
        self.js = nc.jetstream()
        self.settings = settings
        self.durable = durable_name(consumer, producer)
        self.stream = stream_name(producer)
        self.types = {
            event_type.type_tag(): event_type
            for event_type in app.routes
            if producer_of(event_type) == producer
        }
        self.decoders = {tag: msgspec.json.Decoder(t) for tag, t in self.types.items()}
        self.lease = lease
        self.known_position: int | None = None
        self.sub: JetStreamContext.PullSubscription | None = None
        self.next_delivery: int | None = None
        """The consumer sequence the next delivery must have; another means one was lost."""
        self.sub_stale = False
        self.status = InboxStatus()

    def consumer_config(self) -> ConsumerConfig:
        """Return the durable consumer's configuration: explicit, in order, never dropping."""
        filters = sorted(subject_filter(t) for t in self.types.values())
        return ConsumerConfig(
            durable_name=self.durable,
            description=f"{self.consumer} reads {self.producer}'s events",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.ALL,
            ack_wait=self.settings.ack_wait_s,
            max_deliver=-1,
            max_ack_pending=self.settings.batch_size,
            filter_subject=filters[0] if len(filters) == 1 else None,
            filter_subjects=filters if len(filters) > 1 else None,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, surviving outages of NATS and the store.

        Only the holder of the inbox's lease consumes: two consumers on one durable would
        commit batches out of order, and positional tracking would then drop effects. The
        next batch is fetched only after the current one is committed and acked
        (`max_ack_pending` is one batch), so redeliveries cannot overtake newer messages.
        """
        backoff = 0.05
        try:
            while not stop.is_set():
                try:
                    await self.cycle(stop)
                    backoff = 0.05
                except InboxStoppedError:
                    return
                except Exception as error:
                    self.status.last_error = f"{type(error).__name__}: {error}"
                    if is_transient(error) or isinstance(error, (NatsError, OSError)):
                        log.warning("inbox %s: %s; retrying", self.durable, self.status.last_error)
                    else:
                        log.exception("inbox %s: unexpected failure; retrying", self.durable)
                    await self.reset()
                    await sleep_unless(stop, backoff)
                    backoff = min(backoff * 2, self.settings.max_backoff_s)
        finally:
            await self.reset()
            self.lease.release()
            self.status.active = False

    async def cycle(self, stop: asyncio.Event) -> None:
        """Take (or keep) the lease, then fetch, record and ack one batch."""
        if not await run_sync(self.lease.try_acquire):
            self.status.active = False
            await sleep_unless(stop, 0.5)
            return
        if not self.status.active:
            self.status.active = True
            log.info("inbox %s is the active consumer", self.durable)
        if self.sub is None:
            await self.bind(stop)
        assert self.sub is not None  # noqa: S101 - bound just above
        msgs = await self.fetch(self.sub)
        if not msgs:
            return
        settled = await self.handle(msgs, stop)
        if settled is not None:
            await settled.ack()  # AckPolicy.ALL: settles it and everything before

    async def bind(self, stop: asyncio.Event) -> None:
        """Subscribe to the durable consumer, delivering from just after the recorded position.

        The store's tracking is the truth; the consumer's state is a cache of it. Deliveries
        that went out but were never recorded (a killed process's last fetch, a fetch that
        timed out while messages were on their way) stay pending until AckWait, while newer
        messages keep coming: taking those first would move the high-water mark past the
        pending ones, and acking them (AckPolicy.ALL) would settle the pending ones unseen.
        So when the consumer has anything pending or delivered beyond the recorded
        position, it is recreated to start at the position.
        """
        position = await self.retrying(stop, self.app.recorder.max_tracking_id, self.durable) or 0
        self.known_position = position
        config = self.consumer_config()
        try:
            info = await self.js.consumer_info(self.stream, self.durable)
        except NotFoundError:
            info = None
        if info is not None and filters_of(info.config) != filters_of(config):
            # The routes changed (a release follows more event types): a consumer keeps
            # the filter it was made with, so it is made again, from the recorded position.
            log.info(
                "inbox %s: routes changed (%s → %s); recreating the consumer at %s",
                self.durable,
                filters_of(info.config),
                filters_of(config),
                position + 1,
            )
            await self.js.delete_consumer(self.stream, self.durable)
            info = None
        if info is not None and (info.num_ack_pending or info.delivered.stream_seq > position):
            log.warning(
                "inbox %s: consumer ran ahead of the store (delivered %s, recorded %s, %s "
                "pending); restarting it at %s",
                self.durable,
                info.delivered.stream_seq,
                position,
                info.num_ack_pending,
                position + 1,
            )
            self.status.rewound += 1
            await self.js.delete_consumer(self.stream, self.durable)
            info = None
        if info is None:
            if position:
                config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
                config.opt_start_seq = position + 1
            await self.js.add_consumer(self.stream, config)
        self.sub = await self.js.pull_subscribe_bind(durable=self.durable, stream=self.stream)
        self.next_delivery = info.delivered.consumer_seq + 1 if info is not None else 1

    async def reset(self) -> None:
        """Drop the subscription; the next cycle binds to the durable consumer again."""
        if self.sub is not None:
            with contextlib.suppress(Exception):
                await self.sub.unsubscribe()
            self.sub = None

    async def fetch(self, sub: JetStreamContext.PullSubscription) -> list[Msg]:
        """Fetch the next batch in stream order; empty when nothing arrived in time."""
        try:
            return await sub.fetch(self.settings.batch_size, timeout=self.settings.fetch_timeout_s)
        except TimeoutError:  # nats-py raises its own subclass, or asyncio's, when idle
            return []

    async def handle(self, msgs: Sequence[Msg], stop: asyncio.Event) -> Msg | None:
        """Process a fetched batch in order; return the last message now settled.

        Everything up to the returned message is recorded (or was already), so acking it
        under AckPolicy.ALL is safe. Messages after an out-of-order one are left unacked
        and come back after AckWait.
        """
        if self.known_position is None:
            stored = await self.retrying(stop, self.app.recorder.max_tracking_id, self.durable)
            self.known_position = stored or 0
        high = self.known_position
        pending: list[Received] = []
        settled: Msg | None = None
        last_seq = high
        for msg in msgs:
            seq = msg.metadata.sequence.stream
            delivery = msg.metadata.sequence.consumer
            if self.next_delivery is not None and delivery != self.next_delivery:
                log.warning(
                    "inbox %s: delivery %s came instead of %s (one was lost on its way); "
                    "rebinding at the recorded position",
                    self.durable,
                    delivery,
                    self.next_delivery,
                )
                self.sub_stale = True
                break
            self.next_delivery = delivery + 1
            if seq <= high:
                self.status.duplicates += 1
                settled = msg
                continue
            if seq <= last_seq:
                log.warning("inbox %s: seq %s arrived out of order", self.durable, seq)
                break
            last_seq = seq
            try:
                with span_for(
                    f"consume {msg.subject}",
                    (msg.headers or {}).get("traceparent"),
                    SpanKind.CONSUMER,
                    **{"messaging.system": "nats", "messaging.consumer.group.name": self.durable},
                ):
                    pending.append(Received(seq, self.decode(msg)))
            except Poison as poison:
                await self.commit(pending, msgs, stop)
                pending = []
                await self.dead_letter(msg, str(poison), stop)
            settled = msg
        await self.commit(pending, msgs, stop)
        if self.sub_stale:
            self.sub_stale = False
            await self.reset()  # the next cycle rebinds, restarting the consumer if need be
        return settled

    def decode(self, msg: Msg) -> IntegrationEvent:
        """Decode a message into its contract event.

        Raises:
            Poison: undecodable, of a type this consumer does not handle, or inconsistent.
        """
        tag, _, tenant = msg.subject.rpartition(".")
        decoder = self.decoders.get(tag)
        if decoder is None:
            msg_text = f"no handler for subject {msg.subject}"
            raise Poison(msg_text)
        try:
            ENVELOPE.decode(msg.data)  # one tagged type alone would take a body with no `type`
            event = decoder.decode(msg.data)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            msg_text = f"undecodable {tag}: {error}"
            raise Poison(msg_text) from error
        if event.tenant != tenant:
            msg_text = f"subject tenant {tenant!r} differs from the event's {event.tenant!r}"
            raise Poison(msg_text)
        return event

    async def commit(self, batch: list[Received], msgs: Sequence[Msg], stop: asyncio.Event) -> None:
        """Record a batch's effects and tracking in one transaction, retrying outages.

        A policy that fails with a non-transient error is isolated by replaying the batch
        one message at a time; a message that keeps failing is dead-lettered.
        """
        if not batch:
            return
        try:
            await self.record(batch, msgs, stop)
        except InboxStoppedError:
            raise
        except Exception as error:  # noqa: BLE001 - a policy bug must not stop the consumer
            if len(batch) > 1:
                log.warning("inbox %s: batch failed (%r); one at a time", self.durable, error)
                for received in batch:
                    await self.commit([received], msgs, stop)
                return
            await self.retry_or_dead_letter(batch[0], msgs, stop, error)

    async def record(self, batch: list[Received], msgs: Sequence[Msg], stop: asyncio.Event) -> None:
        """Run the policies and commit; transient failures are retried here forever."""
        tracking = Tracking(self.durable, batch[-1].seq)
        events = [received.event for received in batch]
        backoff = 0.05
        while True:
            try:
                await run_sync(self.app.process_batch, events, tracking)
                break
            except IntegrityError:
                if await run_sync(
                    self.app.recorder.has_tracking_id, self.durable, tracking.notification_id
                ):
                    self.status.duplicates += len(batch)
                    return
                log.info("inbox %s: concurrent write, retrying batch", self.durable)
            except Exception as error:
                if not is_transient(error):
                    raise
                self.status.last_error = f"{type(error).__name__}: {error}"
                log.warning("inbox %s: store unavailable (%s)", self.durable, error)
            await keep_alive(msgs)
            await sleep_unless(stop, backoff)
            backoff = min(backoff * 2, self.settings.max_backoff_s)
            if stop.is_set():
                raise InboxStoppedError
        reached(self.settings.crash_at, INBOX_AFTER_COMMIT)
        self.status.processed += len(batch)
        self.settled(tracking.notification_id)

    async def retry_or_dead_letter(
        self, received: Received, msgs: Sequence[Msg], stop: asyncio.Event, error: Exception
    ) -> None:
        """Try a failing message a few more times, then park it with the reason."""
        for attempt in range(2, self.settings.max_handler_attempts + 1):
            await sleep_unless(stop, min(0.05 * 2**attempt, self.settings.max_backoff_s))
            try:
                await self.record([received], msgs, stop)
            except InboxStoppedError:
                raise
            except Exception as again:  # noqa: BLE001 - counted and reported below
                error = again
                continue
            return
        reason = "".join(traceback.format_exception_only(error)).strip()
        source = next(m for m in msgs if m.metadata.sequence.stream == received.seq)
        await self.dead_letter(
            source, f"policy failed {self.settings.max_handler_attempts}x: {reason}", stop
        )

    async def dead_letter(self, msg: Msg, reason: str, stop: asyncio.Event) -> None:
        """Copy a message to the dead-letter stream with why, then record its position."""
        seq = msg.metadata.sequence.stream
        headers = {
            key: value for key, value in (msg.headers or {}).items() if not key.startswith("Nats-")
        }
        headers |= {
            "Nats-Msg-Id": f"dead:{self.durable}:{seq}",
            "Conbini-Dead-Reason": header_safe(reason),
            "Conbini-Dead-Consumer": self.durable,
            "Conbini-Dead-Stream": self.stream,
            "Conbini-Dead-Sequence": str(seq),
            "Conbini-Dead-Subject": msg.subject,
            "Conbini-Dead-Msg-Id": (msg.headers or {}).get("Nats-Msg-Id", ""),
        }
        subject = dead_letter_subject(self.consumer, self.producer)
        backoff = 0.05
        while True:
            try:
                await self.js.publish(subject, msg.data, headers=headers, timeout=5)
                break
            except (NatsError, OSError, TimeoutError) as error:
                log.warning("inbox %s: dead-letter publish failed (%s)", self.durable, error)
                await keep_alive([msg])
                await sleep_unless(stop, backoff)
                backoff = min(backoff * 2, self.settings.max_backoff_s)
        log.error("inbox %s: dead-lettered seq %s: %s", self.durable, seq, reason)
        self.status.dead_lettered += 1
        await self.record_position_only(seq, stop)

    async def record_position_only(self, seq: int, stop: asyncio.Event) -> None:
        """Record that a message is settled without any effect."""
        tracking = Tracking(self.durable, seq)
        backoff = 0.05
        while not stop.is_set():
            try:
                await run_sync(self.app.process_batch, [], tracking)
            except IntegrityError:
                self.settled(seq)  # already recorded
                return
            except Exception as error:
                if not is_transient(error):
                    raise
                await sleep_unless(stop, backoff)
                backoff = min(backoff * 2, self.settings.max_backoff_s)
                continue
            self.settled(seq)
            return

    def settled(self, seq: int) -> None:
        """Remember the highest stream sequence whose effects are recorded."""
        self.known_position = max(self.known_position or 0, seq)
        self.status.position = self.known_position

    async def retrying(self, stop: asyncio.Event, func: Callable[..., T], *args: object) -> T:
        """Call a store read, waiting out outages."""
        backoff = 0.05
        while True:
            try:
                return await run_sync(func, *args)
            except Exception as error:
                if not is_transient(error) or stop.is_set():
                    raise
                await sleep_unless(stop, backoff)
                backoff = min(backoff * 2, self.settings.max_backoff_s)


def header_safe(text: str) -> str:
    """Return text fit for a NATS header value: one line, bounded length."""
    return " ".join(text.split())[:MAX_HEADER_VALUE]


async def keep_alive(msgs: Sequence[Msg]) -> None:
    """Tell the server we are still working on these messages (extends AckWait)."""
    for msg in msgs:
        try:
            await msg.in_progress()
        except (NatsError, OSError):
            return


def filters_of(config: ConsumerConfig) -> list[str]:
    """A consumer's filter subjects, whichever field the server or nats-py put them in."""
    listed = [
        *(config.filter_subjects or ()),
        *([config.filter_subject] if config.filter_subject else []),
    ]
    return sorted(set(listed))
