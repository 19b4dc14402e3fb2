"""Which business flow each stored event belongs to: tenant, correlation and causation.

Domain events know nothing of flows. The service records them beside each event: HTTP
commands run inside `within_flow(...)`, and the inbox stamps every event a contract event
caused. `FlowMapper` writes the stamp into the stored state (`_flow`), so the relay can
build each contract event's envelope, and W3C `traceparent`, without loading anything.
"""

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict
from uuid import UUID, uuid5

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent

FLOW_KEY = "_flow"


@dataclass(frozen=True, slots=True)
class Flow:
    """The business flow a write belongs to."""

    tenant: str
    correlation_id: UUID
    causation_id: UUID | None = None


class Envelope(TypedDict):
    """The envelope fields of a contract event, ready to unpack into its constructor."""

    event_id: UUID
    occurred_at: datetime
    tenant: str
    correlation_id: UUID
    causation_id: UUID | None


EventKey = tuple[UUID, int]

current_flow: ContextVar[Flow | None] = ContextVar("current_flow", default=None)
stamps: ContextVar[Mapping[EventKey, Flow]] = ContextVar("stamps", default={})  # noqa: B039 - never mutated


@contextlib.contextmanager
def within_flow(flow: Flow) -> Iterator[None]:
    """Stamp every event stored inside the block with `flow`."""
    token = current_flow.set(flow)
    try:
        yield
    finally:
        current_flow.reset(token)


@contextlib.contextmanager
def stamped(flows: Mapping[EventKey, Flow]) -> Iterator[None]:
    """Stamp each event stored inside the block with its own flow (batched inbox writes)."""
    token = stamps.set(flows)
    try:
        yield
    finally:
        stamps.reset(token)


class FlowMapper(Mapper[UUID]):
    """The default mapper, plus the flow stamp in each stored event's state."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        """Store the event with the flow it was written in, if any."""
        key = (domain_event.originator_id, domain_event.originator_version)
        flow = stamps.get().get(key) or current_flow.get()
        if flow is None or FLOW_KEY in vars(domain_event):
            return super().to_stored_event(domain_event)
        object.__setattr__(domain_event, FLOW_KEY, flow_to_state(flow))
        try:
            return super().to_stored_event(domain_event)
        finally:
            object.__delattr__(domain_event, FLOW_KEY)


def flow_to_state(flow: Flow) -> dict[str, str | None]:
    """Return the JSON-friendly form of a flow stored with an event."""
    return {
        "tenant": flow.tenant,
        "correlation_id": str(flow.correlation_id),
        "causation_id": str(flow.causation_id) if flow.causation_id else None,
    }


def event_id_of(event: DomainEventProtocol[UUID]) -> UUID:
    """Return the stable id of a stored event: the same on every republish."""
    return uuid5(event.originator_id, str(event.originator_version))


def occurred_at(event: DomainEventProtocol[UUID]) -> datetime:
    """Return when a stored domain event happened (aware, UTC).

    Raises:
        TypeError: the event carries no aware timestamp.
    """
    timestamp = getattr(event, "timestamp", None)
    if not isinstance(timestamp, datetime) or timestamp.tzinfo is None:
        msg = f"{type(event).__name__} has no aware timestamp"
        raise TypeError(msg)
    return timestamp


def envelope_of(event: DomainEventProtocol[UUID], *, default_tenant: str) -> Envelope:
    """Return the contract envelope of a stored domain event."""
    event_id = event_id_of(event)
    state: Any = vars(event).get(FLOW_KEY)
    if isinstance(state, dict):
        causation = state.get("causation_id")
        return Envelope(
            event_id=event_id,
            occurred_at=occurred_at(event),
            tenant=str(state["tenant"]),
            correlation_id=UUID(str(state["correlation_id"])),
            causation_id=UUID(causation) if causation else None,
        )
    return Envelope(
        event_id=event_id,
        occurred_at=occurred_at(event),
        tenant=default_tenant,
        correlation_id=event_id,  # a first cause starts its own flow
        causation_id=None,
    )


def traceparent(correlation_id: UUID, event_id: UUID) -> str:
    """Return a W3C `traceparent`: the flow is the trace, the event its span."""
    return f"00-{correlation_id.hex}-{event_id.hex[:16]}-01"


def flow_caused_by(tenant: str, correlation_id: UUID, event_id: UUID) -> Flow:
    """Return the flow of events caused by a received contract event."""
    return Flow(tenant=tenant, correlation_id=correlation_id, causation_id=event_id)
