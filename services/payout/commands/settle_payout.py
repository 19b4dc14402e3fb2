"""The bank answered: each line of a run is paid (RewardPaid) or failed (PayoutFailed).

Answers come one line at a time (the accountant confirms), or as a result file:
CSV lines `line,code[,text]` where code 0 is 正常 (paid) and any other 全銀 result code
(1 資金不足, 2 取引なし, 3 預金者都合, 4 依頼人都合, 8 その他 …) is a failure, carried
into the next run. The same answer twice changes nothing.
"""

import csv
import io
from dataclasses import dataclass
from uuid import UUID

from payout.application import PayoutApplication
from payout.domain.errors import InvalidRequestError, NotFoundError
from payout.domain.periods import Period
from payout.domain.reward import Reward
from payout.domain.run import PayoutRun, RunStateError, run_id

RESULT_CODES = {
    "0": "正常 (paid)",
    "1": "資金不足 (insufficient funds)",
    "2": "取引なし (no such account)",
    "3": "預金者都合 (account holder's request)",
    "4": "依頼人都合 (remitter's request)",
    "8": "その他 (other)",
}


@dataclass(frozen=True)
class Answer:
    """The bank's answer for one line."""

    line: int
    ok: bool
    reason: str = ""


def run_of(app: PayoutApplication, period_text: str, tenant: str) -> PayoutRun:
    """A closed run.

    Raises:
        NotFoundError: the period was not closed.
        InvalidRequestError: a malformed period.
    """
    try:
        period = Period.parse(period_text)
    except ValueError as error:
        raise InvalidRequestError(str(error)) from error
    ident = run_id(tenant, str(period))
    if ident not in app.repository:
        msg = f"{period} has not been closed"
        raise NotFoundError(msg)
    run: PayoutRun = app.repository.get(ident)
    return run


def settle(app: PayoutApplication, period_text: str, answers: list[Answer], *, tenant: str) -> int:
    """Record the answers and settle each line's rewards; return how many lines changed.

    Raises:
        NotFoundError: the period was not closed.
        InvalidRequestError: an unknown line, or an answer contradicting an earlier one.
    """
    run = run_of(app, period_text, tenant)
    changed_rewards: dict[UUID, Reward] = {}
    changed = 0
    for answer in answers:
        try:
            if not run.settle(answer.line, ok=answer.ok, reason=answer.reason):
                continue
        except RunStateError as error:
            raise InvalidRequestError(str(error)) from error
        changed += 1
        for text in run.line(answer.line)["reward_ids"]:
            ident = UUID(str(text))
            reward = changed_rewards.get(ident) or app.repository.get(ident)
            if answer.ok:
                reward.pay(run.id, run.pay_on)
            else:
                reward.fail(run.id, answer.reason or RESULT_CODES["8"])
            changed_rewards[ident] = reward
    if changed:
        app.save(run, *changed_rewards.values())
    return changed


def answers_from_result_file(text: str) -> list[Answer]:
    """Parse a result file (`line,code[,text]` per row; a header row is skipped).

    Raises:
        InvalidRequestError: a row that is not a line number and a result code.
    """
    answers = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        if number == 1 and not row[0].strip().isdigit():
            continue  # a header
        if len(row) < 2 or not row[0].strip().isdigit() or row[1].strip() not in RESULT_CODES:  # noqa: PLR2004
            msg = f"row {number}: expected `line,code[,text]` with a 全銀 result code, got {row}"
            raise InvalidRequestError(msg)
        code = row[1].strip()
        text_given = row[2].strip() if len(row) > 2 else ""  # noqa: PLR2004
        reason = f"{code}: {text_given or RESULT_CODES[code]}"
        answers.append(
            Answer(line=int(row[0]), ok=code == "0", reason="" if code == "0" else reason)
        )
    return answers
