"""What the broker published: the WorkCompleted of a period, read back from the BROKER stream."""

import asyncio
from uuid import UUID

from nats.js.errors import NotFoundError

from backbone.nats_users import NatsLogin
from backbone.runtime import connect_once
from contracts.broker import WorkCompleted, broker_decoder
from contracts.subjects import stream_name, subject_filter
from payout.domain.periods import Period
from payout.domain.values import TOKYO


async def completed_tasks(
    urls: list[str],
    tenant: str,
    period: Period,
    timeout_s: float = 30.0,
    login: NatsLogin | None = None,
) -> set[UUID] | None:
    """Task ids of the period's WorkCompleted (finished in the period, JST); None if unreachable.

    Read message by message (`next by subject`), never through a consumer: payout's NATS
    user may read the BROKER stream but not create consumers on it besides its inbox's.
    """
    nc = await connect_once(urls, login=login)
    if nc is None:
        return None
    found: set[UUID] = set()
    try:
        js = nc.jetstream()
        stream = stream_name("broker")
        subject = subject_filter(WorkCompleted, tenant)
        deadline = asyncio.get_running_loop().time() + timeout_s
        seq = 1
        while asyncio.get_running_loop().time() < deadline:
            try:
                message = await js.get_msg(stream, seq=seq, subject=subject, next=True)
            except NotFoundError:
                break  # nothing on the subject from `seq` on
            event = broker_decoder.decode(message.data or b"")
            if isinstance(event, WorkCompleted):
                day = event.finished_at.astimezone(TOKYO).date()
                if period.start <= day <= period.end:
                    found.add(event.task_id)
            seq = int(message.seq or seq) + 1
    finally:
        await nc.close()
    return found
