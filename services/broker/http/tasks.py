"""Coordinators carve, assign and follow tasks; requesters confirm or cancel their own."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from backbone.auth import Role, requires
from broker.commands.approve_excess_minutes import ApproveExcessMinutes, approve_excess_minutes
from broker.commands.assign_task import AssignTask, assign_task
from broker.commands.cancel_task import CancelTask, cancel_task
from broker.commands.carve_task import CarveTask, carve_task
from broker.commands.complete_work import CompleteWork, complete_work
from broker.commands.dispute_work import DisputeWork, dispute_work
from broker.commands.record_no_show import record_no_show
from broker.commands.resolve_dispute import ResolveDispute, resolve_dispute
from broker.commands.start_work import StartWork, start_work
from broker.domain.errors import TaskNotFoundError
from broker.http.context import AnyRequest, BrokerDep, caller, flow_of, own_requests_only
from broker.http.schemas import CompletedView, TaskView, task_view
from broker.timeline import timeline

COORDINATOR = requires(Role.COORDINATOR)
REQUESTER_OR_COORDINATOR = requires(Role.REQUESTER, Role.COORDINATOR)


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One thing that happened to a task."""

    at: datetime
    what: str
    who: dict[str, Any]
    """worker_id, recorded_by (a coordinator), confirmed_by, cancelled_by, requester_id,
    approved_by (a coordinator approving excess minutes)."""
    facts: dict[str, Any]
    """The rest of the fact: for an offer, its rank and the reasons this worker was chosen."""
    status_after: str


class TimelineView(msgspec.Struct, frozen=True, kw_only=True):
    """A task as it stood at a moment, and how it got there."""

    task_id: UUID
    as_of: datetime | None
    status: str
    worker_id: UUID | None
    entries: list[TimelineEntry]


