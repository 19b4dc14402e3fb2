"""Facts notify publishes: the worker's own answer to an offer. Additive changes only."""

from uuid import UUID

import msgspec

from contracts.base import AwareDatetime, IntegrationEvent, ShortText
from contracts.values import Channel


class OfferAccepted(IntegrationEvent, frozen=True, tag="notify.offer_accepted.v1"):
    """A worker said yes to an offer. The broker decides whether the task becomes theirs."""

    offer_id: UUID
    """The offer answered."""
    task_id: UUID
    """Its task."""
    worker_id: UUID
    """The worker who answered."""
    channel: Channel
    """Where the answer came from (web page, LINE, phone call, …)."""
    answered_at: AwareDatetime
    """When the worker gave the answer (may precede `occurred_at` for a phoned answer)."""
    recorded_by: UUID | None = None
    """The coordinator who recorded an answer given by phone; None when the worker did."""


class OfferDeclined(IntegrationEvent, frozen=True, tag="notify.offer_declined.v1"):
    """A worker said no to an offer; the broker may offer the task to someone else."""

    offer_id: UUID
    """The offer answered."""
    task_id: UUID
    """Its task."""
    worker_id: UUID
    """The worker who answered."""
    channel: Channel
    """Where the answer came from."""
    answered_at: AwareDatetime
    """When the worker gave the answer."""
    recorded_by: UUID | None = None
    """The coordinator who recorded an answer given by phone; None when the worker did."""
    reason: ShortText = ""
    """Optional reason the worker gave (no personal data)."""


NotifyEvent = OfferAccepted | OfferDeclined
notify_decoder: msgspec.json.Decoder[NotifyEvent] = msgspec.json.Decoder(NotifyEvent)
