"""The bank answered: each line of a run is paid (RewardPaid) or failed (PayoutFailed).

Answers come one line at a time (the accountant confirms), or as a result file (read by
`payout.commands.read_result_file`): CSV lines `line,code[,text]` where code 0 is 正常
(paid) and any other 全銀 result code (1 資金不足, 2 取引なし, 3 預金者都合, 4 依頼人都合,
8 その他 …) is a failure, carried into the next run. The same answer twice changes nothing;
an answer the run refuses (no such line, a contradiction) refuses all of them.
"""

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
    row: int = 0
    """The result file's line this answer came from; 0 when confirmed one at a time."""


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
    recorded = set(run.settled)
    changed_rewards: dict[UUID, Reward] = {}
    changed = 0
    for answer in answers:
        try:
            if not run.settle(answer.line, ok=answer.ok, reason=answer.reason):
                continue
        except RunStateError as error:
            raise InvalidRequestError(refusal(run, answer, recorded=recorded)) from error
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


def refusal(run: PayoutRun, answer: Answer, *, recorded: set[int]) -> str:
    """Why the run refused `answer`, in Japanese then English (naming the file's line).

    `recorded`: the lines settled before these answers came.
    """
    ja = f"{answer.row} 行目: " if answer.row else ""
    en = f"Line {answer.row}: " if answer.row else ""
    if answer.line in recorded:
        paid = run.settled[answer.line][0]
        return (
            f"{ja}明細番号 {answer.line} は すでに {'支払済み' if paid else '振込不能'} として"
            f" 記録されています。 {en}Transfer line {answer.line} was already settled as"
            f" {'paid' if paid else 'failed'}."
        )
    if answer.line in run.settled:
        return (
            f"{ja}明細番号 {answer.line} に ちがう 結果が 2 回 あります。"
            f" {en}Transfer line {answer.line} is answered twice, differently."
        )
    return (
        f"{ja}明細番号 {answer.line} は {run.period} の 支払処理に ありません。"
        f" {en}Run {run.period} has no transfer line {answer.line}."
    )
