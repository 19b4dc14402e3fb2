"""What the broker published: the WorkCompleted of a period, read back from the BROKER stream."""

import asyncio
import contextlib
from uuid import UUID

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from backbone.runtime import connect_once
from contracts.broker import WorkCompleted, broker_decoder
from contracts.subjects import stream_name, subject_filter
from payout.domain.periods import Period
from payout.domain.values import TOKYO


async def completed_tasks(
    urls: list[str], tenant: str, period: Period, timeout_s: float = 30.0
) -> set[UUID] | None:
    """Task ids of the period's WorkCompleted (finished in the period, JST); None if unreachable."""
    nc = await connect_once(urls)
    if nc is None:
        return None
    found: set[UUID] = set()
    try:
        js = nc.jetstream()
        stream = stream_name("broker")
        subject = subject_filter(WorkCompleted, tenant)
        info = await js.stream_info(stream)
        if info.state.messages == 0:
            return found
        sub = await js.pull_subscribe(
            subject,
            durable=None,
            stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=60),
        )
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            try:
                msgs = await sub.fetch(500, timeout=1)
            except nats.errors.TimeoutError:
                break
            for msg in msgs:
                event = broker_decoder.decode(msg.data)
                if isinstance(event, WorkCompleted):
                    day = event.finished_at.astimezone(TOKYO).date()
                    if period.start <= day <= period.end:
                        found.add(event.task_id)
                await msg.ack()
            if msgs and msgs[-1].metadata.num_pending == 0:
                break
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
    finally:
        await nc.close()
    return found
