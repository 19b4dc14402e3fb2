"""Who publishes and who consumes each integration event: the context map as data."""

from collections.abc import Iterator

import msgspec

from contracts import broker, notify, payout
from contracts.base import IntegrationEvent
from contracts.subjects import PRODUCERS, producer_of

SERVICES = ("broker", "notify", "payout")
"""The services that run inboxes and relays."""


class Route(msgspec.Struct, frozen=True, kw_only=True):
    """One event type, its producer and the services that consume it."""

    event: type[IntegrationEvent]
    consumers: tuple[str, ...]

    @property
    def producer(self) -> str:
        """The service that publishes the event."""
        return producer_of(self.event)


ROUTES: tuple[Route, ...] = (
    Route(event=broker.JobRequested, consumers=()),
    Route(event=broker.TaskCarvedOut, consumers=()),
    Route(event=broker.TaskOffered, consumers=("notify",)),
    Route(event=broker.OfferExpired, consumers=("notify",)),
    Route(event=broker.OfferWithdrawn, consumers=("notify",)),
    Route(event=broker.TaskAccepted, consumers=("notify",)),
    Route(event=broker.TaskAssignmentRefused, consumers=("notify",)),
    Route(event=broker.TaskCancelled, consumers=("notify", "payout")),
    Route(event=broker.WorkStarted, consumers=("notify",)),
    Route(event=broker.WorkCompleted, consumers=("notify", "payout")),
    Route(event=broker.WorkDisputed, consumers=("notify", "payout")),
    Route(event=broker.DisputeResolved, consumers=("notify", "payout")),
    Route(event=broker.NoShowRecorded, consumers=("notify",)),
    Route(event=broker.WorkerRegistered, consumers=("notify", "payout")),
    Route(event=broker.WorkerErased, consumers=("notify", "payout")),
    Route(event=notify.OfferAccepted, consumers=("broker",)),
    Route(event=notify.OfferDeclined, consumers=("broker",)),
    Route(event=notify.WorkerCheckedIn, consumers=("broker",)),
    Route(event=notify.WorkerCheckedOut, consumers=("broker",)),
    Route(event=payout.RewardAccrued, consumers=()),
    Route(event=payout.PayoutRunClosed, consumers=()),
    Route(event=payout.RewardPaid, consumers=()),
    Route(event=payout.PayoutFailed, consumers=()),
)
"""Every live event type. A new event is added here, in its producer's module, and sampled."""

DECODERS: dict[str, msgspec.json.Decoder[IntegrationEvent]] = {
    "broker": broker.broker_decoder,  # type: ignore[dict-item]
    "notify": notify.notify_decoder,  # type: ignore[dict-item]
    "payout": payout.payout_decoder,  # type: ignore[dict-item]
}
"""The union decoder for each producer's stream."""


def routes_to(consumer: str) -> Iterator[Route]:
    """Yield the routes of the events one service consumes."""
    return (route for route in ROUTES if consumer in route.consumers)


def upstreams_of(consumer: str) -> tuple[str, ...]:
    """Return the producers a service consumes from, in flow order."""
    wanted = {route.producer for route in routes_to(consumer)}
    return tuple(producer for producer in PRODUCERS if producer in wanted)
