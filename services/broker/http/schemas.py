"""What the broker's API returns (never contracts, never domain events)."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from broker.commands.list_workers import Register
from broker.districts import district_name
from broker.domain.carving import Proposal
from broker.domain.job_request import JobRequest, unusual_terms_warnings
from broker.domain.spec_check import disguised_employment_warnings
from broker.domain.task import Task
from contracts.values import Channel


class Created(msgspec.Struct, frozen=True):
    """The id of what was created."""

    id: UUID


class OfferView(msgspec.Struct, frozen=True):
    """One offer of a task (coordinators see to whom and why)."""

    offer_id: UUID
    worker_id: UUID
    expires_at: datetime
    state: str


class TaskView(msgspec.Struct, frozen=True, kw_only=True):
    """A task as requesters and coordinators see it."""

    id: UUID
    job_request_id: UUID
    title: str
    status: str
    starts_at: datetime
    ends_at: datetime
    district: str | None
    reward_kind: str
    reward_yen: int
    worker_id: UUID | None
    needs_coordinator: bool
    """True when nobody eligible is left to offer it to."""
    started_at: datetime | None = None
    """The check-in, once the worker began."""
    reported_minutes: int | None = None
    """Minutes the worker reported at check-out, to confirm (検収)."""
    offers: list[OfferView] | None = None
    """Only for coordinators."""


class JobRequestView(msgspec.Struct, frozen=True, kw_only=True):
    """A job request with its tasks' states."""

    id: UUID
    requester_id: UUID
    cancelled: bool
    carved_minutes: int
    terms: dict[str, Any]
    warnings: list[str]
    """Signs of disguised employment in the spec (偽装請負のおそれ) and odd but possible
    terms (a volume near capacity …), for the coordinator."""
    tasks: list[TaskView]


class JobRequestCreated(msgspec.Struct, frozen=True):
    """A submitted request's id, and any warnings about its spec and terms."""

    id: UUID
    warnings: list[str]


class ProposedShiftView(msgspec.Struct, frozen=True):
    """One shift of a carving proposal."""

    starts_at: datetime
    ends_at: datetime
    copies: int
    eligible: int


class ProposalView(msgspec.Struct, frozen=True, kw_only=True):
    """How a request could be carved; what cannot be covered, and what stands in the way."""

    shifts: list[ProposedShiftView]
    covered_minutes: int
    uncovered_minutes: int
    blocked_by: dict[str, int]
    """Constraint → worker-slots it ruled out where fewer than two workers were free."""


class CompletedView(msgspec.Struct, frozen=True):
    """Tasks whose work was confirmed."""

    task_ids: list[UUID]


class RegisterLineView(msgspec.Struct, frozen=True, kw_only=True):
    """One worker in the register (登録者名簿)."""

    id: UUID
    name: str | None
    """None once the person was erased."""
    kana: str | None
    """None once the person was erased."""
    district: str | None
    district_name: str
    """The district as people say it (大嶺町); empty when none was registered."""
    skills: list[str]
    paused: bool
    channels: list[Channel]
    """In the worker's order of preference; empty once erased."""
    erased: bool


class RegisterView(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the register, sorted by kana, and how many workers match in all."""

    workers: list[RegisterLineView]
    total: int
    limit: int
    offset: int


def register_view(register: Register, *, limit: int, offset: int) -> RegisterView:
    """Render a page of the register."""
    return RegisterView(
        workers=[
            RegisterLineView(
                id=line.id,
                name=line.name,
                kana=line.kana,
                district=line.district,
                district_name=district_name(line.district),
                skills=line.skills,
                paused=line.paused,
                channels=line.channels,
                erased=line.erased,
            )
            for line in register.workers
        ],
        total=register.total,
        limit=limit,
        offset=offset,
    )


def task_view(task: Task, *, with_offers: bool) -> TaskView:
    """Render a task."""
    offers = (
        [
            OfferView(offer_id=oid, worker_id=o.worker_id, expires_at=o.expires_at, state=o.state)
            for oid, o in task.offers.items()
        ]
        if with_offers
        else None
    )
    return TaskView(
        id=task.id,
        job_request_id=task.job_request_id,
        title=task.title,
        status=task.status.value,
        starts_at=task.starts_at,
        ends_at=task.ends_at,
        district=task.district,
        reward_kind=task.reward_kind,
        reward_yen=task.reward_yen,
        worker_id=task.worker_id,
        needs_coordinator=task.exhausted,
        started_at=task.started_at,
        reported_minutes=task.reported_minutes,
        offers=offers,
    )


def job_request_view(
    request: JobRequest, tasks: list[Task], *, with_offers: bool
) -> JobRequestView:
    """Render a request with its tasks."""
    return JobRequestView(
        id=request.id,
        requester_id=request.requester_id,
        cancelled=request.cancelled,
        carved_minutes=request.carved_minutes,
        terms=request.terms,
        warnings=[
            *disguised_employment_warnings(request.terms),
            *unusual_terms_warnings(request.terms),
        ],
        tasks=[task_view(task, with_offers=with_offers) for task in tasks],
    )


def proposal_view(proposal: Proposal) -> ProposalView:
    """Render a carving proposal."""
    return ProposalView(
        shifts=[
            ProposedShiftView(s.starts_at, s.ends_at, s.copies, s.eligible) for s in proposal.shifts
        ],
        covered_minutes=proposal.covered_minutes,
        uncovered_minutes=proposal.uncovered_minutes,
        blocked_by=proposal.blocked_by,
    )
