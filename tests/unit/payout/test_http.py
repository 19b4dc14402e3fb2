"""The accountant's API on an in-memory payout: accounts, runs, bank answers, invoices."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from contracts.payout import PayoutFailed, PayoutRunClosed, RewardAccrued, RewardPaid
from contracts.values import RewardKind
from payout.bootstrap import Payout
from payout.http.app import create_app
from tests.unit.payout.support import (
    TENANT,
    completed,
    erased,
    in_memory_payout,
    published,
    react,
    registered,
)

HANAKO, ICHIRO = uuid4(), uuid4()
FARM = uuid4()
ACCOUNT = {
    "bank_code": "0005",
    "branch_code": "001",
    "account_type": 1,
    "number": "1234567",
    "holder_kana": "やまだ はなこ",
}


@pytest.fixture
def payout(tmp_path: Path) -> Payout:
    return in_memory_payout(tmp_path)


@pytest.fixture
def client(payout: Payout) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(payout)) as test_client:
        yield test_client


def auth(
    payout: Payout, role: Role = Role.ACCOUNTANT, subject: UUID | None = None
) -> dict[str, str]:
    token = issue_token(payout.jwt_key, tenant=TENANT, role=role, subject=subject or uuid4())
    return {"Authorization": f"Bearer {token}"}


def with_two_workers(client: TestClient[Any], payout: Payout) -> None:
    react(payout, registered(HANAKO), registered(ICHIRO))
    react(
        payout,
        completed(HANAKO, requester_id=FARM),
        completed(HANAKO, requester_id=FARM, minutes=60),
        completed(ICHIRO, requester_id=FARM, kind=RewardKind.FIXED, rate=50_000, withholding=True),
    )
    client.put(f"/workers/{HANAKO}/bank-account", json=ACCOUNT, headers=auth(payout))
    ichiro = ACCOUNT | {"bank_code": "0009", "number": "42", "holder_kana": "スズキ イチロウ"}
    client.put(f"/workers/{ICHIRO}/bank-account", json=ichiro, headers=auth(payout))


def test_a_bank_account_is_checked_and_shown_masked(
    client: TestClient[Any], payout: Payout
) -> None:
    react(payout, registered(HANAKO))

    response = client.put(f"/workers/{HANAKO}/bank-account", json=ACCOUNT, headers=auth(payout))

    assert response.status_code == 200
    assert response.json()["holder_kana"] == "ﾔﾏﾀﾞ ﾊﾅｺ"
    assert response.json()["number_masked"] == "****567"


@pytest.mark.parametrize(
    ("change", "status", "why"),
    [
        ({"bank_code": "9998"}, 422, "unknown bank code"),
        ({"branch_code": "999"}, 422, "unknown branch"),
        ({"holder_kana": "山田花子"}, 422, "give it in katakana"),
        ({"number": "12-34"}, 400, ""),
        ({"bank_code": 5}, 400, ""),
    ],
)
def test_bad_bank_data_is_refused_at_registration_with_a_clear_message(
    client: TestClient[Any], payout: Payout, change: dict[str, object], status: int, why: str
) -> None:
    react(payout, registered(HANAKO))

    response = client.put(
        f"/workers/{HANAKO}/bank-account", json=ACCOUNT | change, headers=auth(payout)
    )

    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert why in response.json()["detail"]


def test_an_unknown_worker_has_no_bank_account_to_record(
    client: TestClient[Any], payout: Payout
) -> None:
    response = client.put(f"/workers/{uuid4()}/bank-account", json=ACCOUNT, headers=auth(payout))

    assert response.status_code == 404


def test_closing_a_period_twice_returns_the_same_run_and_pays_nothing_twice(
    client: TestClient[Any], payout: Payout
) -> None:
    with_two_workers(client, payout)

    first = client.post("/runs", json={"period": "2026-03"}, headers=auth(payout))
    second = client.post("/runs", json={"period": "2026-03"}, headers=auth(payout))

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    run = first.json()
    assert run["pay_on"] == "2026-04-30"  # 月末締め翌月末払い
    assert len(run["lines"]) == 2
    assert run["total_yen"] == (3363 + 1050 + 300) + (50_000 + 300 - 5_105)
    assert run["withholding_yen"] == 5_105
    closes = [e for e in published(payout) if isinstance(e, PayoutRunClosed)]
    assert len(closes) == 1


def test_the_bank_file_downloads_as_120_byte_records(
    client: TestClient[Any], payout: Payout
) -> None:
    with_two_workers(client, payout)
    client.post("/runs", json={"period": "2026-03"}, headers=auth(payout))

    response = client.get("/runs/2026-03/files/1", headers=auth(payout))
    summary = client.get("/runs/2026-03/summary.csv", headers=auth(payout))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    records = response.content.split(b"\r\n")[:-1]
    assert [r[0:1] for r in records] == [b"1", b"2", b"2", b"8", b"9"]
    assert all(len(r) == 120 for r in records)
    assert summary.text.count("pending") == 2


def test_paid_lines_publish_reward_paid_and_failed_lines_carry_into_the_next_run(
    client: TestClient[Any], payout: Payout
) -> None:
    with_two_workers(client, payout)
    run = client.post("/runs", json={"period": "2026-03"}, headers=auth(payout)).json()
    hanako_line = next(line for line in run["lines"] if line["worker_id"] == str(HANAKO))
    ichiro_line = next(line for line in run["lines"] if line["worker_id"] == str(ICHIRO))
    result_file = f"line,code,text\n{hanako_line['line']},0\n{ichiro_line['line']},2,口座なし\n"

    imported = client.post(
        "/runs/2026-03/results",
        content=result_file.encode(),
        headers=auth(payout) | {"content-type": "text/csv"},
    )
    again = client.post(
        "/runs/2026-03/results",
        content=result_file.encode(),
        headers=auth(payout) | {"content-type": "text/csv"},
    )
    contradicting = client.post(
        f"/runs/2026-03/lines/{hanako_line['line']}/confirmation",
        json={"ok": False},
        headers=auth(payout),
    )
    april = client.post("/runs", json={"period": "2026-04"}, headers=auth(payout))

    assert imported.json() == {"changed": 2}
    assert again.json() == {"changed": 0}
    assert contradicting.status_code == 422
    facts = published(payout)
    paid = [e for e in facts if isinstance(e, RewardPaid)]
    failed = [e for e in facts if isinstance(e, PayoutFailed)]
    assert {e.worker_id for e in paid} == {HANAKO}
    assert sum(e.net_paid_yen for e in paid) == hanako_line["amount_yen"]
    assert [e.worker_id for e in failed] == [ICHIRO]
    assert "口座なし" in failed[0].reason
    assert april.status_code == 422  # April has not ended on 2 April
    carried = [r for r in payout.app.books.of_tenant(TENANT) if r.worker_id == ICHIRO]
    assert all(r.outstanding > 0 and r.in_run is None for r in carried)


def test_a_worker_without_an_account_is_skipped_and_paid_later(
    client: TestClient[Any], payout: Payout
) -> None:
    react(payout, registered(HANAKO), completed(HANAKO))

    run = client.post("/runs", json={"period": "2026-03"}, headers=auth(payout)).json()

    assert run["lines"] == []
    assert run["skipped"][0]["reason"] == "no bank account"
    assert all(r.outstanding > 0 for r in payout.app.books.of_tenant(TENANT))


def test_after_erasure_the_bank_account_can_no_longer_be_read(
    client: TestClient[Any], payout: Payout
) -> None:
    react(payout, registered(HANAKO), completed(HANAKO))
    client.put(f"/workers/{HANAKO}/bank-account", json=ACCOUNT, headers=auth(payout))
    react(payout, erased(HANAKO))

    run = client.post("/runs", json={"period": "2026-03"}, headers=auth(payout)).json()
    again = client.put(f"/workers/{HANAKO}/bank-account", json=ACCOUNT, headers=auth(payout))

    assert run["skipped"][0]["worker_id"] == str(HANAKO)
    assert again.status_code == 422
    accrued = [e for e in published(payout) if isinstance(e, RewardAccrued)]
    assert accrued[0].net_payable_yen == 3363  # the yen stay


def test_an_invoice_lists_rewards_fee_and_tax_for_the_requester_only(
    client: TestClient[Any], payout: Payout
) -> None:
    with_two_workers(client, payout)

    mine = client.get(f"/invoices/{FARM}/2026-03", headers=auth(payout, Role.REQUESTER, FARM))
    other = client.get(f"/invoices/{FARM}/2026-03", headers=auth(payout, Role.REQUESTER))
    page = client.get(f"/invoices/{FARM}/2026-03/page", headers=auth(payout))

    assert mine.status_code == 200
    invoice = mine.json()
    assert len(invoice["lines"]) == 3
    assert invoice["fee_yen"] == 306 + 105 + 5_000
    assert invoice["fee_tax_yen"] == 30 + 10 + 500
    assert invoice["total_yen"] == sum(line["total_yen"] for line in invoice["lines"])
    assert other.status_code == 403
    assert "請求書" in page.text
    assert f"{invoice['total_yen']:,}" in page.text


def test_reconciliation_is_clean_after_a_paid_run(client: TestClient[Any], payout: Payout) -> None:
    with_two_workers(client, payout)
    run = client.post("/runs", json={"period": "2026-03"}, headers=auth(payout)).json()
    for line in run["lines"]:
        client.post(
            f"/runs/2026-03/lines/{line['line']}/confirmation",
            json={"ok": True},
            headers=auth(payout),
        )

    found = client.get("/reconciliation/2026-03", headers=auth(payout, Role.AUDITOR)).json()
    balance = client.get("/ledger/trial-balance", headers=auth(payout)).json()
    owed = client.get(f"/balances/workers/{HANAKO}", headers=auth(payout)).json()

    assert found["clean"], found["problems"]
    assert found["payable_yen"] == 0
    assert found["paid_yen"] == found["accrued_yen"]
    assert balance["total_yen"] == 0
    assert balance["accounts"]["withholding_payable"] == -5_105
    assert owed["balance_yen"] == 0


def test_the_accountant_role_is_needed(client: TestClient[Any], payout: Payout) -> None:
    for role in (Role.COORDINATOR, Role.WORKER, Role.REQUESTER):
        response = client.post("/runs", json={"period": "2026-03"}, headers=auth(payout, role))
        assert response.status_code == 403
    assert client.post("/runs", json={"period": "2026-13"}, headers=auth(payout)).status_code == 400
