"""Declare each producer's JetStream stream, and the dead-letter stream, idempotently.

Streams are the transport, not the record (each service's event store is): they keep
everything for replay checks, refuse deletes and purges, and deduplicate by `Nats-Msg-Id`
over a window longer than a relay's worst retry horizon. Never delete or recreate one:
its sequence would restart and every consumer's tracking position would lie.
"""

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig, StreamInfo
from nats.js.client import JetStreamContext
from nats.js.errors import BadRequestError, NotFoundError

from contracts.subjects import (
    DEAD_LETTER_STREAM,
    DEAD_LETTER_SUBJECT_PREFIX,
    PRODUCERS,
    stream_name,
    stream_subjects,
)

log = logging.getLogger(__name__)

STREAM_NAME_IN_USE = 10058


class StreamConflictError(RuntimeError):
    """An existing stream differs from ours in a setting that cannot be changed in place."""


@dataclass(frozen=True, kw_only=True)
class StreamPolicy:
    """Durability settings shared by every stream of one deployment."""

    replicas: int = 1
    """1 on one machine; 3 (or 5) in a cluster, nodes in separate failure domains."""
    duplicate_window: timedelta = timedelta(hours=1)
    """How long JetStream remembers a Msg-Id; longer than any relay retry horizon."""
    max_age: timedelta = timedelta(0)
    """0 keeps messages forever, so audits can compare streams with stores."""


def event_stream_config(producer: str, policy: StreamPolicy) -> StreamConfig:
    """Return the configuration of the stream holding everything `producer` publishes."""
    return StreamConfig(
        name=stream_name(producer),
        description=f"Integration events published by {producer}",
        subjects=stream_subjects(producer),
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        storage=StorageType.FILE,
        max_age=policy.max_age.total_seconds(),
        num_replicas=policy.replicas,
        duplicate_window=policy.duplicate_window.total_seconds(),
        deny_delete=True,
        deny_purge=True,
    )


def dead_letter_stream_config(policy: StreamPolicy) -> StreamConfig:
    """Return the configuration of the stream where consumers park what they cannot process."""
    return StreamConfig(
        name=DEAD_LETTER_STREAM,
        description="Messages a consumer could not decode or handle, with the reason",
        subjects=[f"{DEAD_LETTER_SUBJECT_PREFIX}.>"],
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        storage=StorageType.FILE,
        max_age=policy.max_age.total_seconds(),
        num_replicas=policy.replicas,
        duplicate_window=policy.duplicate_window.total_seconds(),
        deny_delete=True,
        deny_purge=False,  # an operator purges a dead letter once it has been replayed
    )


def wanted_streams(policy: StreamPolicy) -> list[StreamConfig]:
    """Return every stream a deployment needs, producers first."""
    return [
        *(event_stream_config(producer, policy) for producer in PRODUCERS),
        dead_letter_stream_config(policy),
    ]


MUTABLE = (
    "description",
    "subjects",
    "max_age",
    "duplicate_window",
    "deny_delete",
    "deny_purge",
)
IMMUTABLE = ("storage", "retention")


def differences(current: StreamConfig, wanted: StreamConfig, names: tuple[str, ...]) -> list[str]:
    """Return the names of the settings in `names` where `current` differs from `wanted`."""
    return [name for name in names if getattr(current, name) != getattr(wanted, name)]


async def ensure_stream(js: JetStreamContext, wanted: StreamConfig) -> StreamInfo:
    """Create the stream when absent, update changeable settings, never recreate it.

    Raises:
        StreamConflictError: the stream exists with other storage or retention.
        ValueError: `wanted` has no name.
    """
    if wanted.name is None:
        msg = "a stream configuration needs a name"
        raise ValueError(msg)
    try:
        info = await js.stream_info(wanted.name)
    except NotFoundError:
        try:
            return await js.add_stream(wanted)
        except BadRequestError as error:
            if error.err_code != STREAM_NAME_IN_USE:
                raise
            info = await js.stream_info(wanted.name)  # another process created it meanwhile
    if conflicts := differences(info.config, wanted, IMMUTABLE):
        msg = f"stream {wanted.name} exists with different {', '.join(conflicts)}; fix by hand"
        raise StreamConflictError(msg)
    current_replicas = info.config.num_replicas or 1
    if (wanted.num_replicas or 1) < current_replicas:
        # never scale down from a process that merely defaults to one replica
        wanted = dataclasses.replace(wanted, num_replicas=current_replicas)
    if differences(info.config, wanted, (*MUTABLE, "num_replicas")):
        return await js.update_stream(wanted)  # scaled up when the cluster has grown
    return info


async def provision_streams(js: JetStreamContext, policy: StreamPolicy) -> list[StreamInfo]:
    """Ensure every stream of the deployment exists as configured; safe to run at each start."""
    return [await ensure_stream(js, config) for config in wanted_streams(policy)]


async def wait_for_streams(
    js: JetStreamContext, names: Sequence[str], stop: asyncio.Event, every_s: float = 0.5
) -> bool:
    """Wait until every named stream exists; False if asked to stop first.

    A service with its own NATS user may not create streams: the operator provisions them
    (`conbini up`, `conbini streams`), and the service waits, saying what it waits for.
    """
    for name in names:
        waited = False
        while True:
            try:
                await js.stream_info(name)
                break
            except NotFoundError:
                if not waited:
                    log.warning("stream %s does not exist yet; run `conbini streams`", name)
                    waited = True
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_s)
            except TimeoutError:
                continue
            return False
    return True


async def prepare_streams(
    js: JetStreamContext,
    policy: StreamPolicy,
    needed: Sequence[str],
    stop: asyncio.Event,
    *,
    provision: bool,
) -> bool:
    """Declare every stream (`provision`), or wait for the `needed` ones; False if stopped."""
    if provision:
        await provision_streams(js, policy)
        return True
    return await wait_for_streams(js, needed, stop)
