"""Coordinators register workers and manage their availability."""

from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from backbone.auth import Role, requires
from broker.commands.pause_worker import pause_worker, resume_worker
from broker.commands.register_worker import RegisterWorker, register_worker
from broker.http.context import AnyRequest, BrokerDep, caller, flow_of
from broker.http.schemas import Created

COORDINATOR = requires(Role.COORDINATOR)


class WorkerView(msgspec.Struct, frozen=True, kw_only=True):
    """What the registry holds of a worker (no personal data)."""

    id: UUID
    birth_year: int
    sex: str
    district: str | None
    skills: list[str]
    preferred_work_types: list[str]
    constraints: dict[str, object]
    paused: bool


class WorkersController(Controller):
    """The worker registry, at /workers."""

    path = "/workers"

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Register a worker after an interview",
    )
    def register(
        self, request: AnyRequest, broker: BrokerDep, data: JSONBody[RegisterWorker]
    ) -> Created:
        """登録: skills, preferences and the seven constraint dimensions."""
        with flow_of(request) as principal:
            return Created(id=register_worker(broker.app, data, tenant=principal.tenant))

    @get(
        "/{worker_id:uuid}",
        guards=[requires(Role.COORDINATOR, Role.AUDITOR)],
        sync_to_thread=True,
        summary="One registered worker",
    )
    def one(self, request: AnyRequest, broker: BrokerDep, worker_id: FromPath[UUID]) -> WorkerView:
        """The worker as matching sees them."""
        worker = broker.app.worker(worker_id, caller(request).tenant)
        return WorkerView(
            id=worker.id,
            birth_year=worker.birth_year,
            sex=worker.sex,
            district=worker.district,
            skills=worker.skills,
            preferred_work_types=worker.preferred_work_types,
            constraints=worker.constraints,
            paused=worker.paused,
        )

    @post(
        "/{worker_id:uuid}/pause",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Stop offers to a worker for now",
    )
    def pause(self, request: AnyRequest, broker: BrokerDep, worker_id: FromPath[UUID]) -> None:
        """Pause (idempotent)."""
        with flow_of(request) as principal:
            pause_worker(broker.app, worker_id, tenant=principal.tenant)

    @post(
        "/{worker_id:uuid}/resume",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Offer tasks to a worker again",
    )
    def resume(self, request: AnyRequest, broker: BrokerDep, worker_id: FromPath[UUID]) -> None:
        """Resume (idempotent)."""
        with flow_of(request) as principal:
            resume_worker(broker.app, worker_id, tenant=principal.tenant)
