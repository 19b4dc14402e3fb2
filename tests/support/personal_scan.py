"""Look for personal data in raw bytes: logs, bus messages, store files.

A value is searched in every form it could take on the way to disk or the wire: UTF-8,
JSON with non-ASCII escaped (`\\u9b3c`, lower and upper case hex), percent-encoded,
Shift_JIS (cp932, as bank files carry kana), UTF-16, and base64 (standard and URL-safe,
at each of the three byte alignments). Values made only of digits (an account number)
match only where no other digit touches them, so a timestamp that happens to contain
them is not a finding.
"""

import base64
import contextlib
import json
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MIN_BASE64_CORE = 12
"""Shorter base64 fragments would match by chance."""
CONTEXT = 40


@dataclass(frozen=True)
class Secret:
    """One distinctive personal value and whose it is."""

    label: str
    value: str


@dataclass(frozen=True)
class Finding:
    """A secret found in a source."""

    label: str
    form: str
    where: str
    context: bytes

    def __str__(self) -> str:
        """One line naming what was found where."""
        return f"{self.label} ({self.form}) in {self.where}: …{self.context!r}…"


def base64_cores(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """The base64 text that encodes `raw` whatever bytes surround it."""
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        start = 4 * -(-offset // 3)
        end = 4 * ((offset + len(raw)) // 3)
        core = encoded[start:end]
        if len(core) >= MIN_BASE64_CORE:
            yield f"base64+{offset}", core
            yield f"base64url+{offset}", core.replace(b"+", b"-").replace(b"/", b"_")


def forms_of(value: str) -> dict[str, bytes]:
    """Every encoding of `value` searched for."""
    escaped = json.dumps(value)[1:-1]
    found = {
        "utf-8": value.encode(),
        "json-escaped": escaped.encode(),
        "json-escaped-upper": re.sub(
            r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped
        ).encode(),
        "percent-encoded": urllib.parse.quote(value).encode(),
        "form-encoded": urllib.parse.quote_plus(value).encode(),
        "utf-16-le": value.encode("utf-16-le"),
        "utf-16-be": value.encode("utf-16-be"),
    }
    with contextlib.suppress(UnicodeEncodeError):  # kanji outside JIS stay UTF-8 only
        found["cp932"] = value.encode("cp932")
    found |= dict(base64_cores(value.encode()))
    return found


def pattern_of(form: bytes, *, digits: bool) -> re.Pattern[bytes]:
    """A search for one form; digit strings must stand alone."""
    text = re.escape(form)
    return re.compile(rb"(?<![0-9])" + text + rb"(?![0-9])" if digits else text)


class Scanner:
    """Searches sources for a fixed set of secrets."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        """Prepare one pattern per secret and form."""
        self.patterns: list[tuple[str, str, re.Pattern[bytes]]] = []
        for secret in secrets:
            digits = secret.value.isdigit()
            seen: set[bytes] = set()
            for form, raw in forms_of(secret.value).items():
                if raw in seen:
                    continue
                seen.add(raw)
                self.patterns.append((secret.label, form, pattern_of(raw, digits=digits)))

    def scan(self, where: str, data: bytes) -> list[Finding]:
        """Every secret in `data`, once per form."""
        findings = []
        for label, form, pattern in self.patterns:
            match = pattern.search(data)
            if match:
                context = data[max(0, match.start() - CONTEXT) : match.end() + CONTEXT]
                findings.append(Finding(label, form, where, context))
        return findings

    def labels_in(self, data: bytes) -> set[str]:
        """Which secrets `data` holds, in any form."""
        return {finding.label for finding in self.scan("", data)}

    def scan_tree(
        self, root: Path, *, skip: Iterable[Path] = ()
    ) -> tuple[list[Finding], list[str]]:
        """Every file under `root` (but `skip`), raw; also which files were read."""
        skipped = {path.resolve() for path in skip}
        findings: list[Finding] = []
        read: list[str] = []
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.resolve() in skipped:
                continue
            try:
                data = path.read_bytes()
            except FileNotFoundError:  # a -wal or -journal that went away meanwhile
                continue
            where = str(path.relative_to(root))
            read.append(where)
            findings += self.scan(where, data)
        return findings, read
