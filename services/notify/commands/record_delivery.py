"""The dispatcher records each delivery attempt, and puts unanswered offers on the call list."""

from uuid import UUID

from notify.application import NotifyApplication
from notify.domain.offer import Offer, Outcome


def record_delivery(
    app: NotifyApplication, offer_id: UUID, *, channel: str, outcome: Outcome, detail: str
) -> None:
    """Record one attempt on one channel."""
    offer: Offer = app.repository.get(offer_id)
    offer.record_delivery(channel=channel, outcome=outcome, detail=detail)
    app.save(offer)


def put_on_call_list(app: NotifyApplication, offer_id: UUID) -> None:
    """Ask a coordinator to phone about this offer (once, while it is open)."""
    offer: Offer = app.repository.get(offer_id)
    offer.put_on_call_list()
    app.save(offer)
