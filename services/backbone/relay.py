"""The relay: a service's stored events → contract events → JetStream, in order, at least once.

The event store's notification log is the outbox. The relay holds the service's lease,
reads notifications after its recorded position, translates each domain event (private
ones are skipped), publishes the batch pipelined with `Nats-Msg-Id = <service>:<id>` and
`Nats-Expected-Last-Msg-Id` chained inside the batch (so one failure fails everything after
it instead of reordering the stream), awaits every PubAck, and only then records its
position in the service's tracking table. Killed at any instant, it republishes at most
one batch, and JetStream drops the copies.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Notification, Tracking
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.api import PubAck
from nats.js.errors import BadRequestError
from opentelemetry.trace import SpanKind

from backbone.crashpoints import RELAY_AFTER_PUBACK, CrashPoint, reached
from backbone.errors import is_transient
from backbone.flow import Envelope, envelope_of, traceparent
from backbone.leases import Lease
from backbone.stores import ServiceApplication
from backbone.threads import run_sync
from backbone.tracing import span_for
from contracts.base import IntegrationEvent, encode
from contracts.subjects import stream_name, subject_of

log = logging.getLogger(__name__)

Translator = Callable[[DomainEventProtocol[UUID], Envelope], IntegrationEvent | None]
"""Pure: a stored domain event and its envelope → the contract event, or None if private."""

WRONG_LAST_MSG_ID = 10070


@dataclass(frozen=True, kw_only=True)
class RelaySettings:
    """How a relay batches, waits and retries."""

    batch_size: int = 500
    idle_wait_s: float = 0.02
    """Pause between polls when nothing new was stored."""
    ack_timeout_s: float = 10.0
    """How long to wait for a batch's PubAcks before republishing it."""
    max_backoff_s: float = 5.0
    default_tenant: str = "default"
    """The tenant of events stored outside any flow."""
    crash_at: CrashPoint | None = None


@dataclass
class RelayStatus:
    """What the relay has done; read by health checks and metrics."""

    position: int = 0
    head: int = 0
    published: int = 0
    skipped_private: int = 0
    active: bool = False
    last_error: str = ""
    started_at: float = field(default_factory=time.monotonic)

    @property
    def lag(self) -> int:
        """Stored events not yet published."""
        return max(self.head - self.position, 0)


class Outgoing(NamedTuple):
    """One contract event ready to publish."""

    subject: str
    payload: bytes
    headers: dict[str, str]


class RelayError(RuntimeError):
    """A batch could not be published; it will be retried from its first event."""


