"""`conbini audit replay|verify|at|export` and `conbini report kpi`: the auditor's commands.

They read the stores where the environment says (the same `CONBINI_*` settings as the
services: `.conbini/` by default, or `CONBINI_POSTGRES_DSN`) and the streams from
`CONBINI_NATS_URL` when it answers. Exit status 1 when anything is wrong; `replay` exits 3
when nothing was found wrong but NATS did not answer, so the streams were not compared.
"""

import asyncio
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from audit.at import NothingThenError, ledger_at, worker_at
from audit.export import export
from audit.kpi import Span, as_csv, as_html, kpi
from audit.replay import replay
from audit.sources import APPS, Record, open_records
from audit.streams import stream_ids

from backbone.chain import chain_key, verify
from backbone.settings import backbone_from_env
from broker.application import BrokerApplication
from broker.domain.errors import TaskNotFoundError
from broker.timeline import timeline
from conbini.exit_codes import CLEAN, INCOMPLETE, WRONG

Out = Callable[[str], None]


@contextmanager
def records() -> Iterator[list[Record]]:
    """Every service's record, closed afterwards."""
    opened = open_records(backbone_from_env().store)
    try:
        yield opened
    finally:
        for record in opened:
            record.close()


def progress_bar(service: str, done: int, total: int) -> None:
    """`[broker] ████████░░ 80 %  40,000/50,000` on stderr."""
    share = done / total if total else 1.0
    filled = int(share * 20)
    bar = "█" * filled + "░" * (20 - filled)
    end = "\n" if done >= total else ""
    print(f"\r[{service:<6}] {bar} {share:4.0%}  {done:,}/{total:,}", end=end, file=sys.stderr)


def replay_command(*, streams: bool, out: Out = print) -> int:
    """Replay every store and check the invariants; 1 on any violation.

    3 when the streams were to be compared but NATS did not answer (and nothing else was
    wrong); with `streams` false the comparison is skipped on purpose and not counted.
    """
    settings = backbone_from_env()
    on_streams = (
        asyncio.run(stream_ids(list(settings.nats_urls), list(APPS), login=settings.nats_login))
        if streams
        else None
    )
    with records() as opened:
        summary = replay(opened, streams=on_streams, progress=progress_bar)
    unchecked = streams and not summary.streams_checked
    verdict = (
        f"{len(summary.violations)} violation(s)"
        if not summary.clean
        else "stores clean, but NOT fully checked"
        if unchecked
        else "clean"
    )
    out("replay: " + verdict)
    for service, count in summary.events.items():
        out(f"  {service:<7} {count:,} events")
    out(f"  tasks {summary.tasks:,}, offers checked against constraints {summary.offers_checked:,}")
    out(f"  rewards {summary.rewards:,}, payments {summary.paid:,}")
    for tenant, balance in summary.trial_balances.items():
        out(f"  trial balance {tenant}: {balance}")
    if unchecked:
        out("  ? NATS did not answer: the streams were NOT compared with the stores (exit 3)")
    elif not summary.streams_checked:
        out("  (streams not compared: --no-streams)")
    for v in summary.violations:
        out(f"  ✗ {v.service} @{v.position}: {v.rule}: {v.detail}")
    if not summary.clean:
        return WRONG
    return INCOMPLETE if unchecked else CLEAN


def verify_command(out: Out = print) -> int:
    """Verify every store's chain; 1 on any break."""
    store = backbone_from_env().store
    key = chain_key(store.chain_secret)
    broken = 0
    with records() as opened:
        for record in opened:
            verdict = verify(record.service, key, *record.chain())
            status = "ok" if verdict.ok else f"{len(verdict.breaks)} break(s)"
            head = verdict.head[:16]
            out(f"{record.service:<7} {verdict.events:,} events, chain {status}, head {head}")
            for b in verdict.breaks:
                out(f"  ✗ {record.service} position {b.position}: {b.kind} — {b.detail}")
            broken += len(verdict.breaks)
    return 0 if broken == 0 else 1


def jsonable(value: Any) -> Any:  # noqa: ANN401 - any stored value
    """Times and ids as text, for printing."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def at_command(moment: str, what: str, ident: str | None, tenant: str, out: Out = print) -> int:
    """A task, a worker or the ledger as it stood at `moment`; 1 when there was none."""
    at = datetime.fromisoformat(moment)
    if at.tzinfo is None:
        msg = "the moment needs a timezone, e.g. 2026-03-31T23:59+09:00"
        raise ValueError(msg)
    with records() as opened:
        by_service = {r.service: r for r in opened}
        try:
            if what == "ledger":
                found: Any = ledger_at(by_service["payout"], at)
            elif ident is None:
                msg = f"`{what}` needs an id"
                raise ValueError(msg)
            elif what == "worker":
                found = worker_at(by_service["broker"], UUID(ident), at)
            else:
                app = by_service["broker"].app
                assert isinstance(app, BrokerApplication)  # noqa: S101 - APPS maps broker so
                task, entries = timeline(app, UUID(ident), tenant, at)
                found = {
                    "task_id": str(task.id),
                    "as_of": at.isoformat(),
                    "status": task.status.value,
                    "worker_id": str(task.worker_id) if task.worker_id else None,
                    "timeline": entries,
                }
        except (NothingThenError, TaskNotFoundError) as error:
            out(f"nothing then: {error}")
            return 1
    out(json.dumps(jsonable(found), ensure_ascii=False, indent=2))
    return 0


def export_command(folder: Path, out: Out = print) -> int:
    """Write the JSON Lines and digests."""
    with records() as opened:
        written = export(opened, folder)
    for e in written:
        out(f"{e.path}  {e.events:,} events  sha256 {e.sha256}  chain head {e.chain_head[:16]}")
    out(f"{folder / 'digests.json'}")
    return 0


def kpi_command(
    *,
    fy: int | None,
    month: str | None,
    tenant: str,
    output: str,
    path: Path | None,
    out: Out = print,
) -> int:
    """The KPI report as JSON, CSV or HTML, to a file or stdout."""
    span = Span.fiscal_year(fy) if fy is not None else Span.month(str(month))
    with records() as opened:
        by_service = {r.service: r for r in opened}
        report = kpi(by_service["broker"], by_service["payout"], span, tenant)
    text = (
        json.dumps(report, ensure_ascii=False, indent=2)
        if output == "json"
        else as_csv(report)
        if output == "csv"
        else as_html(report)
    )
    if path is None:
        out(text)
    else:
        path.write_text(text, encoding="utf-8")
        out(f"wrote {path}")
    return 0


def default_tenant() -> str:
    """The council named in the environment."""
    return os.environ.get("CONBINI_TENANT", "mine-wakuwaku")
