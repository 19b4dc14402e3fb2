"""Wait on a condition with a deadline, never a fixed sleep."""

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]],
    *,
    within: float = 10.0,
    what: str | Callable[[], str] = "",
) -> None:
    """Poll `condition` until it holds, or fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            msg = f"timed out after {within}s waiting for {described or condition!r}"
            raise AssertionError(msg)
        await asyncio.sleep(0.02)
