"""The personal-data scanner finds what it looks for, in every spelling a leak could take.

The end-to-end scan (tests/e2e/test_personal_data_scan.py) passes by finding nothing; these
prove that nothing found means nothing there.
"""

import base64
import json
import logging
from pathlib import Path

import msgspec

from backbone.observability import JsonFormatter
from tests.support.personal_scan import Scanner, Secret

NAME = Secret("name", "鬼灯沢 七海子")
EMAIL = Secret("email", "scan.0123abcd@example.jp")
ACCOUNT = Secret("account", "9123456")
SCANNER = Scanner([NAME, EMAIL, ACCOUNT])


def test_a_value_logged_by_a_service_is_found_in_its_log_file(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "broker-api.log"
    log_file.parent.mkdir()
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(JsonFormatter("broker", "api"))
    logger = logging.getLogger("tests.scanner.self-check")
    logger.addHandler(handler)
    try:
        logger.warning("registered %s", NAME.value, extra={"contact": EMAIL.value})
    finally:
        logger.removeHandler(handler)
        handler.close()
    (tmp_path / "clean.log").write_text("nothing personal here 2026-11-27T12:34:56.912345\n")

    findings, read = SCANNER.scan_tree(tmp_path)

    assert sorted(read) == ["clean.log", "logs/broker-api.log"]
    assert {(f.label, f.where) for f in findings} == {
        ("name", "logs/broker-api.log"),
        ("email", "logs/broker-api.log"),
    }


def test_escaped_encoded_and_packed_spellings_are_found() -> None:
    spellings = {
        "json (ASCII)": json.dumps({"n": NAME.value}).encode(),
        "json (UTF-8)": json.dumps({"n": NAME.value}, ensure_ascii=False).encode(),
        "msgpack": msgspec.msgpack.encode({"n": NAME.value}),
        "base64": base64.b64encode(b"xx" + NAME.value.encode() + b"y"),
        "base64url": base64.urlsafe_b64encode(b"{" + NAME.value.encode()),
        "shift_jis": b"\x00" + NAME.value.encode("cp932") + b"\x00",
        "utf-16": NAME.value.encode("utf-16-le"),
        "url": f"/search?q={EMAIL.value}&n={NAME.value}".encode(),
    }
    for how, data in spellings.items():
        assert "name" in SCANNER.labels_in(data), how


def test_an_account_number_is_found_alone_but_not_inside_a_longer_number() -> None:
    assert SCANNER.labels_in(b'{"number": "9123456"}') == {"account"}
    assert SCANNER.labels_in(b"pid 29123456 at 1767891234567") == set()
    assert SCANNER.labels_in(b"") == set()
