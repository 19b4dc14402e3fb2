"""Requester invoices (JSON and a printable page) and reconciliation."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template

from backbone.auth import Principal, Role, requires
from payout.domain.errors import InvalidRequestError
from payout.domain.periods import Period
from payout.http.context import AnyRequest, PayoutDep, caller
from payout.reports import Invoice, invoice, reconcile
from payout.upstream import completed_tasks

PeriodText = Annotated[str, msgspec.Meta(pattern=r"^2[01]\d{2}-(0[1-9]|1[0-2])$")]


class InvoiceLineView(msgspec.Struct, frozen=True, kw_only=True):
    """One task on the invoice."""

    task_id: UUID
    received_on: date
    cause: str
    reward_yen: int
    transport_yen: int
    compensation_yen: int
    fee_yen: int
    fee_tax_yen: int
    total_yen: int


class InvoiceView(msgspec.Struct, frozen=True, kw_only=True):
    """A requester's invoice for one month (請求書)."""

    requester_id: UUID
    period: str
    lines: list[InvoiceLineView]
    reward_yen: int
    transport_yen: int
    compensation_yen: int
    fee_yen: int
    fee_tax_yen: int
    total_yen: int


class ReconciliationView(msgspec.Struct, frozen=True, kw_only=True):
    """What reconciling the period found; `clean` when nothing is wrong."""

    period: str
    clean: bool
    rewards: int
    accrued_yen: int
    paid_yen: int
    payable_yen: int
    trial_balance_yen: int
    upstream_checked: bool
    """True when the broker's WorkCompleted could be read from the BROKER stream."""
    problems: list[str]


def period_of(text: str) -> Period:
    """The period named in a path.

    Raises:
        InvalidRequestError: not YYYY-MM.
    """
    try:
        return Period.parse(text)
    except ValueError as error:
        raise InvalidRequestError(str(error)) from error


def invoice_view(found: Invoice) -> InvoiceView:
    """Render an invoice."""
    return InvoiceView(
        requester_id=found.requester_id,
        period=found.period,
        lines=[
            InvoiceLineView(
                task_id=line.task_id,
                received_on=line.received_on,
                cause=line.cause,
                reward_yen=line.reward_yen,
                transport_yen=line.transport_yen,
                compensation_yen=line.compensation_yen,
                fee_yen=line.fee_yen,
                fee_tax_yen=line.fee_tax_yen,
                total_yen=line.total_yen,
            )
            for line in found.lines
        ],
        reward_yen=found.total("reward_yen"),
        transport_yen=found.total("transport_yen"),
        compensation_yen=found.total("compensation_yen"),
        fee_yen=found.total("fee_yen"),
        fee_tax_yen=found.total("fee_tax_yen"),
        total_yen=found.total("total_yen"),
    )


def may_see_invoice(principal: Principal, requester_id: UUID) -> None:
    """Accountants and auditors see every invoice; a requester only its own.

    Raises:
        PermissionDeniedException: anyone else.
    """
    if principal.role in (Role.ACCOUNTANT, Role.AUDITOR):
        return
    if principal.role is Role.REQUESTER and principal.subject == requester_id:
        return
    raise PermissionDeniedException(detail="a requester sees only its own invoices")


INVOICE_READERS = requires(Role.ACCOUNTANT, Role.AUDITOR, Role.REQUESTER)


class ReportsController(Controller):
    """Invoices and reconciliation."""

    @get(
        "/invoices/{requester_id:uuid}/{period:str}",
        guards=[INVOICE_READERS],
        sync_to_thread=True,
        summary="A requester's invoice for a month",
    )
    def invoice(
        self,
        request: AnyRequest,
        payout: PayoutDep,
        requester_id: FromPath[UUID],
        period: FromPath[PeriodText],
    ) -> InvoiceView:
        """Rewards, transport, compensation, the council's fee and its consumption tax."""
        principal = caller(request)
        may_see_invoice(principal, requester_id)
        payout.app.books.catch_up(payout.app)
        found = invoice(payout.app.books, principal.tenant, requester_id, period_of(period))
        return invoice_view(found)

    @get(
        "/invoices/{requester_id:uuid}/{period:str}/page",
        guards=[INVOICE_READERS],
        sync_to_thread=True,
        summary="The invoice as a printable page",
        media_type="text/html",
    )
    def invoice_page(
        self,
        request: AnyRequest,
        payout: PayoutDep,
        requester_id: FromPath[UUID],
        period: FromPath[PeriodText],
    ) -> Template:
        """請求書 for printing (A4)."""
        principal = caller(request)
        may_see_invoice(principal, requester_id)
        payout.app.books.catch_up(payout.app)
        found = invoice(payout.app.books, principal.tenant, requester_id, period_of(period))
        return Template(
            "invoice.html.j2",
            context={"invoice": invoice_view(found), "tenant": principal.tenant},
        )

    @get(
        "/reconciliation/{period:str}",
        guards=[requires(Role.ACCOUNTANT, Role.AUDITOR)],
        summary="Reconcile a period",
    )
    async def reconciliation(
        self, request: AnyRequest, payout: PayoutDep, period: FromPath[PeriodText]
    ) -> ReconciliationView:
        """WorkCompleted ↔ RewardAccrued ↔ RewardPaid or payable, the ledger, the bank files."""
        tenant = caller(request).tenant
        month = period_of(period)
        urls = list(payout.settings.backbone.nats_urls)
        login = payout.settings.backbone.nats_login
        upstream = await completed_tasks(urls, tenant, month, login=login)
        payout.app.books.catch_up(payout.app)
        found = reconcile(payout.app.books, tenant, month, upstream)
        return ReconciliationView(
            period=found.period,
            clean=found.clean,
            rewards=found.rewards,
            accrued_yen=found.accrued_yen,
            paid_yen=found.paid_yen,
            payable_yen=found.payable_yen,
            trial_balance_yen=found.trial_balance,
            upstream_checked=found.upstream_checked,
            problems=found.problems,
        )
