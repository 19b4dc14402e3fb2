"""A read model built from a service's own log, kept current in every process.

It absorbs what its own process stores (no read-back) while the notification ids follow
its position without a gap, and reads the log for whatever other processes stored.
Subclasses say what each event changes (`apply`).
"""

import threading
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Recording

PAGE = 1000


class LogFollower:
    """Position, lock, `catch_up` and `absorb`; subclasses implement `apply`."""

    def __init__(self) -> None:
        """At the start of the log."""
        self.position = 0
        self.lock = threading.RLock()

    def apply(self, event: object) -> None:
        """Change the model for one stored event."""
        raise NotImplementedError

    def catch_up(self, app: Application[UUID]) -> int:
        """Apply every event stored since the last call; return how many."""
        applied = 0
        with self.lock:
            while notes := app.recorder.select_notifications(start=self.position + 1, limit=PAGE):
                for note in notes:
                    self.apply(app.mapper.to_domain_event(note))
                    self.position = note.id
                    applied += 1
        return applied

    def absorb(self, recordings: Sequence[Recording[UUID]]) -> None:
        """Apply events this process just stored, without reading them back.

        Only while they follow the position without a gap; anything else (another process
        wrote in between) is left for `catch_up`, which reads the log.
        """
        with self.lock:
            for recording in sorted(recordings, key=lambda r: r.notification.id):
                if recording.notification.id != self.position + 1:
                    return
                self.apply(recording.domain_event)
                self.position = recording.notification.id
