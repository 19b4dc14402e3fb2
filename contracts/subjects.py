"""NATS naming: one subject per event type and tenant, one stream per producing service."""

from contracts.base import IntegrationEvent

PRODUCERS = ("broker", "notify", "payout")
"""Every service that publishes integration events, in the order they appear in the flow."""

DEAD_LETTER_STREAM = "DEADLETTER"
"""Messages a consumer could not decode or handle, with the reason, for a person to look at."""
DEAD_LETTER_SUBJECT_PREFIX = "deadletter"


def subject_of(event: IntegrationEvent) -> str:
    """Return the subject an event is published on: `<tag>.<tenant>`.

    Example: `broker.task_offered.v1.mine-wakuwaku`. Consumers filter by type with
    `broker.task_offered.v1.*` or by tenant with `broker.*.*.mine-wakuwaku`.
    """
    return f"{event.type_tag()}.{event.tenant}"


def subject_filter(event_type: type[IntegrationEvent], tenant: str = "*") -> str:
    """Return the subject filter for one event type, for all tenants or one."""
    return f"{event_type.type_tag()}.{tenant}"


def stream_name(producer: str) -> str:
    """Return the JetStream stream that holds everything `producer` publishes (`BROKER`)."""
    return producer.upper()


def stream_subjects(producer: str) -> list[str]:
    """Return the subjects a producer's stream captures (`broker.>`)."""
    return [f"{producer}.>"]


def durable_name(consumer: str, producer: str) -> str:
    """Return the durable consumer (and tracking) name: `<consumer>-from-<producer>`."""
    return f"{consumer}-from-{producer}"


def dead_letter_subject(consumer: str, producer: str) -> str:
    """Return where a consumer parks what it could not process: `deadletter.<durable>`."""
    return f"{DEAD_LETTER_SUBJECT_PREFIX}.{durable_name(consumer, producer)}"


def producer_of(event_type: type[IntegrationEvent]) -> str:
    """Return the service that owns an event type, read from its tag."""
    return event_type.type_tag().split(".", 1)[0]
