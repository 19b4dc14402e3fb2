"""What each JetStream stream holds: the contract event ids, in stream order."""

import contextlib
from uuid import UUID

import msgspec
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from backbone.nats_users import NatsLogin
from backbone.runtime import connect_once
from contracts.subjects import stream_name


class Envelope(msgspec.Struct):
    """Just the id of any contract event."""

    event_id: UUID


async def stream_ids(
    urls: list[str],
    services: list[str],
    timeout_s: float = 60.0,
    login: NatsLogin | None = None,
) -> dict[str, list[UUID]] | None:
    """Event ids per service stream; None when NATS does not answer."""
    nc = await connect_once(urls, login=login)
    if nc is None:
        return None
    found: dict[str, list[UUID]] = {}
    decoder = msgspec.json.Decoder(Envelope)
    try:
        js = nc.jetstream()
        for service in services:
            name = stream_name(service)
            ids: list[UUID] = []
            info = await js.stream_info(name)
            if info.state.messages:
                sub = await js.pull_subscribe(
                    f"{service}.>",
                    durable=None,
                    stream=name,
                    config=ConsumerConfig(
                        deliver_policy=DeliverPolicy.ALL,
                        ack_policy=AckPolicy.NONE,
                        inactive_threshold=60,
                    ),
                )
                while len(ids) < info.state.messages:
                    try:
                        msgs = await sub.fetch(1000, timeout=timeout_s)
                    except nats.errors.TimeoutError:
                        break
                    ids.extend(decoder.decode(msg.data).event_id for msg in msgs)
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()
            found[service] = ids
    finally:
        await nc.close()
    return found
