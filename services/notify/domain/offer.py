"""An offer as notify carries it to one worker: deliveries, the answer, how it closed.

The answer is recorded once. A second press of the button, a replayed link or a
redelivered LINE postback finds the answer already there and changes nothing; an answer
to an offer that closed (withdrawn, expired, taken by someone else) records nothing and
the worker is told kindly that the task is already taken.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Outcome(StrEnum):
    """What one delivery attempt achieved."""

    SENT = "sent"
    FAILED = "failed"  # transient: retried with backoff
    UNDELIVERABLE = "undeliverable"  # no contact, no provider, or refused for good: escalate


class Closing(StrEnum):
    """Why an offer can no longer be answered."""

    ASSIGNED = "assigned"  # the worker's yes won: the task is theirs
    TAKEN = "taken"  # someone else's yes won, or the broker refused this one
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class AnswerResult(StrEnum):
    """What an answer did."""

    RECORDED = "recorded"
    REPEATED = "repeated"  # the same offer was answered before; nothing new
    CLOSED = "closed"  # too late: the offer had closed


class Offer(Aggregate):
    """One offer of one task to one worker (id: the broker's offer id)."""

    class Received(Aggregate.Created):
        """The broker offered a task to this worker."""

        tenant: str
        task_id: UUID
        worker_id: UUID
        expires_at: datetime
        shown: dict[str, Any]
        """Title, place, times, pay and what to bring, as offered."""

    class DeliveryAttempted(Aggregate.Event):
        """One try on one channel, and what came of it."""

        channel: str
        outcome: str
        detail: str
        attempt: int

    class PutOnCallList(Aggregate.Event):
        """Unanswered for too long: a coordinator should phone the worker."""

    class Seen(Aggregate.Event):
        """The worker opened the offer (on the page, or a delivery receipt)."""

        channel: str

    class Answered(Aggregate.Event):
        """The worker said yes or no (or a coordinator recorded it from a phone call)."""

        task_id: UUID
        worker_id: UUID
        accept: bool
        channel: str
        answered_at: datetime
        recorded_by: UUID | None
        reason: str

    class Closed(Aggregate.Event):
        """The offer can no longer be answered."""

        closing: str

    class Notified(Aggregate.Event):
        """A notice about the offer (a "yes" that came too late) went out, or could not."""

        kind: str
        channel: str
        outcome: str
        detail: str

    @event(Received)
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002 - the broker's offer id
        tenant: str,
        task_id: UUID,
        worker_id: UUID,
        expires_at: datetime,
        shown: dict[str, Any],
    ) -> None:
        del id
        self.tenant, self.task_id, self.worker_id = tenant, task_id, worker_id
        self.expires_at, self.shown = expires_at, shown
        self.attempts: list[tuple[str, str, datetime]] = []
        self.on_call_list = False
        self.seen = False
        self.answer: bool | None = None
        self.answered_via: str | None = None
        self.closing: Closing | None = None

    @property
    def is_open(self) -> bool:
        """Neither answered nor closed."""
        return self.answer is None and self.closing is None

    def record_delivery(self, *, channel: str, outcome: Outcome, detail: str) -> None:
        """Record one delivery attempt."""
        attempt = 1 + sum(1 for c, _, _ in self.attempts if c == channel)
        self._delivery_attempted(
            channel=channel, outcome=outcome.value, detail=detail[:500], attempt=attempt
        )

    @event(DeliveryAttempted)
    def _delivery_attempted(self, channel: str, outcome: str, detail: str, attempt: int) -> None:
        del detail, attempt
        self.attempts.append((channel, outcome, self.modified_on))

    def put_on_call_list(self) -> None:
        """Ask a coordinator to phone (once, while the offer is open)."""
        if self.is_open and not self.on_call_list:
            self._put_on_call_list()

    @event(PutOnCallList)
    def _put_on_call_list(self) -> None:
        self.on_call_list = True

    def mark_seen(self, channel: str) -> None:
        """The worker has seen the offer (recorded once)."""
        if not self.seen:
            self._seen(channel=channel)

    @event(Seen)
    def _seen(self, channel: str) -> None:
        del channel
        self.seen = True

    def answer_with(
        self,
        *,
        accept: bool,
        channel: str,
        at: datetime,
        recorded_by: UUID | None = None,
        reason: str = "",
    ) -> AnswerResult:
        """Record the worker's answer once; later presses and late answers change nothing."""
        if self.answer is not None:
            return AnswerResult.REPEATED
        if self.closing is not None or at > self.expires_at:
            return AnswerResult.CLOSED
        self._answered(
            task_id=self.task_id,
            worker_id=self.worker_id,
            accept=accept,
            channel=channel,
            answered_at=at,
            recorded_by=recorded_by,
            reason=reason,
        )
        return AnswerResult.RECORDED

    @event(Answered)
    def _answered(
        self,
        *,
        task_id: UUID,
        worker_id: UUID,
        accept: bool,
        channel: str,
        answered_at: datetime,
        recorded_by: UUID | None,
        reason: str,
    ) -> None:
        del task_id, worker_id, answered_at, recorded_by, reason
        self.answer, self.answered_via = accept, channel

    def close(self, closing: Closing) -> bool:
        """Close the offer (once); False when it was closed already."""
        if self.closing is not None:
            return False
        self._closed(closing=closing.value)
        return True

    @event(Closed)
    def _closed(self, closing: str) -> None:
        self.closing = Closing(closing)

    def record_notice(self, *, kind: str, channel: str, outcome: str, detail: str) -> None:
        """Record one attempt to send a notice about the offer."""
        self._notified(kind=kind, channel=channel, outcome=outcome, detail=detail[:500])

    @event(Notified)
    def _notified(self, kind: str, channel: str, outcome: str, detail: str) -> None:
        del kind, channel, outcome, detail
