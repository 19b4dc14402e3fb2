"""全銀協 総合振込 files: 120-byte records (header 1, data 2, trailer 8, end 9), JIS bytes.

Names go in as upper-case half-width katakana (ﾃﾞｰﾀ), checked against the 全銀 character
set after conversion; widths are checked in bytes after encoding. At most 9,999 data
records per file: bigger runs are split. The line ending is a per-bank setting.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import jaconv
from zengin_code import Bank

RECORD_BYTES = 120
MAX_DATA_RECORDS = 9_999
ENCODING = "cp932"  # JIS X 0201 half-width katakana and ASCII, one byte each
SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｯｬｭｮ", "ｱｲｳｴｵﾂﾔﾕﾖ")
ALLOWED = (
    set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ().-/,")
    | {
        chr(code)
        for code in range(0xFF71, 0xFFA0)  # ｱ … ﾝ ﾞ ﾟ
    }
    | {"ｦ"}
)
LineEnding = Literal["none", "crlf", "lf"]
ENDINGS: dict[LineEnding, bytes] = {"none": b"", "crlf": b"\r\n", "lf": b"\n"}
ACCOUNT_TYPES = {1: "普通", 2: "当座", 4: "貯蓄", 9: "その他"}


class BankDataError(ValueError):
    """Bank data that a bank would refuse: unknown codes, characters outside the set."""


def zengin_kana(text: str) -> str:
    """Any kana or latin text as 全銀 characters: half-width katakana, upper case.

    Raises:
        BankDataError: something remains outside the 全銀 character set (kanji …).
    """
    half = jaconv.z2h(jaconv.hira2kata(text.strip()), kana=True, ascii=True, digit=True)
    half = half.upper().replace("ｰ", "-").replace("　", " ").translate(SMALL_TO_LARGE)
    bad = sorted({ch for ch in half if ch not in ALLOWED})
    if not half or bad:
        shown = "".join(bad) or "(empty)"
        msg = f"{text!r} cannot be written in 全銀 kana (not allowed: {shown}); give it in katakana"
        raise BankDataError(msg)
    return half


@dataclass(frozen=True, kw_only=True)
class Account:
    """A bank account as a 全銀 record needs it."""

    bank_code: str
    branch_code: str
    account_type: int
    number: str
    holder: str
    """The holder's name in 全銀 kana."""

    @property
    def bank_kana(self) -> str:
        """The bank's name in 全銀 kana (from zengin-code)."""
        return zengin_kana(Bank.all[self.bank_code].kana)

    @property
    def branch_kana(self) -> str:
        """The branch's name in 全銀 kana (from zengin-code)."""
        return zengin_kana(Bank.all[self.bank_code].branches[self.branch_code].kana)


def checked_account(
    *, bank_code: str, branch_code: str, account_type: int, number: str, holder: str
) -> Account:
    """Validate an account against zengin-code and the 全銀 character set.

    Raises:
        BankDataError: an unknown bank or branch, a bad type or number, or a holder name
            that cannot be written in 全銀 kana.
    """
    if not (len(bank_code) == 4 and bank_code.isdigit()):  # noqa: PLR2004
        msg = f"bank code must be 4 digits, not {bank_code!r}"
        raise BankDataError(msg)
    bank = Bank.all.get(bank_code)
    if bank is None:
        msg = f"unknown bank code {bank_code} (not in zengin-code)"
        raise BankDataError(msg)
    if not (len(branch_code) == 3 and branch_code.isdigit()) or branch_code not in bank.branches:  # noqa: PLR2004
        msg = f"unknown branch {branch_code!r} of {bank.name} ({bank_code})"
        raise BankDataError(msg)
    if account_type not in ACCOUNT_TYPES:
        kinds = ", ".join(f"{k} {v}" for k, v in ACCOUNT_TYPES.items())
        msg = f"account type must be one of {kinds}"
        raise BankDataError(msg)
    if not (1 <= len(number) <= 7 and number.isdigit()):  # noqa: PLR2004
        msg = f"account number must be 1 to 7 digits, not {number!r}"
        raise BankDataError(msg)
    return Account(
        bank_code=bank_code,
        branch_code=branch_code,
        account_type=account_type,
        number=number.zfill(7),
        holder=zengin_kana(holder),
    )


