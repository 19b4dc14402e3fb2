"""A response marked `Cache-Control: no-store` is not kept by `Idempotency-Key`.

The bank-account answer shows the holder's name; kept for replay it would lie in plaintext
in the idempotency table beside the sealed events (found by the personal-data scan,
tests/e2e/test_personal_data_scan.py). Such a route is a PUT: running it again is harmless.
"""

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from backbone.stores import StoreSettings
from payout.bootstrap import Payout, build_payout
from payout.http.app import create_app
from payout.settings import PayoutSettings
from tests.unit.payout.support import TENANT, react, registered

HOLDER = "ホオズキサワ ナナミコ"
HOLDER_IN_BANK_FILE = "ﾎｵｽﾞｷｻﾜ ﾅﾅﾐｺ"
ACCOUNT = {
    "bank_code": "0005",
    "branch_code": "001",
    "account_type": 1,
    "number": "9123456",
    "holder_kana": HOLDER,
}


@pytest.fixture
def payout(tmp_path: Path) -> Payout:
    settings = PayoutSettings.in_memory(tmp_path / "jwt.key")
    store = StoreSettings(kind="sqlite", data_dir=tmp_path / "stores", chain_secret="chain")
    backbone = dataclasses.replace(settings.backbone, store=store)
    return build_payout(dataclasses.replace(settings, backbone=backbone))


@pytest.fixture
def client(payout: Payout) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(payout)) as test_client:
        yield test_client


def stored_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*idempotency*")) if p.is_file())


def test_a_no_store_answer_is_not_kept_when_it_carries_a_holder_name(
    client: TestClient[Any], payout: Payout, tmp_path: Path
) -> None:
    worker = uuid4()
    react(payout, registered(worker))
    token = issue_token(payout.jwt_key, tenant=TENANT, role=Role.ACCOUNTANT, subject=uuid4())
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "bank-1"}

    first = client.put(f"/workers/{worker}/bank-account", json=ACCOUNT, headers=headers)
    again = client.put(f"/workers/{worker}/bank-account", json=ACCOUNT, headers=headers)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["holder_kana"] == HOLDER_IN_BANK_FILE
    assert "no-store" in first.headers["cache-control"]
    assert "idempotent-replayed" not in again.headers  # run again, not replayed
    kept = stored_bytes(tmp_path)
    assert kept, "the idempotency table exists"
    assert HOLDER_IN_BANK_FILE.encode() not in kept
    assert HOLDER.encode() not in kept


def test_other_answers_are_still_kept_and_replayed(
    client: TestClient[Any], payout: Payout, tmp_path: Path
) -> None:
    token = issue_token(payout.jwt_key, tenant=TENANT, role=Role.ACCOUNTANT, subject=uuid4())
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "run-1"}

    first = client.post("/runs", json={"period": "2026-03"}, headers=headers)
    again = client.post("/runs", json={"period": "2026-03"}, headers=headers)

    assert first.status_code < 300, first.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert first.json()["id"].encode() in stored_bytes(tmp_path)
