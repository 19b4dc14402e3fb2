"""The `conbini` console script: one entry point for operators and developers."""

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from audit.kpi import Span

from backbone.auth import Role, issue_token, load_or_create_key, valid_tenant
from backbone.nats_server import NatsServerError
from backbone.settings import data_dir_from, jwt_key_file
from conbini.audit_cli import (
    at_command,
    default_tenant,
    export_command,
    kpi_command,
    replay_command,
    verify_command,
)
from conbini.clock_cli import clock_command
from conbini.contracts_docs import stale_documents, write_documents
from conbini.demo import run_demo
from conbini.payout_cli import reconcile_command
from conbini.settings import UpSettings, operator_login_env
from conbini.streams_cli import streams_command
from conbini.up import run_up
from conbini.worker_cli import erase_command

EXIT_CODES = """exit status:
  0  clean: every check ran and found nothing wrong
  1  something is wrong (each problem is printed with ✗)
  2  the command was malformed (e.g. a bad period)
  3  could not check everything: NATS did not answer, so the streams were not compared
     (nothing else was found wrong; run it again once NATS answers)"""
REPLAY_EXIT_CODES = (
    EXIT_CODES
    + """
With --no-streams the comparison is skipped on purpose: then 0 means the stores are clean."""
)


def add_clock_command(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """`conbini clock show|set|advance`."""
    clock = commands.add_parser(
        "clock",
        help="show or move forward a rehearsal's clock (`conbini up --rehearsal`)",
        description="Every process of a rehearsal town reads the same clock; moving it moves "
        "the whole town's now. It never moves back, and a town on the real clock refuses.",
        epilog="exit status: 0 done, 1 refused (the real clock, or a move backwards), "
        "2 a malformed time or duration",
    )
    clock.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the rehearsal's data dir (default: $CONBINI_DATA_DIR or .conbini)",
    )
    actions = clock.add_subparsers(dest="clock_action", required=True)
    actions.add_parser("show", help="the rehearsal's now, and how far ahead of real time")
    setting = actions.add_parser("set", help="move the clock forward to a moment")
    setting.add_argument(
        "value", metavar="TIME", help="ISO, e.g. 2026-12-14T12:00+09:00 (no zone: Japan's)"
    )
    advancing = actions.add_parser("advance", help="move the clock forward by a duration")
    advancing.add_argument("value", metavar="DURATION", help="e.g. 90m, 3h, 1d12h, 2w")


