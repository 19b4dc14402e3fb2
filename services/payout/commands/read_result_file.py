"""Read the bank's result file (結果ファイル) whole: every line an answer, or the file refused.

CSV, UTF-8 or Shift_JIS, one `line,code[,text]` per transfer (a first line of column names
is skipped). A file that does not read — bytes that are not text, a line without a
transfer number or a 全銀 result code, no answers at all — is refused before anything is
recorded, naming the file's line and what is wrong, in Japanese then English.
"""

import csv
import io
import re

from payout.commands.settle_payout import RESULT_CODES, Answer
from payout.domain.errors import InvalidRequestError

SHOWN = 40
"""At most this many characters of a refused cell are quoted back."""
CODES = ", ".join(RESULT_CODES)
NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # control characters, but tab and line ends
    "\ue000-\uf8ff\U000f0000-\U0010ffff\ufffd]"  # private use; U+FFFD
)
"""What no result file holds: a binary file that happened to decode holds some."""


def read_result_file(raw: bytes) -> list[Answer]:
    """Each line's answer, with the file's line number (`Answer.row`).

    Raises:
        InvalidRequestError: the file is not text, a line is not `line,code[,text]` with a
            transfer number and a 全銀 result code, or it holds no answer.
    """
    answers: list[Answer] = []
    rows = csv.reader(io.StringIO(text_of(raw), newline=""))
    first = True
    while True:
        try:
            row = next(rows, None)
        except csv.Error as error:
            number = rows.line_num
            msg = (
                f"{number} 行目: CSV として 読めません（{error}）。"
                f" Line {number}: this is not CSV ({error})."
            )
            raise InvalidRequestError(msg) from error
        if row is None:
            break
        cells = [cell.strip() for cell in row]
        if not "".join(cells):
            continue
        header, first = first and not cells[0].isdecimal() and len(cells) > 1, False
        if not header:
            answers.append(answer_of(rows.line_num, cells))
    if not answers:
        msg = "結果の 行が ひとつも ありません。 The file holds no `line,code[,text]` line."
        raise InvalidRequestError(msg)
    return answers


def text_of(raw: bytes) -> str:
    """The file as text: UTF-8 (with or without a BOM), else Shift_JIS (cp932).

    Raises:
        InvalidRequestError: neither, or control characters a text file does not hold (a
            binary file that happened to decode); the line of the first such byte is named.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError as error:
            raise not_text(raw[: error.start].count(b"\n") + 1) from error
    if found := NOT_TEXT.search(text):
        raise not_text(text[: found.start()].count("\n") + 1)
    return text


def not_text(number: int) -> InvalidRequestError:
    """The refusal of a file that is not text, at the file's line `number`."""
    return InvalidRequestError(
        f"{number} 行目: 文字として 読めません（UTF-8 でも Shift_JIS の テキストでも ありません）。"
        f" Line {number}: this is neither UTF-8 nor Shift_JIS text."
    )


def answer_of(number: int, cells: list[str]) -> Answer:
    """The answer on the file's line `number`.

    Raises:
        InvalidRequestError: not a transfer number and a 全銀 result code.
    """
    if len(cells) < 2:  # noqa: PLR2004 - line and code
        msg = (
            f"{number} 行目: 「明細番号,結果コード[,内容]」の 列が たりません（{len(cells)} 列）。"
            f" Line {number}: expected `line,code[,text]`, got {len(cells)} column."
        )
        raise InvalidRequestError(msg)
    line, code, given = cells[0], cells[1], ",".join(cells[2:]).strip()
    if not line.isdecimal() or int(line) < 1:
        msg = (
            f"{number} 行目: 明細番号「{line[:SHOWN]}」は 1 以上の 数では ありません。"
            f" Line {number}: the transfer number {line[:SHOWN]!r} is not a whole number from 1."
        )
        raise InvalidRequestError(msg)
    if code not in RESULT_CODES:
        msg = (
            f"{number} 行目: 「{code[:SHOWN]}」は 全銀の 結果コードでは ありません（{CODES}）。"
            f" Line {number}: {code[:SHOWN]!r} is not a Zengin result code ({CODES})."
        )
        raise InvalidRequestError(msg)
    reason = "" if code == "0" else f"{code}: {given or RESULT_CODES[code]}"
    return Answer(line=int(line), ok=code == "0", reason=reason, row=number)
