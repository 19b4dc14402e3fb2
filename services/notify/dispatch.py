"""The dispatcher: carries each open offer down the worker's channels until answered.

Order per worker: the channels they chose (LINE, SMS, email …), each time-boxed. A
channel that cannot deliver (no contact, no provider, refused) is recorded undeliverable
and the next one is tried at once; a transient failure is retried with backoff, then given
up; a delivered message waits `escalate_after` for an answer before the next channel.
When the channels run out, or the offer has waited `call_after`, it goes on the
coordinator's call list. Every attempt is an event, so a restart resumes where it was;
a send interrupted before it was recorded is repeated with the same provider key.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from backbone.clock import Clock
from notify.application import NotifyApplication
from notify.board import OfferCard
from notify.channels.base import Contact, Delivery, Message, Sender
from notify.channels.contacts import ContactBook, ContactsUnavailableError
from notify.commands.record_delivery import put_on_call_list, record_delivery
from notify.commands.record_notice import record_notice
from notify.domain.offer import Outcome
from notify.messages import notice_message, offer_message

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Escalation:
    """How long each step waits."""

    escalate_after: timedelta = timedelta(hours=2)
    """A delivered message waits this long for an answer before the next channel."""
    call_after: timedelta = timedelta(hours=6)
    """Unanswered this long: on the coordinator's call list whatever the channels."""
    retry_base: timedelta = timedelta(seconds=30)
    """First retry after a transient failure; doubles each time."""
    max_attempts: int = 5
    """Transient failures on one channel before it is given up."""
    remind_before: timedelta = timedelta(days=1)
    """Reminders go out this long before a task starts."""
    contacts_ttl: timedelta = timedelta(seconds=60)
    """How long contacts fetched from the broker are reused in memory (never stored)."""


class Links:
    """Makes the URLs a message carries."""

    def __init__(self, public_url: str, sign: Callable[[UUID, str], str]) -> None:
        """Links under `public_url`, signed by `sign`."""
        self.public_url = public_url.rstrip("/")
        self.sign = sign

    def page(self, worker_id: UUID, tenant: str) -> str:
        """The worker's own page."""
        return f"{self.public_url}/w/{self.sign(worker_id, tenant)}"

    def offer(self, worker_id: UUID, tenant: str, offer_id: UUID) -> str:
        """One offer on the worker's page, with its two buttons."""
        return f"{self.page(worker_id, tenant)}/offers/{offer_id}"


