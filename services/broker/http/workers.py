"""Coordinators register workers and manage their availability."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from backbone.auth import Role, requires
from broker.bootstrap import Broker
from broker.commands.change_constraints import change_constraints
from broker.commands.change_personal_details import change_personal_details
from broker.commands.change_skills import ChangeSkills, change_skills
from broker.commands.erase_worker import erase_worker
from broker.commands.list_workers import DEFAULT_LIMIT, MAX_LIMIT, ListWorkers, list_workers
from broker.commands.pause_worker import pause_worker, resume_worker
from broker.commands.register_worker import (
    ConstraintsBody,
    PersonalDetails,
    RegisterWorker,
    open_personal,
    register_worker,
)
from broker.domain.errors import WorkerErasedError
from broker.domain.values import TOKYO
from broker.http.context import AnyRequest, BrokerDep, caller, flow_of
from broker.http.schemas import Created, RegisterView, register_view
from contracts.values import Channel

COORDINATOR = requires(Role.COORDINATOR)


def today(broker: Broker) -> date:
    """Today in Asia/Tokyo."""
    return broker.clock.now().astimezone(TOKYO).date()


class WorkerView(msgspec.Struct, frozen=True, kw_only=True):
    """What the registry holds of a worker; personal details only for coordinators."""

    id: UUID
    birth_year: int
    sex: str
    district: str | None
    skills: list[str]
    preferred_work_types: list[str]
    constraints: dict[str, object]
    paused: bool
    erased: bool
    personal: PersonalDetails | None
    """Coordinators only; None for auditors and once the person was erased."""


class Reach(msgspec.Struct, frozen=True, kw_only=True):
    """How notify may reach a worker right now."""

    worker_id: UUID
    name: str
    channels: list[Channel]
    """In the worker's order of preference; the web inbox always among them."""
    email: str | None
    phone: str | None
    line_user_id: str | None


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
            return Created(
                id=register_worker(broker.app, data, tenant=principal.tenant, today=today(broker))
            )

    @get("/", guards=[COORDINATOR], sync_to_thread=True, summary="The register of workers")
    def register_list(  # noqa: PLR0913 - one parameter per filter
        self,
        request: AnyRequest,
        broker: BrokerDep,
        *,
        q: FromQuery[str | None] = None,
        district: FromQuery[str | None] = None,
        skill: FromQuery[str | None] = None,
        paused: FromQuery[bool | None] = None,
        channel: FromQuery[Channel | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> RegisterView:
        """登録者名簿: the council's workers sorted by kana, with search and filters.

        `q` matches part of the name or kana (spaces, width and katakana/hiragana ignored);
        the other filters match exactly. Erased workers are listed without personal data.
        """
        query = ListWorkers(
            q=q,
            district=district,
            skill=skill,
            paused=paused,
            channel=channel,
            limit=limit,
            offset=offset,
        )
        found = list_workers(broker.app, query, tenant=caller(request).tenant)
        return register_view(found, limit=limit, offset=offset)

    @get(
        "/{worker_id:uuid}",
        guards=[requires(Role.COORDINATOR, Role.AUDITOR)],
        sync_to_thread=True,
        summary="One registered worker",
    )
    def one(self, request: AnyRequest, broker: BrokerDep, worker_id: FromPath[UUID]) -> WorkerView:
        """The worker as matching sees them, and who they are for their coordinator."""
        principal = caller(request)
        worker = broker.app.worker(worker_id, principal.tenant)
        personal = None
        if principal.role is Role.COORDINATOR and not worker.erased:
            personal = open_personal(broker.app, worker.id, worker.personal)
        return WorkerView(
            id=worker.id,
            birth_year=worker.birth_year,
            sex=worker.sex,
            district=worker.district,
            skills=worker.skills,
            preferred_work_types=worker.preferred_work_types,
            constraints=worker.constraints,
            paused=worker.paused,
            erased=worker.erased,
            personal=personal,
        )

    @get(
        "/{worker_id:uuid}/reach",
        guards=[requires(Role.SERVICE, Role.COORDINATOR)],
        sync_to_thread=True,
        summary="How to reach a worker (for notify, at sending time)",
    )
    def reach(self, request: AnyRequest, broker: BrokerDep, worker_id: FromPath[UUID]) -> Reach:
        """Channels in the worker's order and the contacts they consented to; 410 once erased.

        Notify asks at each delivery and keeps nothing, so the details live in one place.
        """
        worker = broker.app.worker(worker_id, caller(request).tenant)
        details = None if worker.erased else open_personal(broker.app, worker.id, worker.personal)
        if details is None:
            raise WorkerErasedError(worker_id)
        consented = set(details.consent.contact) | {Channel.WEB}
        return Reach(
            worker_id=worker.id,
            name=details.name,
            channels=[c for c in details.channels if c in consented or c is Channel.PHONE],
            email=details.email if Channel.EMAIL in consented else None,
            phone=details.phone if {Channel.SMS, Channel.PHONE} & consented else None,
            line_user_id=details.line_user_id if Channel.LINE in consented else None,
        )

    @put(
        "/{worker_id:uuid}/personal",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Change a worker's personal details",
    )
    def change_personal(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        worker_id: FromPath[UUID],
        data: JSONBody[PersonalDetails],
    ) -> None:
        """New contacts, address, channels or consent; sealed again under the worker's key."""
        with flow_of(request) as principal:
            change_personal_details(
                broker.app, worker_id, data, tenant=principal.tenant, today=today(broker)
            )

    @put(
        "/{worker_id:uuid}/constraints",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Change a worker's hard constraints",
    )
    def change_constraints(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        worker_id: FromPath[UUID],
        data: JSONBody[ConstraintsBody],
    ) -> None:
        """New weekly windows, days off, home district, travel or caps, checked as at 登録.

        Offers made from now on respect them; offers already made stand.
        """
        with flow_of(request) as principal:
            change_constraints(broker.app, worker_id, data, tenant=principal.tenant)

    @put(
        "/{worker_id:uuid}/skills",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Change a worker's skills and preferred work",
    )
    def change_skills(
        self,
        request: AnyRequest,
        broker: BrokerDep,
        worker_id: FromPath[UUID],
        data: JSONBody[ChangeSkills],
    ) -> None:
        """Replace the skills and preferred work types (both lists, either may be empty)."""
        with flow_of(request) as principal:
            change_skills(broker.app, worker_id, data, tenant=principal.tenant)

    @delete(
        "/{worker_id:uuid}/personal",
        status_code=HTTP_204_NO_CONTENT,
        guards=[COORDINATOR],
        sync_to_thread=True,
        summary="Erase a worker's personal data (APPI)",
    )
    def erase(self, request: AnyRequest, broker: BrokerDep, worker_id: FromPath[UUID]) -> None:
        """Destroy the worker's data key: their details become unreadable everywhere."""
        with flow_of(request) as principal:
            erase_worker(broker.app, worker_id, tenant=principal.tenant)

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
