"""Coordinators: the call list, answers given by phone, deliveries, and page links."""

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backbone.auth import Role, requires
from backbone.flow import Flow, within_flow
from backbone.tracing import new_correlation
from notify.commands.record_phone_answer import PhoneAnswer, record_phone_answer
from notify.http.context import AnyRequest, NotifyDep, caller

COORDINATOR = requires(Role.COORDINATOR)


class CallListEntry(msgspec.Struct, frozen=True, kw_only=True):
    """An offer a coordinator should phone the worker about."""

    offer_id: UUID
    task_id: UUID
    worker_id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    district: str | None
    expires_at: datetime
    waiting_since: datetime
    tried: list[str]
    """Channels tried, with their last outcome (`email:failed` …)."""


class PhoneAnswerResult(msgspec.Struct, frozen=True, kw_only=True):
    """What recording the phone answer did."""

    offer_id: UUID
    result: str
    """recorded, repeated (answered before) or closed (too late)."""


class DeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    """One delivery attempt."""

    channel: str
    outcome: str
    at: datetime


class LinkView(msgspec.Struct, frozen=True, kw_only=True):
    """A fresh link to a worker's page."""

    worker_id: UUID
    url: str


class CoordinatorController(Controller):
    """For the council's coordinators."""

    @get("/call-list", guards=[COORDINATOR], sync_to_thread=False, summary="Offers to phone about")
    def call_list(self, request: AnyRequest, notify: NotifyDep) -> list[CallListEntry]:
        """Open offers nobody answered in time on any channel, oldest first."""
        tenant = caller(request).tenant
        entries = []
        for card in notify.app.board.call_list(tenant):
            last: dict[str, str] = {}
            for channel, outcome, _ in card.attempts:
                last[channel] = outcome.value
            entries.append(
                CallListEntry(
                    offer_id=card.offer_id,
                    task_id=card.task_id,
                    worker_id=card.worker_id,
                    title=str(card.shown.get("title", "")),
                    starts_at=card.shown["starts_at"],
                    ends_at=card.shown["ends_at"],
                    district=card.shown.get("district"),
                    expires_at=card.expires_at,
                    waiting_since=card.received_at,
                    tried=[f"{c}:{o}" for c, o in last.items()],
                )
            )
        return entries

    @post(
        "/offers/{offer_id:uuid}/phone-answer",
        guards=[COORDINATOR],
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Record the answer a worker gave by phone",
    )
    def phone_answer(
        self,
        request: AnyRequest,
        notify: NotifyDep,
        offer_id: FromPath[UUID],
        data: JSONBody[PhoneAnswer],
    ) -> PhoneAnswerResult:
        """Published as the worker's OfferAccepted / OfferDeclined, with your id and `phone`."""
        principal = caller(request)
        flow = Flow(tenant=principal.tenant, correlation_id=new_correlation())
        with within_flow(flow):
            result = record_phone_answer(
                notify.app,
                offer_id,
                data,
                tenant=principal.tenant,
                coordinator_id=principal.subject,
                now=notify.clock.now(),
            )
        return PhoneAnswerResult(offer_id=offer_id, result=result.value)

    @get(
        "/offers/{offer_id:uuid}/deliveries",
        guards=[requires(Role.COORDINATOR, Role.AUDITOR)],
        sync_to_thread=True,
        summary="Every delivery attempt of one offer",
    )
    def deliveries(
        self, request: AnyRequest, notify: NotifyDep, offer_id: FromPath[UUID]
    ) -> list[DeliveryView]:
        """Sent, failed or undeliverable, per channel and time."""
        offer = notify.app.offer(offer_id, caller(request).tenant)
        return [DeliveryView(channel=c, outcome=o, at=at) for c, o, at in offer.attempts]

    @post(
        "/workers/{worker_id:uuid}/link",
        guards=[COORDINATOR],
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="A fresh link to a worker's page (to hand over or print)",
    )
    def link(self, request: AnyRequest, notify: NotifyDep, worker_id: FromPath[UUID]) -> LinkView:
        """The link expires after the configured lifetime and opens only that worker's page.

        404 for a worker notify has not heard of (yet: registration reaches it in a moment).
        """
        tenant = caller(request).tenant
        notify.app.recipient(worker_id, tenant)
        return LinkView(worker_id=worker_id, url=notify.links.page(worker_id, tenant))
