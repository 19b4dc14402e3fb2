"""The register (登録者名簿): a coordinator lists and searches the council's workers.

Names, kana and channels are sealed per worker, so every listing opens the details of the
tenant's workers for that one request and keeps nothing: nothing opened is logged, cached
or stored. Erased workers are listed by id, without personal data.
"""

import unicodedata
from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.commands.register_worker import open_personal
from contracts.values import Channel

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ListWorkers(msgspec.Struct, frozen=True, kw_only=True):
    """What to list: every filter given must hold."""

    q: str | None = None
    """Part of the name or kana (spaces, width and katakana/hiragana ignored)."""
    district: str | None = None
    skill: str | None = None
    paused: bool | None = None
    channel: Channel | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    offset: Annotated[int, msgspec.Meta(ge=0)] = 0


class ListedWorker(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the register."""

    id: UUID
    name: str | None
    kana: str | None
    district: str | None
    skills: list[str]
    paused: bool
    channels: list[Channel]
    erased: bool


class Register(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the register, and how many lines match in all."""

    workers: list[ListedWorker]
    total: int


def folded(text: str) -> str:
    """Text as a search compares it: NFKC, no spaces, katakana as hiragana, lower case."""
    plain = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in plain if not c.isspace()
    )


def found_in(wanted: str, *texts: str) -> bool:
    """True when the folded search text is part of any of the texts."""
    return any(wanted in folded(text) for text in texts)


def list_workers(app: BrokerApplication, query: ListWorkers, *, tenant: str) -> Register:
    """The tenant's workers matching every filter, sorted by kana (then name, then id)."""
    app.registry.catch_up(app)
    wanted = folded(query.q) if query.q else ""
    lines: list[ListedWorker] = []
    for entry in app.registry.tenant_workers(tenant):
        if query.district is not None and entry.district != query.district:
            continue
        if query.skill is not None and query.skill not in entry.skills:
            continue
        if query.paused is not None and entry.paused != query.paused:
            continue
        details = None if entry.erased else open_personal(app, entry.worker_id, entry.personal)
        if wanted and (details is None or not found_in(wanted, details.name, details.kana)):
            continue
        channels = list(details.channels) if details is not None else []
        if query.channel is not None and query.channel not in channels:
            continue
        lines.append(
            ListedWorker(
                id=entry.worker_id,
                name=details.name if details is not None else None,
                kana=details.kana if details is not None else None,
                district=entry.district,
                skills=sorted(entry.skills),
                paused=entry.paused,
                channels=channels,
                erased=entry.erased or details is None,
            )
        )
    lines.sort(
        key=lambda line: (line.kana is None, folded(line.kana or ""), line.name or "", line.id)
    )
    return Register(workers=lines[query.offset : query.offset + query.limit], total=len(lines))
