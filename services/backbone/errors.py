"""Which failures pass by themselves (retry, never skip) and which do not."""

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from nats.errors import ConnectionClosedError, NoServersError
from nats.errors import TimeoutError as NatsTimeoutError

TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    ConnectionError,
    TimeoutError,
    NatsTimeoutError,
    NoServersError,
    ConnectionClosedError,
)


def is_transient(error: BaseException) -> bool:
    """Return True for a database or network outage: wait and retry, losing nothing."""
    return isinstance(error, TRANSIENT)
