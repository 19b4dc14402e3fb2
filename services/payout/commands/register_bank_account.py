"""The accountant records a worker's bank account (口座登録), checked and sealed."""

from typing import Annotated
from uuid import UUID

import msgspec

from payout.application import PayoutApplication
from payout.domain.errors import InvalidRequestError, NotFoundError
from payout.domain.payee import Payee
from payout.domain.zengin import BankDataError, checked_account


class BankAccountBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A bank account as the worker gives it."""

    bank_code: Annotated[str, msgspec.Meta(pattern=r"^\d{4}$")]
    branch_code: Annotated[str, msgspec.Meta(pattern=r"^\d{3}$")]
    account_type: Annotated[int, msgspec.Meta(ge=1, le=9)] = 1
    """1 普通, 2 当座, 4 貯蓄, 9 その他."""
    number: Annotated[str, msgspec.Meta(pattern=r"^\d{1,7}$")]
    holder_kana: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    """The holder's name in kana (カタカナ or ひらがな), as the bank has it."""


class StoredAccount(msgspec.Struct, frozen=True, kw_only=True):
    """What is sealed: the checked account."""

    bank_code: str
    branch_code: str
    account_type: int
    number: str
    holder: str


def payee_of(app: PayoutApplication, worker_id: UUID, tenant: str) -> Payee:
    """A tenant's payee.

    Raises:
        NotFoundError: no such registered worker for this tenant.
    """
    if worker_id not in app.repository:
        msg = f"no registered worker {worker_id}"
        raise NotFoundError(msg)
    payee: object = app.repository.get(worker_id)
    if not isinstance(payee, Payee) or payee.tenant != tenant:
        msg = f"no registered worker {worker_id}"
        raise NotFoundError(msg)
    return payee


def register_bank_account(
    app: PayoutApplication, worker_id: UUID, body: BankAccountBody, *, tenant: str
) -> StoredAccount:
    """Check the account against zengin-code and the 全銀 character set, then seal it.

    Raises:
        NotFoundError: no such worker.
        InvalidRequestError: unknown bank or branch, a name that is not kana, an erased worker.
    """
    payee = payee_of(app, worker_id, tenant)
    if payee.erased:
        msg = f"worker {worker_id} was erased"
        raise InvalidRequestError(msg)
    try:
        account = checked_account(
            bank_code=body.bank_code,
            branch_code=body.branch_code,
            account_type=body.account_type,
            number=body.number,
            holder=body.holder_kana,
        )
    except BankDataError as error:
        raise InvalidRequestError(str(error)) from error
    stored = StoredAccount(
        bank_code=account.bank_code,
        branch_code=account.branch_code,
        account_type=account.account_type,
        number=account.number,
        holder=account.holder,
    )
    payee.give_bank_account(app.vault.seal(worker_id, msgspec.json.encode(stored)))
    app.save(payee)
    return stored


def account_of(app: PayoutApplication, payee: Payee) -> StoredAccount | None:
    """The payee's account, or None when never given or unreadable (erased)."""
    if payee.sealed_account is None or payee.erased:
        return None
    plain = app.vault.open(payee.id, payee.sealed_account)
    return None if plain is None else msgspec.json.decode(plain, type=StoredAccount)