def add_operator_commands(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """The demo, the worker, payout, audit and report subcommands."""
    demo = commands.add_parser(
        "demo", help="a synthetic town runs last month through the real services, then reports"
    )
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--workers", type=int, default=580, help="registrants (seed: 580)")
    demo.add_argument("--data-dir", type=Path, default=None, help="keep the town here")
    demo.add_argument("--keep", action="store_true", help="keep the town's data afterwards")

    worker = commands.add_parser("worker", help="a registered worker's personal data")
    worker_commands = worker.add_subparsers(dest="worker_command", required=True)
    erase = worker_commands.add_parser(
        "erase", help="destroy a worker's personal data everywhere (APPI); history stays"
    )
    erase.add_argument("id", type=UUID, help="the worker's id")
    erase.add_argument("--tenant", default=default_tenant())

    payout = commands.add_parser("payout", help="the accountant's checks")
    payout_commands = payout.add_subparsers(dest="payout_command", required=True)
    reconcile = payout_commands.add_parser(
        "reconcile",
        help="reconcile one period (exit 1 on any discrepancy, 3 if NATS could not be checked)",
        description="Reconcile one period: rewards, payments and the ledger, and the broker's "
        "WorkCompleted on the BROKER stream.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reconcile.add_argument("--period", required=True, help="YYYY-MM, e.g. 2026-03")
    reconcile.add_argument(
        "--tenant", default=os.environ.get("CONBINI_TENANT", "mine-wakuwaku"), help="the council"
    )

    audit = commands.add_parser("audit", help="the auditor's commands")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    replaying = audit_commands.add_parser(
        "replay",
        help="replay every store, check the invariants (exit 1 on any violation, 3 if the "
        "streams could not be compared)",
        description="Replay every store, check the invariants and compare with the streams.",
        epilog=REPLAY_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replaying.add_argument(
        "--no-streams", action="store_true", help="do not compare with the JetStream streams"
    )
    audit_commands.add_parser("verify", help="verify every store's tamper-evident chain")
    at = audit_commands.add_parser("at", help="a task, a worker or the ledger as of a moment")
    at.add_argument("moment", help="with a timezone, e.g. 2026-03-31T23:59+09:00")
    at.add_argument("what", choices=["task", "worker", "ledger"])
    at.add_argument("id", nargs="?", help="the task's or worker's id")
    at.add_argument("--tenant", default=default_tenant())
    exporting = audit_commands.add_parser("export", help="all events as JSON Lines, with digests")
    exporting.add_argument("--out", type=Path, default=Path("audit-export"))

    report = commands.add_parser("report", help="the council's reports")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    kpis = report_commands.add_parser("kpi", help="KPIs for a fiscal year or a month")
    period = kpis.add_mutually_exclusive_group(required=True)
    period.add_argument("--fy", type=int, help="fiscal year (April–March), e.g. 2025")
    period.add_argument("--month", help="YYYY-MM")
    kpis.add_argument("--format", choices=["json", "csv", "html"], default="json")
    kpis.add_argument("--out", type=Path, default=None, help="a file (default: stdout)")
    kpis.add_argument("--tenant", default=default_tenant())


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    root = argparse.ArgumentParser(
        prog="conbini", description="shigoto-conbini (しごとコンビニ) operator commands"
    )
    commands = root.add_subparsers(dest="command", required=True)

    up = commands.add_parser(
        "up", help="run the marketplace on this machine (embedded NATS with JetStream)"
    )
    up.add_argument(
        "--data-dir", help="where data is kept (default: $CONBINI_DATA_DIR or .conbini)"
    )
    up.add_argument("--nats", metavar="URL", help="use this NATS instead of starting one")
    up.add_argument("--postgres", metavar="DSN", help="keep every store in this PostgreSQL")
    up.add_argument(
        "--rehearsal",
        action="store_true",
        help="run on a rehearsal clock that `conbini clock` moves forward (default data dir: "
        ".conbini-rehearsal); stored events keep the real time",
    )
    up.add_argument(
        "--no-demo-worker",
        action="store_true",
        help="do not register the demo worker (it takes real offers; off in production)",
    )

    token = commands.add_parser("token", help="issue a development bearer token")
    token.add_argument("--tenant", required=True, help="the council, e.g. mine-wakuwaku")
    token.add_argument("--role", required=True, choices=[role.value for role in Role])
    token.add_argument(
        "--subject",
        type=UUID,
        default=None,
        help="the caller's id, a UUID (default: a new one each time); a requester's requests "
        "are those made with its subject, so reuse one to see them again",
    )
    token.add_argument("--hours", type=float, default=12.0, help="lifetime")

    add_operator_commands(commands)
    add_clock_command(commands)
    commands.add_parser("streams", help="declare every JetStream stream (the operator, once)")

    contracts = commands.add_parser("contracts", help="generated contract documents")
    contracts.add_argument("action", choices=["generate", "check"])
    contracts.add_argument("--root", type=Path, default=Path(), help="repository root")
    return root


def audit_or_report(args: argparse.Namespace) -> int:
    """Run an audit or report subcommand.

    Raises:
        ValueError: a malformed moment, period or id.
    """
    if args.command == "report":
        if args.month is not None:
            Span.month(args.month)  # validates
        return kpi_command(
            fy=args.fy,
            month=args.month,
            tenant=args.tenant,
            output=args.format,
            path=args.out,
        )
    if args.audit_command == "replay":
        return replay_command(streams=not args.no_streams)
    if args.audit_command == "verify":
        return verify_command()
    if args.audit_command == "at":
        return at_command(args.moment, args.what, args.id, args.tenant)
    return export_command(args.out)


def contracts_command(action: str, root: Path) -> int:
    """Generate the documents, or check they are current; return the exit code."""
    if action == "generate":
        for path in write_documents(root):
            print(f"wrote {path}")
        return 0
    if stale := stale_documents(root):
        print("generated contract documents are stale; run `conbini contracts generate`:")
        for path in stale:
            print(f"  {path}")
        return 1
    print("contract documents are current")
    return 0


def token_command(tenant: str, role: Role, subject: UUID | None, hours: float) -> int:
    """Print a token signed with the local development key."""
    try:
        valid_tenant(tenant)
    except ValueError as error:
        print(f"conbini token: {error}", file=sys.stderr)
        return 2
    key = load_or_create_key(jwt_key_file(os.environ))
    print(
        issue_token(
            key,
            tenant=tenant,
            role=role,
            subject=subject or uuid4(),
            lifetime=timedelta(hours=hours),
        )
    )
    return 0


def run(args: argparse.Namespace) -> int:
    """Dispatch to the subcommand.

    Raises:
        ValueError: a malformed option (reported by `main`).
        NatsServerError: `conbini up` could not start NATS.
    """
    commands: dict[str, Callable[[], int]] = {
        "contracts": lambda: contracts_command(args.action, args.root),
        "audit": lambda: audit_or_report(args),
        "report": lambda: audit_or_report(args),
        "demo": lambda: run_demo(
            seed=args.seed, workers=args.workers, data_dir=args.data_dir, keep=args.keep
        ),
        "worker": lambda: erase_command(args.id, valid_tenant(args.tenant)),
        "payout": lambda: reconcile_command(args.period, valid_tenant(args.tenant)),
        "token": lambda: token_command(args.tenant, Role(args.role), args.subject, args.hours),
        "streams": streams_command,
        "clock": lambda: clock_command(
            args.clock_action,
            getattr(args, "value", None),
            args.data_dir.resolve() if args.data_dir else data_dir_from(os.environ),
            err=lambda line: print(line, file=sys.stderr),
        ),
    }
    if args.command in commands:
        return commands[args.command]()
    settings = UpSettings.from_env(
        data_dir=args.data_dir,
        nats_url=args.nats,
        postgres_dsn=args.postgres,
        demo_worker=False if args.no_demo_worker else None,
        rehearsal=args.rehearsal,
    )
    return asyncio.run(run_up(settings))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `conbini` subcommand and return its exit code."""
    args = parser().parse_args(argv)
    if args.command != "up":  # the other commands act as the operator of a local town
        os.environ.update(operator_login_env(os.environ))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        return run(args)
    except (NatsServerError, ValueError) as error:
        print(f"conbini {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
