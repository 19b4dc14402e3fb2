"""Broker domain events → broker contract events. Pure: no I/O, no clock, no loading."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from backbone.flow import Envelope
from broker.districts import district_name
from broker.domain.job_request import JobRequest
from broker.domain.task import Task
from broker.domain.worker import Worker
from contracts import broker as c
from contracts.values import (
    CancelledBy,
    PhysicalLoad,
    RefusalReason,
    RewardKind,
    Sector,
    Sex,
    WithdrawalReason,
)


def to_contract(  # noqa: C901, PLR0911, PLR0912 - one case per public fact
    event: DomainEventProtocol[UUID], envelope: Envelope
) -> c.BrokerEvent | None:
    """Return the public fact for `event`, or None when it stays private."""
    match event:
        case JobRequest.Submitted():
            return job_requested(event, envelope)
        case Task.CarvedOut():
            return c.TaskCarvedOut(
                **envelope,
                task_id=event.originator_id,
                job_request_id=event.job_request_id,
                requester_id=event.requester_id,
                title=event.title,
                work_type=event.work_type,
                sector=Sector(event.sector),
                district=event.district,
                home_based=event.district is None,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                duration_minutes=minutes(event.starts_at, event.ends_at),
                reward_kind=RewardKind(event.reward_kind),
                reward_yen=event.reward_yen,
                transport_allowance_yen=event.transport_allowance_yen,
                withholding_applies=event.withholding_applies,
                physical_load=PhysicalLoad(event.load),
                required_skills=tuple(event.skills),
            )
        case Task.Offered():
            shown = event.shown
            return c.TaskOffered(
                **envelope,
                offer_id=event.offer_id,
                task_id=event.originator_id,
                worker_id=event.worker_id,
                expires_at=event.expires_at,
                title=shown["title"],
                district=shown["district"],
                home_based=shown["district"] is None,
                starts_at=shown["starts_at"],
                ends_at=shown["ends_at"],
                reward_kind=RewardKind(shown["reward_kind"]),
                reward_yen=shown["reward_yen"],
                transport_allowance_yen=shown["transport_allowance_yen"],
                work_type=shown.get("work_type", ""),
                bring=shown.get("bring", []),
                district_name=district_name(shown["district"]),
            )
        case Task.OfferExpired():
            return c.OfferExpired(
                **envelope,
                offer_id=event.offer_id,
                task_id=event.originator_id,
                worker_id=event.worker_id,
            )
        case Task.OfferWithdrawn():
            return c.OfferWithdrawn(
                **envelope,
                offer_id=event.offer_id,
                task_id=event.originator_id,
                worker_id=event.worker_id,
                reason=WithdrawalReason(event.reason),
            )
        case Task.Accepted():
            return task_accepted(event, envelope)
        case Task.AssignmentRefused():
            return c.TaskAssignmentRefused(
                **envelope,
                task_id=event.originator_id,
                offer_id=event.offer_id,
                worker_id=event.worker_id,
                reason=RefusalReason(event.reason),
            )
        case Task.Cancelled():
            terms = event.terms
            return c.TaskCancelled(
                **envelope,
                task_id=event.originator_id,
                job_request_id=terms["job_request_id"],
                requester_id=terms["requester_id"],
                cancelled_by=CancelledBy(event.cancelled_by),
                worker_id=event.worker_id,
                after_acceptance=event.after_acceptance,
                starts_at=terms["starts_at"],
                reward_kind=RewardKind(terms["reward_kind"]),
                reward_yen=terms["reward_yen"],
                duration_minutes=terms["minutes"],
                reason=event.reason[:200],
            )
        case Task.WorkStarted():
            return c.WorkStarted(
                **envelope,
                task_id=event.originator_id,
                worker_id=event.worker_id,
                started_at=event.started_at,
            )
        case Task.WorkCompleted():
            return work_completed(event, envelope)
        case Task.WorkDisputed():
            return c.WorkDisputed(
                **envelope,
                task_id=event.originator_id,
                worker_id=event.worker_id,
                requester_id=event.requester_id,
                reason=event.reason[:200],
            )
        case Task.DisputeResolved():
            return c.DisputeResolved(
                **envelope,
                task_id=event.originator_id,
                worker_id=event.worker_id,
                requester_id=event.requester_id,
                worked_minutes=event.worked_minutes,
                resolution=event.resolution[:200],
            )
        case Task.NoShowRecorded():
            return c.NoShowRecorded(
                **envelope,
                task_id=event.originator_id,
                worker_id=event.worker_id,
                starts_at=event.starts_at,
            )
        case Worker.Registered():
            return c.WorkerRegistered(
                **envelope,
                worker_id=event.originator_id,
                birth_year=event.birth_year,
                sex=Sex(event.sex),
                district=event.district,
            )
        case Worker.Erased():
            return c.WorkerErased(**envelope, worker_id=event.originator_id)
        case _:
            return None  # internal facts are visibly unpublished


def job_requested(event: JobRequest.Submitted, envelope: Envelope) -> c.JobRequested:
    """JobRequest.Submitted → JobRequested."""
    terms: dict[str, Any] = event.terms
    return c.JobRequested(
        **envelope,
        job_request_id=event.originator_id,
        requester_id=event.requester_id,
        title=terms["title"],
        work_type=terms["work_type"],
        sector=Sector(terms["sector"]),
        starts_on=datetime.fromisoformat(terms["starts_on"]).date(),
        ends_on=datetime.fromisoformat(terms["ends_on"]).date(),
        total_volume_minutes=terms["volume_minutes"],
        reward_kind=RewardKind(terms["reward_kind"]),
        reward_yen=terms["reward_yen"],
        transport_allowance_yen=terms["transport_allowance_yen"],
    )


def task_accepted(event: Task.Accepted, envelope: Envelope) -> c.TaskAccepted:
    """Task.Accepted → TaskAccepted, with the title, place, times and pay the worker is shown.

    A direct assignment had no offer that showed them; events stored before `shown` was
    kept carry the start alone.
    """
    shown = event.shown
    terms: dict[str, Any] = (
        {
            "ends_at": shown["ends_at"],
            "title": shown["title"],
            "work_type": shown.get("work_type", ""),
            "district": shown["district"],
            "district_name": district_name(shown["district"]),
            "home_based": shown["district"] is None,
            "reward_kind": RewardKind(shown["reward_kind"]),
            "reward_yen": shown["reward_yen"],
            "transport_allowance_yen": shown["transport_allowance_yen"],
            "bring": list(shown.get("bring") or []),
        }
        if shown
        else {}
    )
    return c.TaskAccepted(
        **envelope,
        task_id=event.originator_id,
        offer_id=event.offer_id or event.originator_id,
        worker_id=event.worker_id,
        starts_at=event.starts_at,
        **terms,
    )


def work_completed(event: Task.WorkCompleted, envelope: Envelope) -> c.WorkCompleted:
    """Task.WorkCompleted → WorkCompleted (the reward rule travels with it)."""
    terms = event.terms
    return c.WorkCompleted(
        **envelope,
        task_id=event.originator_id,
        job_request_id=terms["job_request_id"],
        worker_id=event.worker_id,
        requester_id=terms["requester_id"],
        sector=Sector(terms["sector"]),
        started_at=event.started_at,
        finished_at=event.finished_at,
        worked_minutes=event.worked_minutes,
        reward_kind=RewardKind(terms["reward_kind"]),
        reward_yen=terms["reward_yen"],
        transport_allowance_yen=terms["transport_allowance_yen"],
        withholding_applies=terms["withholding_applies"],
    )


def minutes(starts_at: datetime, ends_at: datetime) -> int:
    """Whole minutes between two instants."""
    return int((ends_at - starts_at).total_seconds() // 60)
