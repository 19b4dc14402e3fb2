"""Who may say what on NATS: one user per service and the operator, derived from the catalog.

Each service publishes only on its own stream's subjects and on the dead-letter subjects of
its own inboxes; it reads the upstream streams only through its own durable consumers
(`<service>-from-<producer>`), and it cannot create, change or delete streams. The operator
(`conbini up`, `conbini streams`, audits, reports) provisions streams and reads everything,
but publishes no service's events and deletes no stream. A service's replies come back on
its own inbox prefix (`_INBOX.<service>.>`), so no service sees another's replies (the
operator may use any `_INBOX.>`, as tools such as the `nats` CLI do by default).

The same permissions are rendered into the embedded server's configuration (`conbini up`)
and into deploy/nats/users.conf, and the integration tests run a real server with them.
"""

import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from contracts.catalog import SERVICES, upstreams_of
from contracts.subjects import (
    DEAD_LETTER_STREAM,
    dead_letter_subject,
    durable_name,
    stream_name,
    stream_subjects,
)

OPERATOR = "operator"
"""The administrator: provisions streams, audits, reconciles, runs the `conbini` commands."""

USERS = (*SERVICES, OPERATOR)
"""Every NATS user of a deployment."""

JS_API = "$JS.API"

USERS_DIR = "nats-users"
"""The folder of the data dir where `conbini up` keeps its users' passwords (mode 0700)."""

STREAM_READERS: Mapping[str, tuple[str, ...]] = {"payout": ("broker",)}
"""Streams a service reads message by message outside its inboxes (read-only, by sequence):
payout's reconciliation compares its books with the broker's WorkCompleted."""


@dataclass(frozen=True, kw_only=True)
class NatsLogin:
    """The credentials one process connects with."""

    user: str
    password: str = field(repr=False)

    @property
    def inbox_prefix(self) -> str:
        """Where this user's replies arrive; it may subscribe there and nowhere else."""
        return inbox_prefix(self.user)


@dataclass(frozen=True, kw_only=True)
class Permissions:
    """What one user may publish and subscribe to (everything else is refused)."""

    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    publish_deny: tuple[str, ...] = ()


def inbox_prefix(user: str) -> str:
    """The reply-subject prefix of a user: `_INBOX.<user>`."""
    return f"_INBOX.{user}"


def consumer_subjects(stream: str, durable: str) -> list[str]:
    """The JetStream API subjects that create, inspect and pull from one durable consumer."""
    api = f"{JS_API}.CONSUMER"
    return [
        f"{api}.DURABLE.CREATE.{stream}.{durable}",  # nats-py's form for durable_name only
        f"{api}.CREATE.{stream}.{durable}",  # the named form (nats-server 2.9+)
        f"{api}.CREATE.{stream}.{durable}.>",  # the named form with its filter subject
        f"{api}.INFO.{stream}.{durable}",
        f"{api}.DELETE.{stream}.{durable}",  # restarted at the store's position (inbox.bind)
        f"{api}.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.>",  # ack, nak, in-progress
    ]


def service_permissions(service: str) -> Permissions:
    """Derive one service's permissions from the catalog and the naming rules.

    Raises:
        ValueError: `service` is not a service of the catalog.
    """
    if service not in SERVICES:
        msg = f"no such service: {service!r}"
        raise ValueError(msg)
    upstreams = upstreams_of(service)
    read = sorted({*upstreams, *STREAM_READERS.get(service, ())})
    publish = [
        *stream_subjects(service),
        *(dead_letter_subject(service, producer) for producer in upstreams),
        f"{JS_API}.INFO",
        f"{JS_API}.STREAM.INFO.{stream_name(service)}",
        f"{JS_API}.STREAM.INFO.{DEAD_LETTER_STREAM}",  # its dead-letter counts, for /metrics
        *(f"{JS_API}.STREAM.INFO.{stream_name(producer)}" for producer in read),
        *(f"{JS_API}.STREAM.MSG.GET.{stream_name(p)}" for p in STREAM_READERS.get(service, ())),
    ]
    for producer in upstreams:
        publish += consumer_subjects(stream_name(producer), durable_name(service, producer))
    return Permissions(
        publish=tuple(dict.fromkeys(publish)), subscribe=(f"{inbox_prefix(service)}.>",)
    )


def operator_permissions() -> Permissions:
    """The operator: the whole JetStream API but deleting streams; no service's events."""
    return Permissions(
        publish=(f"{JS_API}.>", "$JS.ACK.>", "$JS.FC.>"),
        publish_deny=(f"{JS_API}.STREAM.DELETE.>",),
        subscribe=("_INBOX.>",),  # any client's default inbox: it reads every stream anyway
    )


def permissions_of(user: str) -> Permissions:
    """The permissions of any user of `USERS`.

    Raises:
        ValueError: `user` is not one of `USERS`.
    """
    return operator_permissions() if user == OPERATOR else service_permissions(user)


def password_variable(user: str) -> str:
    """The environment variable a deployed nats-server reads a user's password from."""
    return f"NATS_{user.upper()}_PASSWORD"


def quoted(items: Sequence[str]) -> str:
    """A NATS configuration array of strings."""
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def render_users(passwords: Mapping[str, str] | None = None) -> str:
    """Return the `authorization { users = [...] }` block of a nats-server configuration.

    With `passwords`, each user's password is written literally (the embedded server, whose
    file lives beside the password files); without, each is `$NATS_<USER>_PASSWORD`, read
    from the server's environment (deployments: never a secret in git).
    """
    lines = ["authorization {", "  users = ["]
    for user in USERS:
        allowed = permissions_of(user)
        secret = json.dumps(passwords[user]) if passwords else f"${password_variable(user)}"
        publish = f"allow: {quoted(allowed.publish)}"
        if allowed.publish_deny:
            publish += f", deny: {quoted(allowed.publish_deny)}"
        lines += [
            f"    {{user: {json.dumps(user)}, password: {secret}, permissions: {{",
            f"      publish: {{{publish}}}",
            f"      subscribe: {{allow: {quoted(allowed.subscribe)}}}",
            "    }}",
        ]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def password_file(directory: Path, user: str) -> Path:
    """Where the embedded default keeps one user's password."""
    return directory / f"{user}.password"


def ensure_passwords(directory: Path) -> dict[str, str]:
    """Return every user's password, creating random ones (mode 0600) on first use."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    passwords = {}
    for user in USERS:
        path = password_file(directory, user)
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(secrets.token_urlsafe(32))
        passwords[user] = path.read_text(encoding="utf-8").strip()
    return passwords
