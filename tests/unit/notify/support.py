"""Building notify in memory and feeding it what the broker publishes."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import ProcessingEvent

from backbone.clock import FixedClock
from contracts.broker import (
    DisputeResolved,
    NoShowRecorded,
    OfferWithdrawn,
    TaskAccepted,
    TaskAssignmentRefused,
    TaskCancelled,
    TaskOffered,
    WorkCompleted,
    WorkDisputed,
    WorkStarted,
)
from contracts.values import CancelledBy, RefusalReason, RewardKind, Sector, WithdrawalReason
from notify.bootstrap import Notify, build_notify
from notify.channels.base import Contact, Sender
from notify.settings import NotifySettings

TENANT = "mine-wakuwaku"
NOW = datetime.now(UTC).replace(microsecond=0)
"""Stored events carry the wall clock's time, so the tests' clock starts there."""
SHIFT_START = datetime(2027, 1, 19, 0, 0, tzinfo=UTC)  # 火曜日 9:00 in Tokyo


class Book:
    """Contacts as the broker would answer them."""

    def __init__(self) -> None:
        self.contacts: dict[UUID, Contact] = {}

    def reach(self, worker_id: UUID, tenant: str) -> Contact | None:
        del tenant
        return self.contacts.get(worker_id)


def in_memory_notify(
    tmp_path: Path, senders: dict[str, Sender] | None = None, book: Book | None = None
) -> Notify:
    return build_notify(
        NotifySettings.in_memory(tmp_path / "jwt.key"),
        clock=FixedClock(NOW),
        senders=senders or {},
        contacts=book or Book(),
    )


def envelope() -> dict[str, Any]:
    return {"event_id": uuid4(), "occurred_at": NOW, "tenant": TENANT, "correlation_id": uuid4()}


def offered(worker_id: UUID, **overrides: Any) -> TaskOffered:
    starts = SHIFT_START
    fields: dict[str, Any] = envelope() | {
        "offer_id": uuid4(),
        "task_id": uuid4(),
        "worker_id": worker_id,
        "expires_at": NOW + timedelta(hours=24),
        "title": "梨の袋かけ",
        "district": "ofuku",
        "home_based": False,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "reward_kind": RewardKind.HOURLY,
        "reward_yen": 1050,
        "transport_allowance_yen": 300,
        "work_type": "harvest",
        "bring": ["軍手", "長靴"],
    }
    return TaskOffered(**(fields | overrides))


def withdrawn(offer: TaskOffered, reason: WithdrawalReason) -> OfferWithdrawn:
    return OfferWithdrawn(
        **envelope(),
        offer_id=offer.offer_id,
        task_id=offer.task_id,
        worker_id=offer.worker_id,
        reason=reason,
    )


def accepted(offer: TaskOffered) -> TaskAccepted:
    return TaskAccepted(
        **envelope(),
        task_id=offer.task_id,
        offer_id=offer.offer_id,
        worker_id=offer.worker_id,
        starts_at=offer.starts_at,
    )


def assigned_directly(offer: TaskOffered, **overrides: Any) -> TaskAccepted:
    """A coordinator's direct assignment: no offer the worker answered, the terms with it."""
    fields: dict[str, Any] = envelope() | {
        "task_id": offer.task_id,
        "offer_id": offer.task_id,
        "worker_id": offer.worker_id,
        "starts_at": offer.starts_at,
        "ends_at": offer.ends_at,
        "title": offer.title,
        "work_type": offer.work_type,
        "district": offer.district,
        "district_name": "於福町",
        "home_based": offer.home_based,
        "reward_kind": offer.reward_kind,
        "reward_yen": offer.reward_yen,
        "transport_allowance_yen": offer.transport_allowance_yen,
        "bring": offer.bring,
    }
    return TaskAccepted(**(fields | overrides))


def started(offer: TaskOffered, at: datetime) -> WorkStarted:
    return WorkStarted(
        **envelope(), task_id=offer.task_id, worker_id=offer.worker_id, started_at=at
    )


def completed(offer: TaskOffered, worked_minutes: int, **overrides: Any) -> WorkCompleted:
    """The 検収 of the offered shift, worked from its start for `worked_minutes`."""
    fields: dict[str, Any] = envelope() | {
        "task_id": offer.task_id,
        "job_request_id": uuid4(),
        "worker_id": offer.worker_id,
        "requester_id": uuid4(),
        "sector": Sector.AGRICULTURE_FORESTRY,
        "started_at": offer.starts_at,
        "finished_at": offer.starts_at + timedelta(minutes=worked_minutes),
        "worked_minutes": worked_minutes,
        "reward_kind": offer.reward_kind,
        "reward_yen": offer.reward_yen,
        "transport_allowance_yen": offer.transport_allowance_yen,
        "withholding_applies": False,
    }
    return WorkCompleted(**(fields | overrides))


def no_show(offer: TaskOffered) -> NoShowRecorded:
    return NoShowRecorded(
        **envelope(), task_id=offer.task_id, worker_id=offer.worker_id, starts_at=offer.starts_at
    )


def disputed(offer: TaskOffered) -> WorkDisputed:
    return WorkDisputed(
        **envelope(),
        task_id=offer.task_id,
        worker_id=offer.worker_id,
        requester_id=uuid4(),
        reason="時間が ちがう",
    )


def resolved(offer: TaskOffered, worked_minutes: int) -> DisputeResolved:
    return DisputeResolved(
        **envelope(),
        task_id=offer.task_id,
        worker_id=offer.worker_id,
        requester_id=uuid4(),
        worked_minutes=worked_minutes,
        resolution="2時間で 合意",
    )


def refused(offer: TaskOffered) -> TaskAssignmentRefused:
    return TaskAssignmentRefused(
        **envelope(),
        task_id=offer.task_id,
        offer_id=offer.offer_id,
        worker_id=offer.worker_id,
        reason=RefusalReason.ALREADY_ASSIGNED,
    )


def cancelled(offer: TaskOffered) -> TaskCancelled:
    return TaskCancelled(
        **envelope(),
        task_id=offer.task_id,
        job_request_id=uuid4(),
        requester_id=uuid4(),
        cancelled_by=CancelledBy.REQUESTER,
        worker_id=offer.worker_id,
        after_acceptance=True,
        starts_at=offer.starts_at,
        reward_kind=offer.reward_kind,
        reward_yen=offer.reward_yen,
        duration_minutes=180,
        reason="雨のため",
    )


def react(notify: Notify, *events: object) -> None:
    """What the inbox does, minus tracking."""
    for event in events:
        processing = ProcessingEvent[UUID]()
        notify.app.policy(event, processing)
        notify.app._record(processing)  # noqa: SLF001 - the inbox's own step
    notify.app.board.catch_up(notify.app)
