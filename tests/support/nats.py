"""A private nats-server from the wheel, on free loopback ports, with its own store."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from backbone.nats_server import NatsServer, NatsServerConfig, free_port


@contextmanager
def private_nats_server() -> Iterator[NatsServer]:
    """Start a server for the caller alone; stop it by PID and remove its store after."""
    store = Path(tempfile.mkdtemp(prefix="nats-"))
    server = NatsServer(
        NatsServerConfig(store_dir=store, port=free_port(), monitor_port=free_port())
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(store, ignore_errors=True)
