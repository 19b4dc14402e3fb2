"""A PostgreSQL server of one's own: a throw-away cluster for tests, benchmarks and chaos runs.

Initialised from the system's PostgreSQL binaries in a short temp directory (the Unix
socket lives there), owned by `postgres` when run as root (initdb refuses root), listening
on a free loopback port, and stopped by its own PID.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from backbone.nats_server import free_port


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
        subprocess.run([*prefix, *command], check=True, capture_output=True)  # noqa: S603 - PostgreSQL tools

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

    def crash(self) -> None:
        """Stop as a crash would (immediate mode: no checkpoint, recovery on the next start)."""
        if (self.data_dir / "postmaster.pid").exists():
            self.run(pg_tool("pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        """Stop and start again on the same port and data (for fault tests)."""
        self.stop()
        self.start()


def pg_tool(name: str) -> str:
    """Return the path of a PostgreSQL server tool (PATH first, then pg_config --bindir)."""
    if found := shutil.which(name):
        return found
    bindir = subprocess.run(
        ["pg_config", "--bindir"],  # noqa: S607 - found on PATH like initdb
        check=True,
        capture_output=True,
        text=True,
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
