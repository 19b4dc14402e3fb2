"""What the broker published: the WorkCompleted of a period, read back from the BROKER stream."""

import asyncio
import contextlib
from uuid import UUID

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from contracts.broker import WorkCompleted, broker_decoder
from contracts.subjects import stream_name, subject_filter
from payout.domain.periods import Period
from payout.domain.values import TOKYO


async def completed_tasks(
    urls: list[str], tenant: str, period: Period, timeout_s: float = 30.0
) -> set[UUID] | None:
    """Task ids of the period's WorkCompleted (finished in the period, JST); None if unreachable."""

    async def quiet(error: Exception) -> None:
        del error  # unreachable is an answer here, not an error to log

    try:
        nc = await nats.connect(
            servers=urls,
            connect_timeout=3,
            max_reconnect_attempts=1,  # 0 (or allow_reconnect=False) waits for ever in nats-py
            reconnect_time_wait=0.5,
            error_cb=quiet,
        )
    except (OSError, TimeoutError, nats.errors.NoServersError):
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
