"""The 全銀 総合振込 file: a golden file byte for byte, field positions, limits and refusals."""

from datetime import date
from pathlib import Path

import pytest

from payout.domain.zengin import (
    MAX_DATA_RECORDS,
    BankDataError,
    Remitter,
    Transfer,
    bank_files,
    checked_account,
    zengin_kana,
)

GOLDEN = Path(__file__).parent / "golden" / "zengin-2026-03.txt"
REMITTER = Remitter(
    code="1234567890",
    name="ミネシ シゴトコンビニ",
    account=checked_account(
        bank_code="0001", branch_code="001", account_type=1, number="7654321", holder="ミネシ"
    ),
)
PAY_ON = date(2026, 4, 30)


def transfers() -> list[Transfer]:
    hanako = checked_account(
        bank_code="0005",
        branch_code="001",
        account_type=1,
        number="1234567",
        holder="やまだ はなこ",
    )
    ichiro = checked_account(
        bank_code="0009", branch_code="001", account_type=2, number="42", holder="ｽｽﾞｷ ｲﾁﾛｳ"
    )
    return [Transfer(hanako, 3363, "1"), Transfer(ichiro, 45_895, "2")]


def test_the_file_matches_the_golden_file_byte_for_byte() -> None:
    [produced] = bank_files(REMITTER, PAY_ON, transfers(), "crlf")

    assert produced == GOLDEN.read_bytes()


def test_every_record_is_120_bytes_with_fields_where_the_layout_puts_them() -> None:
    [produced] = bank_files(REMITTER, PAY_ON, transfers(), "crlf")
    header, first, second, trailer, end = produced.split(b"\r\n")[:5]

    assert [len(r) for r in (header, first, second, trailer, end)] == [120] * 5
    assert header[0:1] == b"1"
    assert header[1:3] == b"21"  # 総合振込
    assert header[4:14] == b"1234567890"
    assert header[54:58] == b"0430"  # MMDD
    assert first[0:1] == b"2"
    assert first[1:5] == b"0005"
    assert first[42:43] == b"1"  # 普通
    assert first[43:50] == b"1234567"
    assert first[50:80].decode("cp932").rstrip() == "ﾔﾏﾀﾞ ﾊﾅｺ"
    assert first[80:90] == b"0000003363"  # the amount starts at position 81
    assert first[111:112] == b"7"  # 電信
    assert second[43:50] == b"0000042"
    assert trailer[0:1] == b"8"
    assert trailer[1:7] == b"000002"
    assert trailer[7:19] == b"000000049258"
    assert end[0:1] == b"9"
    assert produced.endswith(b"\r\n")


def test_a_run_beyond_9999_transfers_is_split_into_files() -> None:
    [one, _] = transfers()
    many = [Transfer(one.account, 100)] * (MAX_DATA_RECORDS + 2)

    files = bank_files(REMITTER, PAY_ON, many, "none")

    assert len(files) == 2
    assert len(files[0]) == 120 * (MAX_DATA_RECORDS + 3)
    assert files[0][-240:-239] == b"8"
    assert files[1][-240:-120][1:7] == b"000002"


@pytest.mark.parametrize(
    ("kana", "written"),
    [
        ("やまだ はなこ", "ﾔﾏﾀﾞ ﾊﾅｺ"),
        ("ヤマダ　ハナコ", "ﾔﾏﾀﾞ ﾊﾅｺ"),
        ("キャロル", "ｷﾔﾛﾙ"),  # small kana become large
        ("ｽｽﾞｷ ｲﾁﾛｰ", "ｽｽﾞｷ ｲﾁﾛ-"),
        ("yamada (kabu)", "YAMADA (KABU)"),
    ],
)
def test_names_become_upper_case_half_width_kana(kana: str, written: str) -> None:
    assert zengin_kana(kana) == written


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"holder": "山田 花子"}, "cannot be written in 全銀 kana"),
        ({"holder": "ヤマダ♥"}, "cannot be written in 全銀 kana"),
        ({"bank_code": "9998"}, "unknown bank code 9998"),
        ({"branch_code": "999"}, "unknown branch"),
        ({"account_type": 3}, "account type"),
        ({"number": "12345678"}, "1 to 7 digits"),
    ],
)
def test_bad_bank_data_is_refused_with_a_reason(fields: dict[str, object], why: str) -> None:
    given: dict[str, object] = {
        "bank_code": "0005",
        "branch_code": "001",
        "account_type": 1,
        "number": "1234567",
        "holder": "ヤマダ ハナコ",
    } | fields

    with pytest.raises(BankDataError, match=why):
        checked_account(**given)  # type: ignore[arg-type]
