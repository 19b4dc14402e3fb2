"""Settings shared by every service, read from `CONBINI_*` environment variables."""

import os
from collections.abc import Mapping
from pathlib import Path

from backbone.auth import load_or_create_key
from backbone.nats_users import USERS_DIR, NatsLogin, password_file
from backbone.runtime import BackboneSettings
from backbone.stores import StoreSettings
from backbone.streams import StreamPolicy
from backbone.web import BodyLimits

DEFAULT_DATA_DIR = ".conbini"
DEFAULT_NATS_URL = "nats://127.0.0.1:14222"


def data_dir_from(env: Mapping[str, str]) -> Path:
    """Where the embedded default keeps its files."""
    return Path(env.get("CONBINI_DATA_DIR", DEFAULT_DATA_DIR)).resolve()


def store_from(env: Mapping[str, str]) -> StoreSettings:
    """The event stores: `CONBINI_POSTGRES_DSN` for PostgreSQL, else SQLite files.

    `CONBINI_STORE=memory` keeps everything in memory (one process only).
    """
    kind = env.get("CONBINI_STORE") or ("postgres" if env.get("CONBINI_POSTGRES_DSN") else "sqlite")
    if kind not in ("memory", "sqlite", "postgres"):
        msg = f"CONBINI_STORE must be memory, sqlite or postgres, not {kind!r}"
        raise ValueError(msg)
    chain_secret = "" if kind == "memory" else load_or_create_key(master_key_file(env))
    return StoreSettings(
        chain_secret=chain_secret,
        kind="memory" if kind == "memory" else "postgres" if kind == "postgres" else "sqlite",
        data_dir=data_dir_from(env) / "stores",
        postgres_dsn=env.get("CONBINI_POSTGRES_DSN"),
        schema_prefix=env.get("CONBINI_SCHEMA_PREFIX", ""),
    )


def backbone_from_env(env: Mapping[str, str] | None = None) -> BackboneSettings:
    """Store, NATS and stream settings for any service."""
    env = os.environ if env is None else env
    urls = env.get("CONBINI_NATS_URL", DEFAULT_NATS_URL).split(",")
    return BackboneSettings(
        nats_urls=[url.strip() for url in urls if url.strip()],
        store=store_from(env),
        streams=StreamPolicy(replicas=int(env.get("CONBINI_STREAM_REPLICAS", "1"))),
        nats_login=nats_login_from(env),
    )


def nats_login_from(env: Mapping[str, str]) -> NatsLogin | None:
    """This process's NATS user: `CONBINI_NATS_USER`, or None to connect anonymously.

    The password comes from `CONBINI_NATS_PASSWORD`, else the file `CONBINI_NATS_PASSWORD_FILE`
    (a mounted secret), else the one `conbini up` generated in the data dir.

    Raises:
        ValueError: a user is named but no password is found.
    """
    user = env.get("CONBINI_NATS_USER")
    if not user:
        return None
    if password := env.get("CONBINI_NATS_PASSWORD"):
        return NatsLogin(user=user, password=password)
    path = Path(env.get("CONBINI_NATS_PASSWORD_FILE") or password_file(nats_users_dir(env), user))
    if not path.is_file():
        msg = f"NATS user {user!r} has no password: set CONBINI_NATS_PASSWORD(_FILE), not {path}"
        raise ValueError(msg)
    return NatsLogin(user=user, password=path.read_text(encoding="utf-8").strip())


def nats_users_dir(env: Mapping[str, str]) -> Path:
    """Where `conbini up` keeps the passwords of the embedded server's users."""
    return data_dir_from(env) / USERS_DIR


def jwt_key_file(env: Mapping[str, str]) -> Path:
    """The local development signing key (`CONBINI_JWT_KEY_FILE`, else in the data dir)."""
    return Path(env.get("CONBINI_JWT_KEY_FILE") or data_dir_from(env) / "jwt.key")


def master_key_file(env: Mapping[str, str]) -> Path:
    """The master secret that wraps personal-data keys (`CONBINI_MASTER_KEY_FILE`).

    Production points it at a mounted secret kept apart from database backups; the
    embedded default creates one in the data dir.
    """
    return Path(env.get("CONBINI_MASTER_KEY_FILE") or data_dir_from(env) / "master.key")


def body_limits_from(env: Mapping[str, str]) -> BodyLimits:
    """The largest request bodies the services read.

    `CONBINI_MAX_BODY_BYTES` for JSON calls (default 1 MiB), `CONBINI_MAX_UPLOAD_BYTES` for
    file uploads such as the bank's result file (default 8 MiB).
    """
    default = BodyLimits()
    return BodyLimits(
        body=int(env.get("CONBINI_MAX_BODY_BYTES", str(default.body))),
        upload=int(env.get("CONBINI_MAX_UPLOAD_BYTES", str(default.upload))),
    )
