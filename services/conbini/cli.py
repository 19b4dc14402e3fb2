"""The `conbini` console script: one entry point for operators and developers."""

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

from backbone.auth import Role, issue_token, load_or_create_key, valid_tenant
from backbone.nats_server import NatsServerError
from backbone.settings import jwt_key_file
from conbini.contracts_docs import stale_documents, write_documents
from conbini.payout_cli import reconcile_command
from conbini.settings import UpSettings
from conbini.up import run_up


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
        "--no-demo-worker",
        action="store_true",
        help="do not register the demo worker (it takes real offers; off in production)",
    )

    token = commands.add_parser("token", help="issue a development bearer token")
    token.add_argument("--tenant", required=True, help="the council, e.g. mine-wakuwaku")
    token.add_argument("--role", required=True, choices=[role.value for role in Role])
    token.add_argument("--subject", type=UUID, default=None, help="caller id (default: new)")
    token.add_argument("--hours", type=float, default=12.0, help="lifetime")

    payout = commands.add_parser("payout", help="the accountant's checks")
    payout_commands = payout.add_subparsers(dest="payout_command", required=True)
    reconcile = payout_commands.add_parser(
        "reconcile", help="reconcile one period (exit status 1 on any discrepancy)"
    )
    reconcile.add_argument("--period", required=True, help="YYYY-MM, e.g. 2026-03")
    reconcile.add_argument(
        "--tenant", default=os.environ.get("CONBINI_TENANT", "mine-wakuwaku"), help="the council"
    )

    contracts = commands.add_parser("contracts", help="generated contract documents")
    contracts.add_argument("action", choices=["generate", "check"])
    contracts.add_argument("--root", type=Path, default=Path(), help="repository root")
    return root


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `conbini` subcommand and return its exit code."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "contracts":
        return contracts_command(args.action, args.root)
    if args.command == "payout":
        try:
            return reconcile_command(args.period, valid_tenant(args.tenant))
        except ValueError as error:
            print(f"conbini payout: {error}", file=sys.stderr)
            return 2
    if args.command == "token":
        return token_command(args.tenant, Role(args.role), args.subject, args.hours)
    try:
        settings = UpSettings.from_env(
            data_dir=args.data_dir,
            nats_url=args.nats,
            postgres_dsn=args.postgres,
            demo_worker=False if args.no_demo_worker else None,
        )
        return asyncio.run(run_up(settings))
    except (NatsServerError, ValueError) as error:
        print(f"conbini up: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
