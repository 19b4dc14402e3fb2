"""A worker answers an offer (page button, email link, LINE postback) — exactly once."""

from datetime import datetime
from uuid import UUID

from notify.application import NotifyApplication
from notify.domain.offer import AnswerResult, Offer


def answer_offer(
    app: NotifyApplication,
    offer_id: UUID,
    *,
    tenant: str,
    worker_id: UUID,
    accept: bool,
    channel: str,
    now: datetime,
) -> tuple[AnswerResult, Offer]:
    """Record the answer once; a repeat or a late answer records nothing.

    Raises:
        NotFoundError: not this worker's offer.
    """
    offer = app.offer(offer_id, tenant, worker_id)
    result = offer.answer_with(accept=accept, channel=channel, at=now)
    offer.mark_seen(channel)
    app.save(offer)
    return result, offer
