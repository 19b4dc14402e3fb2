"""When the broker binds a task to a worker, list it on their page for check-in."""

from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent

from contracts.broker import TaskAccepted
from notify.application import NotifyApplication
from notify.domain.job import Job, job_id
from notify.domain.offer import Closing
from notify.policies.jobs import job_of
from notify.policies.when_offer_ends_close_it import close_offer


def shown_of(accepted: TaskAccepted) -> dict[str, Any]:
    """What the contract says about the task (all a direct assignment has to show)."""
    if not accepted.title and accepted.ends_at is None:
        return {"starts_at": accepted.starts_at}  # published before the terms were sent
    shown: dict[str, Any] = {
        "title": accepted.title,
        "work_type": accepted.work_type,
        "district": accepted.district,
        "district_name": accepted.district_name or accepted.district,
        "home_based": accepted.home_based,
        "starts_at": accepted.starts_at,
        "ends_at": accepted.ends_at,
        "bring": list(accepted.bring),
    }
    if accepted.reward_kind is not None:
        shown |= {
            "reward_kind": accepted.reward_kind.value,
            "reward_yen": accepted.reward_yen,
            "transport_allowance_yen": accepted.transport_allowance_yen,
        }
    return shown


def when_task_accepted_add_job(
    app: NotifyApplication, accepted: TaskAccepted, processing: ProcessingEvent[UUID]
) -> None:
    """Close the worker's winning offer and list the task, shown as offered or as assigned.

    A direct assignment has no offer the worker answered: its card comes from the terms
    the broker sends with it. After a no-show the same worker may get the task again.
    """
    offer = close_offer(app, accepted.offer_id, Closing.ASSIGNED, processing)
    shown = dict(offer.shown) if offer is not None else shown_of(accepted)
    job = job_of(app, accepted.task_id, accepted.worker_id, processing)
    if job is not None:
        if job.reassign(starts_at=accepted.starts_at, ends_at=accepted.ends_at, shown=shown):
            processing.collect_events(job)
        return
    processing.collect_events(
        Job(
            id=job_id(accepted.task_id, accepted.worker_id),
            tenant=accepted.tenant,
            task_id=accepted.task_id,
            worker_id=accepted.worker_id,
            starts_at=accepted.starts_at,
            ends_at=accepted.ends_at,
            shown=shown,
        )
    )
