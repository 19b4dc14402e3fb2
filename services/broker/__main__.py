"""`python -m broker api|relay|inbox|clock`: run one role of the broker."""

import argparse
import asyncio
import logging
import os
import sys

import uvicorn

from backbone.clock import clock_from_env
from backbone.observability import configure_logging
from backbone.runtime import run_inboxes, run_relay, run_until_signalled
from backbone.threads import run_sync
from backbone.tracing import configure_tracing
from broker.bootstrap import Broker, build_broker
from broker.commands.expire_offers import expire_offers
from broker.http.app import create_app
from broker.messaging.translate import to_contract
from broker.settings import BrokerSettings

log = logging.getLogger("broker")


async def run_clock(broker: Broker, stop: asyncio.Event) -> None:
    """Expire unanswered offers and offer their tasks onward, every few seconds."""
    every = broker.settings.expire_every.total_seconds()
    while not stop.is_set():
        try:
            closed = await run_sync(expire_offers, broker.app, now=broker.clock.now())
            if closed:
                log.info("expired %s offers", closed)
        except Exception:
            log.exception("expiring offers failed; will retry")
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except TimeoutError:
            continue


def main(argv: list[str]) -> int:
    """Run the chosen role until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m broker")
    parser.add_argument("role", choices=["api", "relay", "inbox", "clock"])
    args = parser.parse_args(argv)
    configure_logging("broker", args.role)
    configure_tracing("broker", args.role)
    settings = BrokerSettings.from_env()
    broker = build_broker(settings, clock=clock_from_env(os.environ))
    if args.role == "api":
        uvicorn.run(
            create_app(broker),
            host=settings.host,
            port=settings.port,
            log_level="info",
            proxy_headers=False,  # X-Forwarded-For: backbone.clientaddr, trusted proxies only
        )
    elif args.role == "relay":
        run_until_signalled(
            lambda stop: run_relay("broker", broker.app, to_contract, settings.backbone, stop)
        )
    elif args.role == "inbox":
        run_until_signalled(lambda stop: run_inboxes("broker", broker.app, settings.backbone, stop))
    else:
        run_until_signalled(lambda stop: run_clock(broker, stop))
    broker.app.close()
    return 0


sys.exit(main(sys.argv[1:]))