class Dispatcher:
    """One pass over everything that needs sending; run it every second or so."""

    def __init__(
        self,
        app: NotifyApplication,
        *,
        senders: Mapping[str, Sender],
        contacts: ContactBook,
        links: Links,
        clock: Clock,
        escalation: Escalation,
    ) -> None:
        """Wire the dispatcher."""
        self.app, self.senders, self.contacts = app, senders, contacts
        self.links, self.clock, self.escalation = links, clock, escalation
        self._contacts: dict[UUID, tuple[datetime, Contact | None]] = {}

    def contact_of(self, worker_id: UUID, tenant: str, now: datetime) -> Contact | None:
        """Contacts from the broker, reused briefly.

        Raises:
            ContactsUnavailableError: the broker did not answer.
        """
        cached = self._contacts.get(worker_id)
        if cached and now - cached[0] < self.escalation.contacts_ttl:
            return cached[1]
        found = self.contacts.reach(worker_id, tenant)
        self._contacts[worker_id] = (now, found)
        return found

    def tick(self) -> int:
        """Advance every open offer and due reminder once; return how many steps were taken."""
        self.app.board.catch_up(self.app)
        now = self.clock.now()
        steps = 0
        for card in self.app.board.open_offers():
            if card.expires_at <= now or card.worker_id in self.app.board.erased:
                continue
            try:
                steps += self.advance(card, now)
            except ContactsUnavailableError as error:
                log.warning("contacts unavailable, will retry: %s", error)
                return steps
        notices = [
            (kind, job.job_id, job.worker_id, job.tenant, job.shown, job.notices)
            for kind, job in self.app.board.jobs_due_notice(now, self.escalation.remind_before)
        ] + [
            ("taken", card.offer_id, card.worker_id, card.tenant, card.shown, card.notices)
            for card in self.app.board.offers_due_notice()
        ]
        for kind, about, worker_id, tenant, shown, tried in notices:
            if worker_id in self.app.board.erased:
                continue
            try:
                steps += self.notice(kind, about, worker_id, tenant, shown, tried, now)
            except ContactsUnavailableError as error:
                log.warning("contacts unavailable, will retry: %s", error)
                return steps
        return steps

    def advance(self, card: OfferCard, now: datetime) -> int:
        """Take the next step for one offer (at most one send); return 1 if a step was taken."""
        contact = self.contact_of(card.worker_id, card.tenant, now)
        plan = [c for c in (contact.channels if contact else ()) if c in self.senders]
        for channel in plan:
            tries = [(outcome, at) for c, outcome, at in card.attempts if c == channel]
            if not tries:
                return self.send(card, channel, contact, attempt=1)
            outcome, at = tries[-1]
            if outcome is Outcome.SENT:
                if now - at < self.escalation.escalate_after:
                    return self.call_if_overdue(card, now)
                continue
            if outcome is Outcome.FAILED and len(tries) < self.escalation.max_attempts:
                if now - at >= self.escalation.retry_base * 2 ** (len(tries) - 1):
                    return self.send(card, channel, contact, attempt=len(tries) + 1)
                return self.call_if_overdue(card, now)
        if not card.on_call_list:  # every channel tried and none answered
            put_on_call_list(self.app, card.offer_id)
            return 1
        return 0

    def call_if_overdue(self, card: OfferCard, now: datetime) -> int:
        """Put a long-unanswered offer on the call list even while channels are waiting."""
        if not card.on_call_list and now - card.received_at >= self.escalation.call_after:
            put_on_call_list(self.app, card.offer_id)
            return 1
        return 0

    def send(self, card: OfferCard, channel: str, contact: Contact | None, attempt: int) -> int:
        """Send the offer on one channel and record what happened."""
        message = offer_message(
            offer_id=card.offer_id,
            shown=card.shown,
            channel=channel,
            attempt=attempt,
            page_url=self.links.page(card.worker_id, card.tenant),
            offer_url=self.links.offer(card.worker_id, card.tenant, card.offer_id),
        )
        delivery = self.deliver(channel, message, contact)
        record_delivery(
            self.app,
            card.offer_id,
            channel=channel,
            outcome=delivery.outcome,
            detail=delivery.detail,
        )
        return 1

    def deliver(self, channel: str, message: Message, contact: Contact | None) -> Delivery:
        """Hand the message to the channel, turning surprises into a failed attempt."""
        if contact is None:
            return Delivery(Outcome.UNDELIVERABLE, "no contacts (unknown or erased)")
        try:
            return self.senders[channel].send(message, contact)
        except Exception as error:  # a channel bug must not stop every other delivery
            log.exception("channel %s failed", channel)
            return Delivery(Outcome.FAILED, f"{type(error).__name__}")

    def notice(
        self,
        kind: str,
        about: UUID,
        worker_id: UUID,
        tenant: str,
        shown: dict[str, Any],
        notices: list[tuple[str, str, Outcome]],
        now: datetime,
    ) -> int:
        """Send one notice on the next channel not yet tried for it; record the try.

        Channels go in the worker's order until one delivers; when none is left, the page
        carries it (recorded as sent on `web`), so a notice is never silently dropped.
        """
        contact = self.contact_of(worker_id, tenant, now)
        plan = [c for c in (contact.channels if contact else ()) if c in self.senders]
        tried = {channel for k, channel, _ in notices if k == kind}
        for channel in plan:
            if channel in tried:
                continue
            message = notice_message(
                kind=kind,
                about=about,
                shown=shown,
                channel=channel,
                attempt=1,
                page_url=self.links.page(worker_id, tenant),
            )
            delivery = self.deliver(channel, message, contact)
            record_notice(
                self.app,
                about,
                kind=kind,
                channel=channel,
                outcome=delivery.outcome,
                detail=delivery.detail,
            )
            return 1
        record_notice(
            self.app, about, kind=kind, channel="web", outcome=Outcome.SENT, detail="on the page"
        )
        return 1
