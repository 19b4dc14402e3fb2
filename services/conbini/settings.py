"""Settings of `conbini up`, read from the command line and the environment (nowhere else)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from backbone.nats_server import SyncInterval
from backbone.nats_users import OPERATOR, USERS_DIR, NatsLogin, password_file
from backbone.settings import nats_login_from

DEFAULT_DATA_DIR = ".conbini"
REHEARSAL_DATA_DIR = ".conbini-rehearsal"
"""Where `conbini up --rehearsal` keeps its town, apart from the real one's."""
CLOCK_FILE_NAME = "rehearsal-clock.json"
"""A rehearsal's clock, in its data dir: present only in a rehearsal's data dir."""


def clock_file(data_dir: Path) -> Path:
    """The rehearsal clock's file in a data dir."""
    return data_dir / CLOCK_FILE_NAME


@dataclass(frozen=True, kw_only=True)
class UpSettings:
    """What `conbini up` runs and where it keeps its data."""

    data_dir: Path
    """Everything the embedded default stores: JetStream files now, SQLite stores later."""
    nats_url: str | None
    """An external NATS to use instead of starting the embedded one."""
    nats_host: str
    nats_port: int
    nats_monitor_port: int
    nats_sync_interval: SyncInterval
    stream_replicas: int
    postgres_dsn: str | None = None
    """An external PostgreSQL for every store, instead of SQLite files."""
    broker_port: int = 8001
    notify_port: int = 8002
    payout_port: int = 8003
    demo_worker: bool = True
    """Register a demo worker on first start, to show a worker page (it takes real offers)."""
    tenant: str = "mine-wakuwaku"
    """The council `conbini up` shows in its hints."""
    rehearsal: bool = False
    """Run on a rehearsal clock (`conbini clock` moves it forward), not the real one."""
    nats_login: NatsLogin | None = None
    """Who `conbini up` connects as to an external NATS (`CONBINI_NATS_USER`); the embedded
    one gets a user per service and the operator, generated in the data dir."""

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        data_dir: str | None = None,
        nats_url: str | None = None,
        postgres_dsn: str | None = None,
        demo_worker: bool | None = None,
        rehearsal: bool = False,
    ) -> "UpSettings":
        """Build settings from flags first, then `CONBINI_*` variables, then defaults."""
        env = os.environ if env is None else env
        sync = env.get("CONBINI_NATS_SYNC_INTERVAL", "default")
        if sync not in ("default", "always"):
            msg = f"CONBINI_NATS_SYNC_INTERVAL must be 'default' or 'always', not {sync!r}"
            raise ValueError(msg)
        return cls(
            data_dir=Path(
                data_dir
                or env.get("CONBINI_DATA_DIR")
                or (REHEARSAL_DATA_DIR if rehearsal else DEFAULT_DATA_DIR)
            ).resolve(),
            nats_url=nats_url or env.get("CONBINI_NATS_URL") or None,
            nats_host=env.get("CONBINI_NATS_HOST", "127.0.0.1"),
            nats_port=int(env.get("CONBINI_NATS_PORT", "14222")),
            nats_monitor_port=int(env.get("CONBINI_NATS_MONITOR_PORT", "18222")),
            nats_sync_interval="always" if sync == "always" else "default",
            stream_replicas=int(env.get("CONBINI_STREAM_REPLICAS", "1")),
            postgres_dsn=postgres_dsn or env.get("CONBINI_POSTGRES_DSN") or None,
            broker_port=int(env.get("CONBINI_BROKER_PORT", "8001")),
            notify_port=int(env.get("CONBINI_NOTIFY_PORT", "8002")),
            payout_port=int(env.get("CONBINI_PAYOUT_PORT", "8003")),
            demo_worker=demo_worker
            if demo_worker is not None
            else env.get("CONBINI_DEMO_WORKER", "1").lower() not in ("0", "false", "no"),
            tenant=env.get("CONBINI_TENANT", "mine-wakuwaku"),
            rehearsal=rehearsal,
            nats_login=nats_login_from(env) if nats_url or env.get("CONBINI_NATS_URL") else None,
        )

    @property
    def clock_file(self) -> Path:
        """The rehearsal clock's file (there only when the town is a rehearsal)."""
        return clock_file(self.data_dir)

    def service_env(self, nats_url: str) -> dict[str, str]:
        """The environment every service process gets."""
        env = {
            "CONBINI_DATA_DIR": str(self.data_dir),
            "CONBINI_NATS_URL": nats_url,
            "CONBINI_STREAM_REPLICAS": str(self.stream_replicas),
            "CONBINI_BROKER_PORT": str(self.broker_port),
            "CONBINI_BROKER_URL": f"http://127.0.0.1:{self.broker_port}",
            "CONBINI_NOTIFY_PORT": str(self.notify_port),
            "CONBINI_PAYOUT_PORT": str(self.payout_port),
            # every process of a rehearsal reads the same clock; never one from the shell
            "CONBINI_CLOCK_FILE": str(self.clock_file) if self.rehearsal else "",
        }
        if self.postgres_dsn:
            env["CONBINI_POSTGRES_DSN"] = self.postgres_dsn
        return env


def operator_login_env(env: Mapping[str, str]) -> dict[str, str]:
    """Make a `conbini` command the operator of a local town, unless a NATS user is named.

    Only when `conbini up` generated the operator's password in the data dir: the password
    is then read from there, never put in the environment.
    """
    if env.get("CONBINI_NATS_USER"):
        return {}
    data_dir = Path(env.get("CONBINI_DATA_DIR", DEFAULT_DATA_DIR)).resolve()
    if password_file(data_dir / USERS_DIR, OPERATOR).is_file():
        return {"CONBINI_NATS_USER": OPERATOR}
    return {}
