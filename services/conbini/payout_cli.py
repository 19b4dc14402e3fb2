"""`conbini payout reconcile --period 2026-03`: the accountant's check, from the command line.

Reads payout's store where the environment says (the same `CONBINI_*` settings as the
services: `.conbini/` by default, or `CONBINI_POSTGRES_DSN`), and the broker's published
WorkCompleted from NATS when it answers. Exit status 1 when anything does not reconcile.
"""

import asyncio
from collections.abc import Callable

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
    out(f"reconciliation of {tenant} {found.period}: {'clean' if found.clean else 'NOT clean'}")
    out(f"  rewards    {found.rewards}")
    out(f"  accrued    {found.accrued_yen:,} yen")
    out(f"  paid       {found.paid_yen:,} yen")
    out(f"  payable    {found.payable_yen:,} yen")
    out(f"  trial balance {found.trial_balance:,} yen")
    if not found.upstream_checked:
        out("  (NATS did not answer: WorkCompleted on the BROKER stream not compared)")
    for problem in found.problems:
        out(f"  ✗ {problem}")
    return 0 if found.clean else 1
