"""Export: every service's events as JSON Lines, with the verification digests.

One `<service>.jsonl` per service, one line per stored event in notification order:
position, aggregate id and version, topic, time, the stored state as JSON (personal
details stay sealed: erased people stay unreadable), and the event's chain link. A
`digests.json` holds each file's SHA-256, its event count and the chain head, so an
external auditor can check the files and re-verify the chain with the key.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.sources import Record


@dataclass(frozen=True)
class Exported:
    """One written file."""

    service: str
    path: Path
    events: int
    sha256: str
    chain_head: str


def export(records: list[Record], folder: Path) -> list[Exported]:
    """Write the files and the digests; return what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for record in records:
        try:
            _, links = record.chain()
        except ValueError:
            links = {}
        path = folder / f"{record.service}.jsonl"
        digest = hashlib.sha256()
        count = 0
        with path.open("wb") as out:
            for note in record.raw():
                line: dict[str, Any] = {
                    "position": note.id,
                    "originator_id": str(note.originator_id),
                    "originator_version": note.originator_version,
                    "topic": note.topic,
                    "state": json.loads(bytes(note.state)),
                    "link": links[note.id].hex() if note.id in links else None,
                }
                data = json.dumps(line, ensure_ascii=False, sort_keys=True).encode() + b"\n"
                out.write(data)
                digest.update(data)
                count += 1
        head = links[max(links)].hex() if links else ""
        written.append(Exported(record.service, path, count, digest.hexdigest(), head))
    (folder / "digests.json").write_text(
        json.dumps(
            {
                e.service: {
                    "file": e.path.name,
                    "events": e.events,
                    "sha256": e.sha256,
                    "chain_head": e.chain_head,
                }
                for e in written
            },
            indent=2,
        )
        + "\n"
    )
    return written
