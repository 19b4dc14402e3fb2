"""What every channel is given and what it answers."""

from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID

from notify.domain.offer import Outcome


@dataclass(frozen=True, kw_only=True)
class Contact:
    """How to reach one worker, fetched from the broker when sending and never stored."""

    channels: tuple[str, ...]
    """In the worker's order of preference (web is always among them)."""
    email: str | None = None
    phone: str | None = None
    line_user_id: str | None = None
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class Message:
    """One message to one worker, Japanese first (やさしい日本語), then English."""

    key: UUID
    """Stable per offer, channel and attempt: providers use it to drop duplicates."""
    subject_ja: str
    subject_en: str
    body_ja: str
    body_en: str
    page_url: str
    accept_url: str | None = None
    decline_url: str | None = None
    postback: dict[str, str] = field(default_factory=dict)
    """LINE postback data for the accept and decline buttons."""


@dataclass(frozen=True)
class Delivery:
    """What came of one try."""

    outcome: Outcome
    detail: str


class Sender(Protocol):
    """A channel that can push a message to a worker."""

    name: str

    def send(self, message: Message, contact: Contact) -> Delivery:
        """Try once; never raise for the channel's own failures."""
