"""When the broker offers a task, put it in the worker's web inbox (always the first channel)."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import TaskOffered
from notify.application import NotifyApplication
from notify.domain.offer import Offer, Outcome


def when_task_offered_open_offer(
    app: NotifyApplication, offered: TaskOffered, processing: ProcessingEvent[UUID]
) -> None:
    """Record the offer and its web-inbox delivery; other channels follow from the dispatcher."""
    if offered.offer_id in app.repository:  # already recorded (a replayed upstream)
        return
    shown = {
        "title": offered.title,
        "work_type": offered.work_type,
        "district": offered.district,
        "district_name": offered.district_name or offered.district,
        "home_based": offered.home_based,
        "starts_at": offered.starts_at,
        "ends_at": offered.ends_at,
        "reward_kind": offered.reward_kind.value,
        "reward_yen": offered.reward_yen,
        "transport_allowance_yen": offered.transport_allowance_yen,
        "bring": list(offered.bring),
    }
    offer = Offer(
        id=offered.offer_id,
        tenant=offered.tenant,
        task_id=offered.task_id,
        worker_id=offered.worker_id,
        expires_at=offered.expires_at,
        shown=shown,
    )
    offer.record_delivery(channel="web", outcome=Outcome.SENT, detail="in the web inbox")
    processing.collect_events(offer)