class Relay:
    """Publishes one service's stored events to its JetStream stream."""

    def __init__(
        self,
        *,
        service: str,
        app: ServiceApplication,
        translate: Translator,
        nc: Client,
        lease: Lease,
        settings: RelaySettings,
    ) -> None:
        self.service = service
        self.app = app
        self.translate = translate
        self.js = nc.jetstream()
        self.lease = lease
        self.settings = settings
        self.tracking_name = f"{service}-relay"
        self.stream = stream_name(service)
        self.status = RelayStatus()

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; survive NATS and database outages by retrying."""
        backoff = 0.05
        try:
            while not stop.is_set():
                try:
                    published = await self.step()
                except (RelayError, NatsError, OSError, TimeoutError) as error:
                    self.status.last_error = f"{type(error).__name__}: {error}"
                    log.warning("relay %s: %s; retrying", self.service, self.status.last_error)
                    await sleep_unless(stop, backoff)
                    backoff = min(backoff * 2, self.settings.max_backoff_s)
                    continue
                except Exception as error:
                    self.status.last_error = f"{type(error).__name__}: {error}"
                    if is_transient(error):
                        log.warning("relay %s: store unavailable (%s)", self.service, error)
                    else:
                        log.exception("relay %s: cannot relay; retrying", self.service)
                    await sleep_unless(stop, backoff)
                    backoff = min(backoff * 2, self.settings.max_backoff_s)
                    continue
                backoff = 0.05
                if not published:
                    await sleep_unless(stop, self.settings.idle_wait_s)
        finally:
            self.lease.release()
            self.status.active = False

    async def step(self) -> bool:
        """Publish the next batch, if we hold the lease; return whether anything moved."""
        if not await run_sync(self.lease.try_acquire):
            if self.status.active:
                log.warning("relay %s lost its lease", self.service)
            self.status.active = False
            await asyncio.sleep(0.5)
            return False
        if not self.status.active:
            self.status.active = True
            log.info("relay %s is the active relay", self.service)
        position = await run_sync(self.app.recorder.max_tracking_id, self.tracking_name) or 0
        self.status.position = position
        notifications = await run_sync(
            self.app.recorder.select_notifications,
            start=position + 1,
            limit=self.settings.batch_size,
        )
        if not notifications:
            self.status.head = position
            return False
        self.status.head = max(self.status.head, notifications[-1].id)
        published = await self.publish(notifications)
        reached(self.settings.crash_at, RELAY_AFTER_PUBACK)
        last = notifications[-1].id
        if not await run_sync(self.lease.still_held):
            msg = "lease lost before recording the position; another relay may be active"
            raise RelayError(msg)
        try:
            await run_sync(self.app.recorder.insert_tracking, Tracking(self.tracking_name, last))
        except IntegrityError:
            log.info("relay %s: position %s already recorded", self.service, last)
        self.status.position = last
        self.status.published += published
        self.status.skipped_private += len(notifications) - published
        return True

    def prepare(self, notifications: Sequence[Notification]) -> list[Outgoing]:
        """Translate a batch into the messages of its public events, in order."""
        prepared = []
        for note in notifications:
            event = self.app.mapper.to_domain_event(note)
            envelope = envelope_of(event, default_tenant=self.settings.default_tenant)
            contract = self.translate(event, envelope)
            if contract is None:
                continue
            headers = {
                "Nats-Msg-Id": f"{self.service}:{note.id}",
                "Es-Notification-Id": str(note.id),
                "traceparent": traceparent(contract.correlation_id, contract.event_id),
            }
            subject = subject_of(contract)
            with span_for(
                f"publish {subject}",
                headers["traceparent"],
                SpanKind.PRODUCER,
                **{"messaging.system": "nats", "messaging.message.id": headers["Nats-Msg-Id"]},
            ):
                prepared.append(Outgoing(subject, encode(contract), headers))
        return prepared

    async def publish(self, notifications: Sequence[Notification]) -> int:
        """Publish a batch pipelined and wait for every PubAck; return how many were public.

        Raises:
            RelayError: a publish failed or timed out; nothing after it is assumed stored.
        """
        futures: list[asyncio.Future[PubAck]] = []
        previous: str | None = None
        for message in self.prepare(notifications):
            headers = dict(message.headers)
            if previous is not None:
                headers["Nats-Expected-Last-Msg-Id"] = previous
            futures.append(
                await self.js.publish_async(
                    message.subject, message.payload, stream=self.stream, headers=headers
                )
            )
            previous = headers["Nats-Msg-Id"]
        if not futures:
            return 0
        try:
            await asyncio.wait_for(asyncio.gather(*futures), timeout=self.settings.ack_timeout_s)
        except BadRequestError as error:
            cancel(futures)
            if error.err_code == WRONG_LAST_MSG_ID:
                msg = f"stream {self.stream} is not where this batch expects: {error}"
                raise RelayError(msg) from error
            raise
        except (TimeoutError, NatsError) as error:
            cancel(futures)
            msg = f"no PubAck for the batch within {self.settings.ack_timeout_s}s: {error!r}"
            raise RelayError(msg) from error
        return len(futures)


def cancel(futures: Sequence[asyncio.Future[PubAck]]) -> None:
    """Give up waiting on PubAcks (frees nats-py's in-flight slots)."""
    for future in futures:
        if not future.done():
            future.cancel()


async def sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, waking early when `stop` is set."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
