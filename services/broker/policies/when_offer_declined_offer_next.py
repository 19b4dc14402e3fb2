"""When a worker says no, offer the task to the next fairest eligible worker."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from broker.application import BrokerApplication
from broker.domain.task import Task
from contracts.notify import OfferDeclined


def when_offer_declined_offer_next(
    app: BrokerApplication, answer: OfferDeclined, processing: ProcessingEvent[UUID]
) -> None:
    """Close the offer and refill the task's open offers."""
    task = app.get_for_update(answer.task_id, processing, Task)
    if task.decline(
        offer_id=answer.offer_id,
        worker_id=answer.worker_id,
        channel=answer.channel.value,
        recorded_by=answer.recorded_by,
    ):
        app.offer_next(task, now=answer.occurred_at)
    processing.collect_events(task)
