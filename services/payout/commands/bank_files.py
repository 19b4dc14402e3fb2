"""The run's 全銀 総合振込 files and its CSV summary, made from the run and sealed accounts."""

import csv
import io
from uuid import UUID

from payout.application import PayoutApplication
from payout.commands.register_bank_account import account_of
from payout.commands.settle_payout import run_of
from payout.domain.errors import InvalidRequestError
from payout.domain.payee import Payee
from payout.domain.zengin import (
    Account,
    BankDataError,
    LineEnding,
    Remitter,
    Transfer,
    bank_files,
)


def run_bank_files(
    app: PayoutApplication,
    period_text: str,
    *,
    tenant: str,
    remitter: Remitter,
    line_ending: LineEnding,
) -> list[bytes]:
    """One file per 9,999 transfers.

    Raises:
        NotFoundError: the period was not closed.
        InvalidRequestError: an account became unreadable (erased) or invalid.
    """
    run = run_of(app, period_text, tenant)
    transfers = []
    for line in run.lines:
        payee: object = app.repository.get(UUID(str(line["worker_id"])))
        stored = account_of(app, payee) if isinstance(payee, Payee) else None
        if stored is None:
            msg = f"line {line['line']}: the worker's bank account can no longer be read"
            raise InvalidRequestError(msg)
        account = Account(
            bank_code=stored.bank_code,
            branch_code=stored.branch_code,
            account_type=stored.account_type,
            number=stored.number,
            holder=stored.holder,
        )
        transfers.append(Transfer(account, int(line["amount"]), customer_code=str(line["line"])))
    try:
        return bank_files(remitter, run.pay_on, transfers, line_ending)
    except BankDataError as error:
        raise InvalidRequestError(str(error)) from error


def run_summary_csv(app: PayoutApplication, period_text: str, *, tenant: str) -> str:
    """One row per line: line, file, worker, rewards, yen, the bank's answer so far."""
    run = run_of(app, period_text, tenant)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["line", "file", "worker_id", "rewards", "amount_yen", "status", "reason"])
    for line in run.lines:
        settled = run.settled.get(int(line["line"]))
        status = "pending" if settled is None else "paid" if settled[0] else "failed"
        writer.writerow(
            [
                line["line"],
                line["file"],
                line["worker_id"],
                len(line["reward_ids"]),
                line["amount"],
                status,
                settled[1] if settled else "",
            ]
        )
    for skipped in run.skipped:
        writer.writerow(
            ["", "", skipped["worker_id"], "", skipped["amount"], "skipped", skipped["reason"]]
        )
    return out.getvalue()