@dataclass(frozen=True, kw_only=True)
class Remitter:
    """The council's own account and 振込依頼人 code, from settings."""

    code: str
    """振込依頼人コード, 10 digits (given by the bank)."""
    name: str
    account: Account


def n(value: int | str, width: int) -> str:
    """An N field: right-aligned, zero-padded.

    Raises:
        BankDataError: it does not fit.
    """
    text = str(value)
    if not text.isdigit() or len(text) > width:
        msg = f"{value!r} does not fit N{width}"
        raise BankDataError(msg)
    return text.zfill(width)


def c(value: str, width: int) -> str:
    """A C field: left-aligned, space-padded, cut to the width."""
    return value[:width].ljust(width)


def record(text: str) -> bytes:
    """Encode one record and check it is 120 bytes.

    Raises:
        BankDataError: a character does not encode to one byte, or the width is wrong.
    """
    try:
        raw = text.encode(ENCODING)
    except UnicodeEncodeError as error:
        msg = f"cannot encode {text!r} for the bank"
        raise BankDataError(msg) from error
    if len(raw) != RECORD_BYTES:
        msg = f"a record must be {RECORD_BYTES} bytes, not {len(raw)}"
        raise BankDataError(msg)
    return raw


def header(remitter: Remitter, pay_on: date) -> bytes:
    """データ区分 1: 総合振込 (21), JIS, the remitter and the transfer date."""
    a = remitter.account
    return record(
        "1"
        "21"
        "0"
        + n(remitter.code, 10)
        + c(zengin_kana(remitter.name), 40)
        + f"{pay_on:%m%d}"
        + n(a.bank_code, 4)
        + c(a.bank_kana, 15)
        + n(a.branch_code, 3)
        + c(a.branch_kana, 15)
        + n(a.account_type, 1)
        + n(a.number, 7)
        + c("", 17)
    )


def data(account: Account, amount: int, customer_code: str = "") -> bytes:
    """データ区分 2: one transfer (telegraphic, 電信)."""
    if amount <= 0:
        msg = f"a transfer must be positive, not {amount}"
        raise BankDataError(msg)
    return record(
        "2"
        + n(account.bank_code, 4)
        + c(account.bank_kana, 15)
        + n(account.branch_code, 3)
        + c(account.branch_kana, 15)
        + "0000"
        + n(account.account_type, 1)
        + n(account.number, 7)
        + c(account.holder, 30)
        + n(amount, 10)
        + "0"
        + n(customer_code or "0", 10)
        + n("0", 10)
        + "7"
        + " "
        + c("", 7)
    )


def trailer(count: int, total: int) -> bytes:
    """データ区分 8: the number of transfers and their sum."""
    return record("8" + n(count, 6) + n(total, 12) + c("", 101))


def end() -> bytes:
    """データ区分 9."""
    return record("9" + c("", 119))


@dataclass(frozen=True)
class Transfer:
    """One data record to write."""

    account: Account
    amount: int
    customer_code: str = ""


def bank_files(
    remitter: Remitter,
    pay_on: date,
    transfers: Sequence[Transfer],
    line_ending: LineEnding = "crlf",
) -> list[bytes]:
    """The run's files: 9,999 transfers at most in each."""
    newline = ENDINGS[line_ending]
    files = []
    for start in range(0, len(transfers), MAX_DATA_RECORDS):
        chunk = transfers[start : start + MAX_DATA_RECORDS]
        records = [header(remitter, pay_on)]
        records += [data(t.account, t.amount, t.customer_code) for t in chunk]
        records += [trailer(len(chunk), sum(t.amount for t in chunk)), end()]
        files.append(newline.join(records) + newline)
    return files
