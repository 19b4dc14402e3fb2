"""Live updates for open worker pages: the board tells the hub, the hub feeds each SSE stream."""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from uuid import UUID

import msgspec

from backbone.threads import run_sync
from notify.application import NotifyApplication

log = logging.getLogger(__name__)


class Update(msgspec.Struct, frozen=True):
    """One change on a worker's page."""

    what: str
    """offer, answered, closed, job, checked_in, checked_out, started, completed, no_show,
    disputed, settled, cancelled (or hello, heartbeat)."""
    id: UUID


class LiveHub:
    """Fans board changes out to the SSE streams of the workers they concern."""

    def __init__(self, app: NotifyApplication) -> None:
        """Listen to the board of `app`."""
        self.app = app
        self.streams: dict[UUID, set[asyncio.Queue[Update]]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        app.board.listeners.append(self.heard)

    def heard(self, worker_id: UUID, what: str, ident: UUID) -> None:
        """Called by the board, from any thread."""
        if self.loop is None or worker_id not in self.streams:
            return
        self.loop.call_soon_threadsafe(self.publish, worker_id, Update(what=what, id=ident))

    def publish(self, worker_id: UUID, update: Update) -> None:
        """Hand the update to every open stream of the worker (on the loop)."""
        for queue in list(self.streams.get(worker_id, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(update)

    async def follow(self, every_s: float, stop: asyncio.Event) -> None:
        """Read what other processes stored, until stopped."""
        self.loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await run_sync(self.app.board.catch_up, self.app)
            except Exception:
                log.exception("reading notify's log failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every_s)

    async def stream(self, worker_id: UUID, heartbeat_s: float = 15.0) -> AsyncIterator[str]:
        """Yield one JSON update at a time for the worker, with heartbeats."""
        queue: asyncio.Queue[Update] = asyncio.Queue(maxsize=256)
        self.streams[worker_id].add(queue)
        try:
            yield msgspec.json.encode(Update(what="hello", id=worker_id)).decode()
            while True:
                try:
                    update = await asyncio.wait_for(queue.get(), timeout=heartbeat_s)
                except TimeoutError:
                    yield msgspec.json.encode(Update(what="heartbeat", id=worker_id)).decode()
                    continue
                yield msgspec.json.encode(update).decode()
        finally:
            self.streams[worker_id].discard(queue)
            if not self.streams[worker_id]:
                self.streams.pop(worker_id, None)