class TasksController(Controller):
    """Tasks, at /tasks."""

    path = "/tasks"

    @get(
        "/{task_id:uuid}/timeline",
        guards=[requires(Role.AUDITOR, Role.COORDINATOR)],
        sync_to_thread=True,
        summary="A task's full timeline, as of a moment (auditors)",
    )
    def timeline(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        task_id: FromPath[UUID],
        at: FromQuery[datetime | None] = None,
    ) -> TimelineView:
        """Who did what and when, and why each worker was offered (rank and reasons)."""
        if at is not None and at.tzinfo is None:
            raise ValidationException(detail="`at` needs a timezone, e.g. 2026-03-31T23:59+09:00")
        task, entries = timeline(broker.app, task_id, caller(request).tenant, at)
        return TimelineView(
            task_id=task.id,
            as_of=at,
            status=task.status.value,
            worker_id=task.worker_id,
            entries=[TimelineEntry(**entry) for entry in entries],
        )

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Carve a task out of a job request and offer it",
    )
    def carve(self, request: AnyRequest, broker: BrokerDep, data: JSONBody[CarveTask]) -> TaskView:
        """業務切り出し: the task is offered at once to the fairest eligible workers."""
        with flow_of(request) as principal:
            task = carve_task(broker.app, data, tenant=principal.tenant, now=broker.clock.now())
        return task_view(task, with_offers=True)

    @get(
        "/{task_id:uuid}",
        guards=[requires(Role.REQUESTER, Role.COORDINATOR, Role.AUDITOR)],
        sync_to_thread=True,
        summary="One task",
    )
    def one(self, request: AnyRequest, broker: BrokerDep, task_id: FromPath[UUID]) -> TaskView:
        """A task's state (coordinators and auditors also see its offers)."""
        principal = caller(request)
        task = broker.app.task(task_id, principal.tenant)
        owner = own_requests_only(principal)
        if owner is not None and task.requester_id != owner:
            raise TaskNotFoundError(task_id)
        return task_view(task, with_offers=principal.role is not Role.REQUESTER)

    @post(
        "/{task_id:uuid}/assign",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Assign a task directly (constraints still apply)",
    )
    def assign(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        task_id: FromPath[UUID],
        data: JSONBody[AssignTask],
    ) -> None:
        """The worker agreed in person or by phone; no hard constraint may break."""
        with flow_of(request) as principal:
            assign_task(
                broker.app,
                task_id,
                data,
                tenant=principal.tenant,
                coordinator_id=principal.subject,
                now=broker.clock.now(),
            )

    @post(
        "/{task_id:uuid}/cancel",
        status_code=HTTP_204_NO_CONTENT,
        guards=[REQUESTER_OR_COORDINATOR],
        sync_to_thread=True,
        summary="Cancel a task",
    )
    def cancel(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        task_id: FromPath[UUID],
        data: JSONBody[CancelTask],
    ) -> None:
        """Free before acceptance; afterwards recorded so payout compensates the worker."""
        with flow_of(request) as principal:
            cancel_task(
                broker.app,
                task_id,
                data,
                tenant=principal.tenant,
                cancelled_by=principal.role.value,
                requester_id=own_requests_only(principal),
            )

    @post(
        "/{task_id:uuid}/check-in",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Record that the assigned worker began the task",
    )
    def check_in(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        task_id: FromPath[UUID],
        data: JSONBody[StartWork],
    ) -> None:
        """A coordinator records the check-in (WorkStarted), e.g. told by phone.

        Refused (422) more than 60 minutes before the shift's start or after its end.
        """
        with flow_of(request) as principal:
            start_work(broker.app, task_id, data, tenant=principal.tenant, now=broker.clock.now())

    @post(
        "/{task_id:uuid}/no-show",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Record a no-show and offer the task again",
    )
    def no_show(self, request: AnyRequest, broker: BrokerDep, task_id: FromPath[UUID]) -> None:
        """The assigned worker did not come."""
        with flow_of(request) as principal:
            record_no_show(broker.app, task_id, tenant=principal.tenant, now=broker.clock.now())

    @post(
        "/{task_id:uuid}/dispute",
        status_code=HTTP_204_NO_CONTENT,
        guards=[REQUESTER_OR_COORDINATOR],
        sync_to_thread=True,
        summary="Dispute completed work",
    )
    def dispute(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        task_id: FromPath[UUID],
        data: JSONBody[DisputeWork],
    ) -> None:
        """Put the reward on hold until a coordinator resolves it."""
        with flow_of(request) as principal:
            dispute_work(
                broker.app,
                task_id,
                data,
                tenant=principal.tenant,
                raised_by=principal.subject,
                requester_id=own_requests_only(principal),
            )

    @post(
        "/{task_id:uuid}/excess-approval",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Approve minutes beyond the shift and its tolerance, with a reason",
    )
    def approve_excess(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        task_id: FromPath[UUID],
        data: JSONBody[ApproveExcessMinutes],
    ) -> None:
        """Coordinators only; a 検収 or settlement up to the new limit is then accepted."""
        with flow_of(request) as principal:
            approve_excess_minutes(
                broker.app, task_id, data, tenant=principal.tenant, coordinator_id=principal.subject
            )

    @post(
        "/{task_id:uuid}/resolution",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Settle a dispute on the minutes agreed",
    )
    def resolve(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        task_id: FromPath[UUID],
        data: JSONBody[ResolveDispute],
    ) -> None:
        """The council mediates; the reward follows the agreed minutes."""
        with flow_of(request) as principal:
            resolve_dispute(
                broker.app, task_id, data, tenant=principal.tenant, coordinator_id=principal.subject
            )


class CompletionsController(Controller):
    """Confirmations of work done, at /completions."""

    path = "/completions"

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[REQUESTER_OR_COORDINATOR],
        sync_to_thread=True,
        summary="Confirm work done (検収), one task or a day's batch",
    )
    def complete(
        self, request: AnyRequest, broker: BrokerDep, data: JSONBody[CompleteWork]
    ) -> CompletedView:
        """All or nothing: every listed task is confirmed in one transaction.

        Refused (422) before the shift's start, with a finish time before the start or
        more than 5 minutes ahead of now, or with more minutes than the shift, the
        request's tolerance and a coordinator's approved excess allow.
        """
        with flow_of(request) as principal:
            done = complete_work(
                broker.app,
                data,
                tenant=principal.tenant,
                confirmed_by=principal.subject,
                requester_id=own_requests_only(principal),
                now=broker.clock.now(),
            )
        return CompletedView(task_ids=done)
