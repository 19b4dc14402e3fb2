"""The accountant closes a period (月末締め): payable rewards become one transfer per worker.

Closing the same period again returns the run already closed and pays nothing twice.
Rewards received up to the period's last day and still payable — including ones whose
transfer failed in an earlier run — go in; a worker without a readable bank account is
listed as skipped and their rewards wait for the next run.
"""

from collections import defaultdict
from datetime import date
from uuid import UUID

from payout.application import PayoutApplication
from payout.commands.register_bank_account import account_of
from payout.domain.errors import InvalidRequestError
from payout.domain.payee import Payee
from payout.domain.periods import Period, pay_day
from payout.domain.reward import Reward
from payout.domain.run import PayoutRun, run_id
from payout.domain.zengin import MAX_DATA_RECORDS


def close_payout_run(
    app: PayoutApplication, period_text: str, *, tenant: str, today: date
) -> tuple[PayoutRun, bool]:
    """Close the period; return the run and whether this call closed it.

    Raises:
        InvalidRequestError: a malformed period, or one that has not ended yet.
    """
    try:
        period = Period.parse(period_text)
    except ValueError as error:
        raise InvalidRequestError(str(error)) from error
    if today <= period.end:
        msg = f"{period} has not ended yet (today is {today})"
        raise InvalidRequestError(msg)
    ident = run_id(tenant, str(period))
    if ident in app.repository:
        existing: PayoutRun = app.repository.get(ident)
        return existing, False
    app.books.catch_up(app)
    due: dict[UUID, list[Reward]] = defaultdict(list)
    for line in app.books.of_tenant(tenant):
        if line.received_on <= period.end and line.outstanding > 0 and not line.held:
            reward: Reward = app.repository.get(line.reward_id)
            if reward.payable:
                due[reward.worker_id].append(reward)
    lines: list[dict[str, object]] = []
    skipped: list[dict[str, object]] = []
    changed: list[Reward] = []
    withholding = 0
    for worker_id in sorted(due, key=str):
        rewards = sorted(due[worker_id], key=lambda r: str(r.id))
        amount = sum(r.outstanding for r in rewards)
        payee: object = app.repository.get(worker_id) if worker_id in app.repository else None
        account = account_of(app, payee) if isinstance(payee, Payee) else None
        if account is None:
            skipped.append(
                {"worker_id": str(worker_id), "amount": amount, "reason": "no bank account"}
            )
            continue
        number = len(lines) + 1
        for reward in rewards:
            reward.include(ident)
            withholding += reward.amounts.withholding
            changed.append(reward)
        lines.append(
            {
                "line": number,
                "worker_id": str(worker_id),
                "amount": amount,
                "reward_ids": [str(r.id) for r in rewards],
                "file": (number - 1) // MAX_DATA_RECORDS + 1,
            }
        )
    run = PayoutRun(
        id=ident,
        tenant=tenant,
        period=str(period),
        period_start=period.start,
        period_end=period.end,
        pay_on=pay_day(period, app.pay_day_of_next_month, app.is_holiday),
        lines=lines,
        skipped=skipped,
        withholding=withholding,
        reward_count=len(changed),
    )
    app.save(run, *changed)
    return run, True
