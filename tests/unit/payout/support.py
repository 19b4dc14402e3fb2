"""Building payout in memory and feeding it what the broker publishes."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import ProcessingEvent

from backbone.clock import FixedClock
from backbone.flow import envelope_of
from contracts.broker import (
    DisputeResolved,
    TaskCancelled,
    WorkCompleted,
    WorkDisputed,
    WorkerErased,
    WorkerRegistered,
)
from contracts.payout import PayoutEvent
from contracts.values import CancelledBy, RewardKind, Sector, Sex
from payout.bootstrap import Payout, build_payout
from payout.messaging.translate import to_contract
from payout.settings import PayoutSettings

TENANT = "mine-wakuwaku"
MARCH_END = datetime(2026, 3, 31, 6, 0, tzinfo=UTC)  # 15:00 in Tokyo
APRIL = datetime(2026, 4, 2, 0, 0, tzinfo=UTC)


def in_memory_payout(tmp_path: Path, now: datetime = APRIL) -> Payout:
    return build_payout(PayoutSettings.in_memory(tmp_path / "jwt.key"), clock=FixedClock(now))


def envelope(at: datetime = MARCH_END) -> dict[str, Any]:
    return {"event_id": uuid4(), "occurred_at": at, "tenant": TENANT, "correlation_id": uuid4()}


def registered(worker_id: UUID) -> WorkerRegistered:
    return WorkerRegistered(
        **envelope(), worker_id=worker_id, birth_year=1950, sex=Sex.FEMALE, district="ofuku"
    )


def erased(worker_id: UUID) -> WorkerErased:
    return WorkerErased(**envelope(), worker_id=worker_id)


def completed(
    worker_id: UUID,
    *,
    requester_id: UUID | None = None,
    minutes: int = 175,
    rate: int = 1050,
    kind: RewardKind = RewardKind.HOURLY,
    withholding: bool = False,
    finished_at: datetime = MARCH_END,
    task_id: UUID | None = None,
) -> WorkCompleted:
    return WorkCompleted(
        **envelope(finished_at),
        task_id=task_id or uuid4(),
        job_request_id=uuid4(),
        worker_id=worker_id,
        requester_id=requester_id or uuid4(),
        sector=Sector.AGRICULTURE_FORESTRY,
        started_at=finished_at - timedelta(minutes=minutes),
        finished_at=finished_at,
        worked_minutes=minutes,
        reward_kind=kind,
        reward_yen=rate,
        transport_allowance_yen=300,
        withholding_applies=withholding,
    )


def disputed(done: WorkCompleted) -> WorkDisputed:
    return WorkDisputed(
        **envelope(),
        task_id=done.task_id,
        worker_id=done.worker_id,
        requester_id=done.requester_id,
        reason="作業時間の確認",
    )


def resolved(done: WorkCompleted, minutes: int) -> DisputeResolved:
    return DisputeResolved(
        **envelope(),
        task_id=done.task_id,
        worker_id=done.worker_id,
        requester_id=done.requester_id,
        worked_minutes=minutes,
        resolution="双方合意",
    )


def cancelled_late(worker_id: UUID, *, hours_before: float) -> TaskCancelled:
    starts = MARCH_END + timedelta(hours=hours_before)
    return TaskCancelled(
        **envelope(MARCH_END),
        task_id=uuid4(),
        job_request_id=uuid4(),
        requester_id=uuid4(),
        cancelled_by=CancelledBy.REQUESTER,
        worker_id=worker_id,
        after_acceptance=True,
        starts_at=starts,
        reward_kind=RewardKind.HOURLY,
        reward_yen=1050,
        duration_minutes=180,
    )


def react(payout: Payout, *events: object) -> None:
    """What the inbox does, minus tracking."""
    for event in events:
        processing = ProcessingEvent[UUID]()
        payout.app.policy(event, processing)
        payout.app._record(processing)  # noqa: SLF001 - the inbox's own step
    payout.app.books.catch_up(payout.app)


def published(payout: Payout) -> list[PayoutEvent]:
    notes = payout.app.recorder.select_notifications(1, 100_000)
    events = [payout.app.mapper.to_domain_event(n) for n in notes]
    found = [to_contract(e, envelope_of(e, default_tenant="?")) for e in events]
    return [f for f in found if f is not None]
