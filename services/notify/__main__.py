"""`python -m notify api|relay|inbox|dispatch`: run one role of notify."""

import argparse
import asyncio
import contextlib
import logging
import os
import sys

import uvicorn

from backbone.clock import clock_from_env
from backbone.observability import configure_logging
from backbone.runtime import lease_for, run_inboxes, run_relay, run_until_signalled
from backbone.threads import run_sync
from backbone.tracing import configure_tracing
from notify.bootstrap import Notify, build_notify
from notify.http.app import create_app
from notify.messaging.translate import to_contract
from notify.settings import NotifySettings

log = logging.getLogger("notify")


async def run_dispatch(notify: Notify, stop: asyncio.Event) -> None:
    """Carry offers down each worker's channels; one dispatcher at a time (a lease)."""
    every = notify.settings.dispatch_every.total_seconds()
    lease = lease_for("notify", "dispatch", notify.settings.backbone.store)
    try:
        while not stop.is_set():
            if await run_sync(lease.try_acquire) and await run_sync(lease.still_held):
                try:
                    steps = await run_sync(notify.dispatcher.tick)
                    if steps:
                        log.info("dispatched %s steps", steps)
                except Exception:
                    log.exception("dispatching failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
    finally:
        lease.release()


def main(argv: list[str]) -> int:
    """Run the chosen role until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m notify")
    parser.add_argument("role", choices=["api", "relay", "inbox", "dispatch"])
    args = parser.parse_args(argv)
    configure_logging("notify", args.role)
    configure_tracing("notify", args.role)
    settings = NotifySettings.from_env()
    notify = build_notify(settings, clock=clock_from_env(os.environ))
    if args.role == "api":
        uvicorn.run(
            create_app(notify),
            host=settings.host,
            port=settings.port,
            log_level="info",
            proxy_headers=False,  # X-Forwarded-For: backbone.clientaddr, trusted proxies only
        )
    elif args.role == "relay":
        run_until_signalled(
            lambda stop: run_relay("notify", notify.app, to_contract, settings.backbone, stop)
        )
    elif args.role == "inbox":
        run_until_signalled(lambda stop: run_inboxes("notify", notify.app, settings.backbone, stop))
    else:
        run_until_signalled(lambda stop: run_dispatch(notify, stop))
    notify.app.close()
    return 0


sys.exit(main(sys.argv[1:]))
