"""The bank's result file: read whole, or refused whole with the line and what is wrong."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from contracts.payout import PayoutFailed, RewardPaid
from payout.bootstrap import Payout
from payout.http.app import create_app
from tests.unit.payout.support import in_memory_payout, published
from tests.unit.payout.test_http import auth, with_two_workers


@pytest.fixture
def payout(tmp_path: Path) -> Payout:
    return in_memory_payout(tmp_path)


@pytest.fixture
def client(payout: Payout) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(payout)) as test_client:
        yield test_client


@pytest.fixture
def lines(client: TestClient[Any], payout: Payout) -> list[int]:
    """The transfer lines of a closed March (two workers)."""
    with_two_workers(client, payout)
    run = client.post("/runs", json={"period": "2026-03"}, headers=auth(payout)).json()
    return sorted(line["line"] for line in run["lines"])


def upload(client: TestClient[Any], payout: Payout, content: bytes) -> Any:
    return client.post(
        "/runs/2026-03/results",
        content=content,
        headers=auth(payout) | {"content-type": "text/csv"},
    )


BAD_FILES = [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2, "Shift_JIS", id="garbage-bytes"),
    pytest.param(b"line,code\n{1},0\n\xff\xfe\x00\x01\n", 3, "Shift_JIS", id="binary-tail"),
    pytest.param(b"hello world", 1, "column", id="one-garbage-line"),
    pytest.param(b"line,code\n{1},0\n{2}\n", 3, "column", id="missing-code"),
    pytest.param(b"worker,amount\nabc,4500\n", 2, "transfer number", id="wrong-columns"),
    pytest.param(b"line,code\n{1},0\n{2},7\n", 3, "result code", id="unknown-code"),
    pytest.param(b"line,code\n{1},0\n99,0\n", 3, "has no transfer line 99", id="no-such-transfer"),
    pytest.param(b"line,code\n{1},0\n{1},2\n", 3, "answered twice", id="contradiction"),
]


@pytest.mark.parametrize(("content", "line", "what"), BAD_FILES)
def test_a_file_that_does_not_read_is_a_422_naming_the_line_and_changes_nothing(
    client: TestClient[Any], payout: Payout, lines: list[int], content: bytes, line: int, what: str
) -> None:
    first, second = lines
    content = content.replace(b"{1}", str(first).encode()).replace(b"{2}", str(second).encode())

    refused = upload(client, payout, content)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    detail = refused.json()["detail"]
    japanese, english = detail.index(f"{line} 行目"), detail.index(f"Line {line}:")
    assert japanese < english, detail  # Japanese first
    assert what in detail
    assert not [e for e in published(payout) if isinstance(e, RewardPaid | PayoutFailed)]
    assert upload(client, payout, f"line,code\n{first},0\n".encode()).json() == {"changed": 1}


def test_a_file_contradicting_an_earlier_answer_is_refused_and_changes_nothing(
    client: TestClient[Any], payout: Payout, lines: list[int]
) -> None:
    first, second = lines
    upload(client, payout, f"line,code\n{first},0\n".encode())
    before = published(payout)

    refused = upload(client, payout, f"line,code\n{second},0\n{first},2\n".encode())

    assert refused.status_code == 422
    assert "3 行目" in refused.json()["detail"]
    assert f"Line 3: Transfer line {first} was already settled as paid" in refused.text
    assert published(payout) == before  # the second line was not paid either


def test_a_file_without_any_answer_is_refused(
    client: TestClient[Any], payout: Payout, lines: list[int]
) -> None:
    for content in (b"", b"line,code\n", b"\n\n"):
        refused = upload(client, payout, content)

        assert refused.status_code == 422, content
        assert "ありません" in refused.json()["detail"]
    assert lines


def test_shift_jis_with_a_japanese_header_and_reasons_is_read(
    client: TestClient[Any], payout: Payout, lines: list[int]
) -> None:
    first, second = lines
    text = f"明細番号,結果コード,内容\r\n{first},0\r\n{second},1,資金不足です\r\n"
    content = text.encode("cp932")

    imported = upload(client, payout, content)

    assert imported.json() == {"changed": 2}
    failed = [e for e in published(payout) if isinstance(e, PayoutFailed)]  # one per reward
    assert failed
    assert all("資金不足です" in e.reason for e in failed)
