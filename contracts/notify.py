"""Facts notify publishes: the worker's own answers, check-ins and check-outs. Additive only."""

from uuid import UUID

import msgspec

from contracts.base import AwareDatetime, IntegrationEvent, Minutes, ShortText
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


class WorkerCheckedIn(IntegrationEvent, frozen=True, tag="notify.worker_checked_in.v1"):
    """The assigned worker checked in on the worker page (or a coordinator for them)."""

    task_id: UUID
    """The task being started."""
    worker_id: UUID
    """Who checked in."""
    channel: Channel
    """Where the check-in came from."""
    checked_in_at: AwareDatetime
    """When the worker said they began."""
    recorded_by: UUID | None = None
    """The coordinator who recorded it for the worker; None when the worker did."""


class WorkerCheckedOut(IntegrationEvent, frozen=True, tag="notify.worker_checked_out.v1"):
    """The worker checked out and reported the work done; the requester still confirms it."""

    task_id: UUID
    """The task worked."""
    worker_id: UUID
    """Who worked it."""
    channel: Channel
    """Where the check-out came from."""
    checked_out_at: AwareDatetime
    """When the worker said they finished."""
    reported_minutes: Minutes
    """Minutes the worker reports having worked (the requester's 検収 may differ)."""
    recorded_by: UUID | None = None
    """The coordinator who recorded it for the worker; None when the worker did."""
    note: ShortText = ""
    """What the worker wants the requester to know (no personal data)."""


NotifyEvent = OfferAccepted | OfferDeclined | WorkerCheckedIn | WorkerCheckedOut
notify_decoder: msgspec.json.Decoder[NotifyEvent] = msgspec.json.Decoder(NotifyEvent)
