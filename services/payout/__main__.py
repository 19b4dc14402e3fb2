"""`python -m payout api|relay|inbox`: run one role of payout."""

import argparse
import os
import sys

import uvicorn

from backbone.clock import clock_from_env
from backbone.observability import configure_logging
from backbone.runtime import run_inboxes, run_relay, run_until_signalled
from backbone.tracing import configure_tracing
from payout.bootstrap import build_payout
from payout.http.app import create_app
from payout.messaging.translate import to_contract
from payout.settings import PayoutSettings


def main(argv: list[str]) -> int:
    """Run the chosen role until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m payout")
    parser.add_argument("role", choices=["api", "relay", "inbox"])
    args = parser.parse_args(argv)
    configure_logging("payout", args.role)
    configure_tracing("payout", args.role)
    settings = PayoutSettings.from_env()
    payout = build_payout(settings, clock=clock_from_env(os.environ))
    if args.role == "api":
        uvicorn.run(
            create_app(payout),
            host=settings.host,
            port=settings.port,
            log_level="info",
            proxy_headers=False,  # X-Forwarded-For: backbone.clientaddr, trusted proxies only
        )
    elif args.role == "relay":
        run_until_signalled(
            lambda stop: run_relay("payout", payout.app, to_contract, settings.backbone, stop)
        )
    else:
        run_until_signalled(lambda stop: run_inboxes("payout", payout.app, settings.backbone, stop))
    payout.app.close()
    return 0


sys.exit(main(sys.argv[1:]))
