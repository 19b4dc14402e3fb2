"""Fault injection: SIGKILL this process the N-th time it reaches a named point.

Fault tests start real relay and inbox processes with `CONBINI_CRASH_AT=<point>:<N>`
(read by settings) to crash at exactly the instant they test, e.g. after a PubAck and
before the relay records its position. Unset in production: then `reached` does nothing.
"""

import os
import signal
from dataclasses import dataclass

RELAY_AFTER_PUBACK = "relay.after_puback"
"""The relay has PubAcks for a batch but has not recorded its position."""
INBOX_AFTER_COMMIT = "inbox.after_commit"
"""The inbox committed events and tracking but has not acked the messages."""


@dataclass
class CrashPoint:
    """Crash when `name` is reached for the `after`-th time."""

    name: str
    after: int = 1
    hits: int = 0

    @classmethod
    def parse(cls, text: str | None) -> "CrashPoint | None":
        """Parse `<point>[:<N>]`; None when unset.

        Raises:
            ValueError: the text is not of that form.
        """
        if not text:
            return None
        name, _, after = text.partition(":")
        return cls(name=name, after=int(after or "1"))

    def reached(self, name: str) -> None:
        """SIGKILL this process when the configured point is reached often enough."""
        if name != self.name:
            return
        self.hits += 1
        if self.hits >= self.after:
            os.kill(os.getpid(), signal.SIGKILL)


def reached(point: CrashPoint | None, name: str) -> None:
    """Pass a named point; crash if configured to."""
    if point is not None:
        point.reached(name)
