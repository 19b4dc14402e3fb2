"""The envelope every integration event carries, and how events become NATS messages."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
"""An instant with its UTC offset; naive datetimes are refused when decoding."""

Yen = Annotated[int, msgspec.Meta(ge=0, le=10_000_000_000)]
"""An amount of money in whole yen (円). Never negative, never fractional."""

Minutes = Annotated[int, msgspec.Meta(ge=0, le=60 * 24 * 366)]
"""A duration in whole minutes."""

TenantId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
"""The council running the marketplace, e.g. `mine-wakuwaku`; also a NATS subject token."""

ShortText = Annotated[str, msgspec.Meta(max_length=200)]
"""A one-line label such as a title or a district name (no personal data)."""


class IntegrationEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """A fact one service publishes for the others. Subclasses set a unique tag.

    The tag is `<producer>.<event_snake>.v<N>`; `schema_version` repeats `N` on the wire so
    a reader can tell versions apart without parsing the tag.
    """

    event_id: UUID
    """Stable id of this fact; a republished event keeps it, so consumers may dedupe on it."""
    occurred_at: AwareDatetime
    """When the fact became true. UTC on the wire; show it in Asia/Tokyo."""
    tenant: TenantId
    """The council (協議会) whose marketplace this fact belongs to."""
    correlation_id: UUID
    """Shared by every event of one business flow, from the job request to the payment."""
    causation_id: UUID | None = None
    """The `event_id` (or command id) that directly caused this event; None for a first cause."""
    schema_version: Literal[1] = 1
    """The `N` of the tag's `v<N>`; a `v2` event redeclares it as `Literal[2] = 2`."""

    @classmethod
    def type_tag(cls) -> str:
        """Return the tag that names this event type on the wire and in its subject."""
        tag = cls.__struct_config__.tag
        if not isinstance(tag, str):  # pragma: no cover - every concrete event sets one
            msg = f"{cls.__name__} has no string tag"
            raise TypeError(msg)
        return tag


def encode(event: IntegrationEvent) -> bytes:
    """Serialise an event as JSON, tag included."""
    return msgspec.json.encode(event)
