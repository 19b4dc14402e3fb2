"""When a worker says yes (through notify), the first valid answer wins the task."""

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from broker.application import BrokerApplication
from broker.domain.task import Task
from contracts.notify import OfferAccepted


def when_offer_accepted_assign_task(
    app: BrokerApplication, answer: OfferAccepted, processing: ProcessingEvent[UUID]
) -> None:
    """Bind the task, or record why this answer is refused (too late, taken, withdrawn)."""
    task = app.get_for_update(answer.task_id, processing, Task)
    task.accept(
        offer_id=answer.offer_id,
        worker_id=answer.worker_id,
        now=answer.answered_at,
        channel=answer.channel.value,
        recorded_by=answer.recorded_by,
    )
    processing.collect_events(task)
