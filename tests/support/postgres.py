"""A real PostgreSQL for tests: the one named by TEST_POSTGRES_DSN, else a private one.

The private server is initialised from the system's PostgreSQL binaries in a short temp
directory (the Unix socket lives there), owned by `postgres` when the tests run as root
(initdb refuses root), listens on a free loopback port, and is stopped by its own PID.
"""

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from backbone.nats_server import free_port
from backbone.stores import StoreSettings
from backbone.stores import eventsourcing_env as store_env


@dataclass(frozen=True)
class PrivatePostgres:
    """A PostgreSQL cluster this test session started and must stop."""

    data_dir: Path
    port: int
    as_user: str | None

    @property
    def dsn(self) -> str:
        """Connection string for the `postgres` database."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def pid(self) -> int:
        """Return the postmaster PID from its pid file."""
        return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])

    def run(self, *command: str) -> None:
        """Run a PostgreSQL tool, as `postgres` when we are root."""
        prefix = ["runuser", "-u", self.as_user, "--"] if self.as_user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data_dir} -c fsync=on"
        self.run(
            pg_tool("pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.data_dir / "log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        """Fast shutdown (SIGINT to the postmaster), then wait for the pid file to go."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        os.kill(self.pid(), signal.SIGINT)
        deadline = time.monotonic() + 30
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> None:
        """Stop and start again on the same port and data (for fault tests)."""
        self.stop()
        self.start()


def pg_tool(name: str) -> str:
    """Return the path of a PostgreSQL server tool (PATH first, then pg_config --bindir)."""
    if found := shutil.which(name):
        return found
    bindir = subprocess.run(
        ["pg_config", "--bindir"], check=True, capture_output=True, text=True
    ).stdout.strip()
    return str(Path(bindir) / name)


def start_private_postgres() -> PrivatePostgres:
    """Initialise and start a throw-away cluster on a free loopback port."""
    data_dir = Path(tempfile.mkdtemp(prefix="pg", dir="/tmp"))
    as_user = "postgres" if os.geteuid() == 0 else None
    if as_user:
        shutil.chown(data_dir, user=as_user, group=as_user)
    server = PrivatePostgres(data_dir=data_dir, port=free_port(), as_user=as_user)
    server.run(pg_tool("initdb"), "-D", str(data_dir), "-A", "trust", "-U", "postgres", "--no-sync")
    server.start()
    return server


@contextmanager
def postgres_dsn() -> Iterator[str]:
    """Yield a DSN of a reachable PostgreSQL; start (and later stop) one when none is named."""
    if dsn := os.environ.get("TEST_POSTGRES_DSN"):
        yield dsn
        return
    server = start_private_postgres()
    try:
        yield server.dsn
    finally:
        server.stop()
        shutil.rmtree(server.data_dir, ignore_errors=True)


def unique_name(prefix: str) -> str:
    """Return a lower-case identifier unique to this run, e.g. `t_contracts_3f9a1c`."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:40]
    return f"{cleaned}_{secrets.token_hex(3)}"


@contextmanager
def fresh_schema(dsn: str, prefix: str) -> Iterator[str]:
    """Create an empty schema, yield its name, and drop it with everything in it."""
    name = unique_name(prefix)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def eventsourcing_env(dsn: str, schema: str) -> dict[str, str]:
    """Return eventsourcing's settings for a DSN, in the given (existing) schema."""
    env = store_env("probe", StoreSettings(kind="postgres", postgres_dsn=dsn))
    return env | {"POSTGRES_SCHEMA": schema}
