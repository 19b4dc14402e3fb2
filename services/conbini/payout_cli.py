"""`conbini payout reconcile --period 2026-03`: the accountant's check, from the command line.

Reads payout's store where the environment says (the same `CONBINI_*` settings as the
services: `.conbini/` by default, or `CONBINI_POSTGRES_DSN`), and the broker's published
WorkCompleted from NATS when it answers. Exit status 1 when anything does not reconcile,
3 when nothing was found wrong but NATS did not answer, so the stream was not compared.
"""

import asyncio
from collections.abc import Callable

from conbini.exit_codes import CLEAN, INCOMPLETE, WRONG
from payout.bootstrap import build_payout
from payout.domain.periods import Period
from payout.reports import reconcile
from payout.settings import PayoutSettings
from payout.upstream import completed_tasks


def reconcile_command(period_text: str, tenant: str, out: Callable[[str], None] = print) -> int:
    """Reconcile one period of one council; print the result; return the exit status."""
    period = Period.parse(period_text)
    settings = PayoutSettings.from_env()
    payout = build_payout(settings)
    try:
        nats = settings.backbone
        upstream = asyncio.run(
            completed_tasks(list(nats.nats_urls), tenant, period, login=nats.nats_login)
        )
        found = reconcile(payout.app.books, tenant, period, upstream)
    finally:
        payout.app.close()
    verdict = (
        "NOT clean"
        if not found.clean
        else "clean"
        if found.upstream_checked
        else "nothing wrong in payout, but NOT fully checked"
    )
    out(f"reconciliation of {tenant} {found.period}: {verdict}")
    out(f"  rewards    {found.rewards}")
    out(f"  accrued    {found.accrued_yen:,} yen")
    out(f"  paid       {found.paid_yen:,} yen")
    out(f"  payable    {found.payable_yen:,} yen")
    out(f"  trial balance {found.trial_balance:,} yen")
    if not found.upstream_checked:
        out("  ? NATS did not answer: WorkCompleted on the BROKER stream NOT compared (exit 3)")
    for problem in found.problems:
        out(f"  ✗ {problem}")
    if not found.clean:
        return WRONG
    return CLEAN if found.upstream_checked else INCOMPLETE
