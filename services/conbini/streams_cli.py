"""`conbini streams`: the operator declares every JetStream stream, once per deployment.

Services with their own NATS users may not create streams; they wait until these exist.
Safe to run again: it creates what is missing and updates what may change, never deletes.
"""

import asyncio
import os
from collections.abc import Callable

from backbone.runtime import BackboneSettings, connect_once
from backbone.settings import backbone_from_env
from backbone.streams import provision_streams


async def provision(settings: BackboneSettings) -> list[str] | None:
    """Declare the streams; return a line per stream, or None when NATS does not answer."""
    nc = await connect_once(settings.nats_urls, timeout_s=10, login=settings.nats_login)
    if nc is None:
        return None
    try:
        infos = await provision_streams(nc.jetstream(), settings.streams)
    finally:
        await nc.close()
    return [
        f"  {info.config.name:<10} {', '.join(info.config.subjects or []):<14} "
        f"replicas {info.config.num_replicas}, {info.state.messages} messages"
        for info in infos
    ]


def streams_command(out: Callable[[str], None] = print) -> int:
    """Provision as the configured NATS user (the operator); 1 when NATS does not answer."""
    settings = backbone_from_env({**os.environ, "CONBINI_STORE": "memory"})  # no store needed
    lines = asyncio.run(provision(settings))
    if lines is None:
        out(f"conbini streams: NATS did not answer at {', '.join(settings.nats_urls)}")
        return 1
    out("streams (ストリーム):")
    for line in lines:
        out(line)
    return 0
