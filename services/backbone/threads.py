"""The one crossing from async edges into the synchronous event store (outside HTTP)."""

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


async def run_sync(func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a blocking eventsourcing call in a worker thread, context variables included."""
    return await asyncio.to_thread(func, *args, **kwargs)
