"""A coordinator phoned the worker and records the answer they gave (電話での回答)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from notify.application import NotifyApplication
from notify.domain.errors import NotifyError
from notify.domain.offer import AnswerResult


class PhoneAnswer(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the worker said on the phone, and when."""

    accept: bool
    answered_at: datetime | None = None
    """When the worker answered (default: now); not in the future."""
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class FutureAnswerError(NotifyError):
    """An answer cannot be dated in the future."""


def record_phone_answer(
    app: NotifyApplication,
    offer_id: UUID,
    answer: PhoneAnswer,
    *,
    tenant: str,
    coordinator_id: UUID,
    now: datetime,
) -> AnswerResult:
    """Record the answer for the worker, with the coordinator's id and the phone channel.

    Raises:
        NotFoundError: no such offer for this tenant.
        FutureAnswerError: the answer is dated in the future.
    """
    at = answer.answered_at or now
    if at > now:
        msg = "an answer cannot be dated in the future"
        raise FutureAnswerError(msg)
    offer = app.offer(offer_id, tenant)
    result = offer.answer_with(
        accept=answer.accept,
        channel="phone",
        at=at,
        recorded_by=coordinator_id,
        reason=answer.reason,
    )
    app.save(offer)
    return result
