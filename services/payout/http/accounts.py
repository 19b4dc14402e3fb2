"""Bank accounts, rewards and balances."""

from datetime import date
from uuid import UUID

import msgspec
from litestar import Controller, get, put
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, FromQuery, JSONBody

from backbone.auth import Role, requires
from payout.books import RewardLine
from payout.commands.register_bank_account import BankAccountBody, register_bank_account
from payout.domain import ledger
from payout.domain.periods import Period, pay_day
from payout.http.context import AnyRequest, PayoutDep, caller, flow_of, today
from payout.reports import at_risk

ACCOUNTANT = requires(Role.ACCOUNTANT)
READERS = requires(Role.ACCOUNTANT, Role.AUDITOR)
NO_STORE = CacheControlHeader(no_store=True)


class BankAccountView(msgspec.Struct, frozen=True, kw_only=True):
    """A recorded account, the number masked."""

    worker_id: UUID
    bank_code: str
    branch_code: str
    account_type: int
    number_masked: str
    holder_kana: str
    """As it will appear in the bank file (half-width katakana)."""


class RewardView(msgspec.Struct, frozen=True, kw_only=True):
    """One reward."""

    reward_id: UUID
    task_id: UUID
    worker_id: UUID
    requester_id: UUID
    cause: str
    received_on: date
    pay_by: date
    reward_yen: int
    transport_yen: int
    compensation_yen: int
    withholding_yen: int
    net_yen: int
    fee_yen: int
    fee_tax_yen: int
    paid_yen: int
    outstanding_yen: int
    held: bool
    in_run: bool


class BalanceView(msgspec.Struct, frozen=True, kw_only=True):
    """An account's balance (positive: a debit balance)."""

    account: str
    balance_yen: int


class TrialBalanceView(msgspec.Struct, frozen=True, kw_only=True):
    """Every account of the council's books; `total_yen` is 0 when they balance."""

    accounts: dict[str, int]
    total_yen: int


class AccountsController(Controller):
    """For the council's accountant (and, read-only, its auditors)."""

    @put(
        "/workers/{worker_id:uuid}/bank-account",
        guards=[ACCOUNTANT],
        sync_to_thread=True,
        summary="Record a worker's bank account (checked, sealed)",
        cache_control=NO_STORE,  # the holder's name: not kept by Idempotency-Key either
    )
    def bank_account(
        self,
        request: AnyRequest,
        payout: PayoutDep,
        worker_id: FromPath[UUID],
        data: JSONBody[BankAccountBody],
    ) -> BankAccountView:
        """Unknown banks or branches and names that are not kana are refused with a reason."""
        with flow_of(request) as principal:
            stored = register_bank_account(payout.app, worker_id, data, tenant=principal.tenant)
        return BankAccountView(
            worker_id=worker_id,
            bank_code=stored.bank_code,
            branch_code=stored.branch_code,
            account_type=stored.account_type,
            number_masked="*" * 4 + stored.number[-3:],
            holder_kana=stored.holder,
        )

    @get("/rewards", guards=[READERS], sync_to_thread=True, summary="Rewards")
    def rewards(
        self,
        request: AnyRequest,
        payout: PayoutDep,
        worker_id: FromQuery[UUID | None] = None,
        requester_id: FromQuery[UUID | None] = None,
    ) -> list[RewardView]:
        """The council's rewards, optionally of one worker or one requester."""
        payout.app.books.catch_up(payout.app)
        found = [
            r
            for r in payout.app.books.of_tenant(caller(request).tenant)
            if (worker_id is None or r.worker_id == worker_id)
            and (requester_id is None or r.requester_id == requester_id)
        ]
        return [
            reward_view(r) for r in sorted(found, key=lambda r: (r.received_on, str(r.reward_id)))
        ]

    @get(
        "/rewards/at-risk",
        guards=[READERS],
        sync_to_thread=True,
        summary="Rewards near the 60-day deadline",
    )
    def at_risk(self, request: AnyRequest, payout: PayoutDep) -> list[RewardView]:
        """Unpaid rewards the next pay day would pay after their フリーランス法 deadline."""
        payout.app.books.catch_up(payout.app)
        now = today(payout)
        next_pay_on = pay_day(
            Period.of(now), payout.app.pay_day_of_next_month, payout.app.is_holiday
        )
        risky = at_risk(
            payout.app.books, caller(request).tenant, today=now, next_pay_on=next_pay_on
        )
        return [reward_view(r) for r in risky]

    @get(
        "/balances/workers/{worker_id:uuid}",
        guards=[READERS],
        sync_to_thread=True,
        summary="What the council owes a worker",
    )
    def worker_balance(
        self, request: AnyRequest, payout: PayoutDep, worker_id: FromPath[UUID]
    ) -> BalanceView:
        """The worker's payable account (negative: owed to the worker)."""
        payout.app.books.catch_up(payout.app)
        account = ledger.payable(worker_id)
        balance = payout.app.books.balance(caller(request).tenant, account)
        return BalanceView(account=account, balance_yen=balance)

    @get(
        "/balances/requesters/{requester_id:uuid}",
        guards=[READERS],
        sync_to_thread=True,
        summary="What a requester owes the council",
    )
    def requester_balance(
        self, request: AnyRequest, payout: PayoutDep, requester_id: FromPath[UUID]
    ) -> BalanceView:
        """The requester's receivable account."""
        payout.app.books.catch_up(payout.app)
        account = ledger.receivable(requester_id)
        balance = payout.app.books.balance(caller(request).tenant, account)
        return BalanceView(account=account, balance_yen=balance)

    @get("/ledger/trial-balance", guards=[READERS], sync_to_thread=True, summary="Trial balance")
    def trial_balance(self, request: AnyRequest, payout: PayoutDep) -> TrialBalanceView:
        """Every account's balance; the total is zero when the books balance."""
        payout.app.books.catch_up(payout.app)
        tenant = caller(request).tenant
        with payout.app.books.lock:
            accounts = dict(sorted(payout.app.books.balances[tenant].items()))
        return TrialBalanceView(accounts=accounts, total_yen=sum(accounts.values()))


def reward_view(r: RewardLine) -> RewardView:
    """Render a reward from the books."""
    a = r.amounts
    return RewardView(
        reward_id=r.reward_id,
        task_id=r.task_id,
        worker_id=r.worker_id,
        requester_id=r.requester_id,
        cause=r.cause,
        received_on=r.received_on,
        pay_by=r.pay_by,
        reward_yen=a.reward,
        transport_yen=a.transport,
        compensation_yen=a.compensation,
        withholding_yen=a.withholding,
        net_yen=a.net,
        fee_yen=a.fee,
        fee_tax_yen=a.fee_tax,
        paid_yen=r.paid,
        outstanding_yen=r.outstanding,
        held=r.held,
        in_run=r.in_run is not None,
    )
