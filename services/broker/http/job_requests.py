"""Requesters submit, list and cancel job requests (業務依頼)."""

from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from backbone.auth import Role, requires
from broker.commands.cancel_job_request import CancelJobRequest, cancel_job_request
from broker.commands.confirm_carving import ConfirmCarving, confirm_carving
from broker.commands.propose_carving import proposal_for
from broker.commands.submit_job_request import SubmitJobRequest, submit_job_request
from broker.domain.errors import JobRequestNotFoundError
from broker.domain.job_request import unusual_terms_warnings
from broker.domain.spec_check import disguised_employment_warnings
from broker.http.context import AnyRequest, BrokerDep, caller, flow_of, own_requests_only
from broker.http.schemas import (
    JobRequestCreated,
    JobRequestView,
    ProposalView,
    TaskView,
    job_request_view,
    proposal_view,
    task_view,
)

READERS = (Role.REQUESTER, Role.COORDINATOR, Role.AUDITOR)


class JobRequestsController(Controller):
    """Job requests, at /job-requests."""

    path = "/job-requests"

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.REQUESTER)],
        sync_to_thread=True,
        summary="Submit a job request",
    )
    def submit(
        self, request: AnyRequest, broker: BrokerDep, data: JSONBody[SubmitJobRequest]
    ) -> JobRequestCreated:
        """A requester asks for work (業務依頼); the spec is checked for signs of employment.

        Refused (422) when the district is not the council's or the volume cannot fit the
        days, window and headcount; odd but possible terms come back as `warnings`.
        """
        with flow_of(request) as principal:
            ident = submit_job_request(
                broker.app,
                data,
                tenant=principal.tenant,
                requester_id=principal.subject,
                now=broker.clock.now(),
            )
        terms = msgspec.to_builtins(data)
        warnings = [*disguised_employment_warnings(terms), *unusual_terms_warnings(terms)]
        return JobRequestCreated(id=ident, warnings=warnings)

    @get("/", guards=[requires(*READERS)], sync_to_thread=True, summary="List job requests")
    def list_requests(self, request: AnyRequest, broker: BrokerDep) -> list[JobRequestView]:
        """A requester's own requests (coordinators and auditors: the council's)."""
        principal = caller(request)
        app = broker.app
        app.registry.catch_up(app)
        owner = own_requests_only(principal)
        views = []
        for request_id, (tenant, requester) in app.registry.requests.items():
            if tenant != principal.tenant or (owner is not None and requester != owner):
                continue
            job = app.job_request(request_id, tenant)
            tasks = [app.task(task_id, tenant) for task_id in job.task_ids]
            views.append(
                job_request_view(job, tasks, with_offers=principal.role is Role.COORDINATOR)
            )
        return views

    @get(
        "/{job_request_id:uuid}",
        guards=[requires(*READERS)],
        sync_to_thread=True,
        summary="One job request with its tasks",
    )
    def one(
        self, request: AnyRequest, broker: BrokerDep, job_request_id: FromPath[UUID]
    ) -> JobRequestView:
        """A request and each task's state."""
        principal = caller(request)
        job = broker.app.job_request(job_request_id, principal.tenant)
        owner = own_requests_only(principal)
        if owner is not None and job.requester_id != owner:
            raise JobRequestNotFoundError(job_request_id)
        tasks = [broker.app.task(task_id, principal.tenant) for task_id in job.task_ids]
        return job_request_view(job, tasks, with_offers=principal.role is Role.COORDINATOR)

    @get(
        "/{job_request_id:uuid}/proposal",
        guards=[requires(Role.COORDINATOR)],
        sync_to_thread=True,
        summary="Propose how to carve a request into shifts",
    )
    def proposal(
        self, request: AnyRequest, broker: BrokerDep, job_request_id: FromPath[UUID]
    ) -> ProposalView:
        """Shifts two-deep in eligible workers; uncovered minutes and what blocked them."""
        principal = caller(request)
        found = proposal_for(
            broker.app, job_request_id, tenant=principal.tenant, now=broker.clock.now()
        )
        return proposal_view(found)

    @post(
        "/{job_request_id:uuid}/tasks",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.COORDINATOR)],
        sync_to_thread=True,
        summary="Carve confirmed shifts into tasks and offer them",
    )
    def confirm(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        job_request_id: FromPath[UUID],
        data: JSONBody[ConfirmCarving],
    ) -> list[TaskView]:
        """業務切り出し: one task per person per shift, each offered at once."""
        with flow_of(request) as principal:
            tasks = confirm_carving(
                broker.app, job_request_id, data, tenant=principal.tenant, now=broker.clock.now()
            )
        return [task_view(task, with_offers=True) for task in tasks]

    @post(
        "/{job_request_id:uuid}/cancel",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires(Role.REQUESTER, Role.COORDINATOR)],
        sync_to_thread=True,
        summary="Cancel a job request and its open tasks",
    )
    def cancel(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        job_request_id: FromPath[UUID],
        data: JSONBody[CancelJobRequest],
    ) -> None:
        """Free before acceptance; afterwards the worker's compensation is recorded."""
        with flow_of(request) as principal:
            cancel_job_request(
                broker.app,
                job_request_id,
                data,
                tenant=principal.tenant,
                cancelled_by=principal.role.value,
                requester_id=own_requests_only(principal),
            )
