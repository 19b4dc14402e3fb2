"""What the broker's API reports: each domain error's kind, and words for its patterns."""

from collections.abc import Mapping

from eventsourcing.persistence import IntegrityError

from backbone.personal import ErasedError
from backbone.problems.handlers import ProblemCatalog
from backbone.problems.kinds import (
    CHANGED_MEANWHILE,
    CONFLICT,
    ERASED,
    IMPOSSIBLE_REQUEST,
    NOT_FOUND,
    STATE_CONFLICT,
    Words,
    kind,
)
from backbone.problems.validation import pattern_of
from broker.commands import register_worker, submit_job_request
from broker.domain.errors import (
    BrokerError,
    ConstraintBrokenError,
    InvalidRequestError,
    NotFoundError,
    TaskStateError,
    WorkerErasedError,
)

CONSTRAINT_BROKEN = kind(
    "constraint-broken",
    422,
    ("はたらく人の 条件に 合いません", "A worker's constraint would break"),
    (
        (
            "この 仕事は はたらく人の 条件（時間・場所・できること・休み など）に 合いません。"
            "broken に 合わない 条件が あります。"
        ),
        (
            "The task breaks one of the worker's hard constraints (hours, place, abilities, days"
            " off …); `broken` lists which."
        ),
    ),
)
CODE = Words(
    "英小文字で はじまる 英小文字・数字・_ の コード（50 文字まで）で 書いて ください"
    "（例: harvest）",
    "must be a code of lowercase letters, digits and _, starting with a letter, at most 50"
    " characters (e.g. harvest)",
)


def broken_constraints(error: Exception) -> Mapping[str, object]:
    """The `broken` member: which of the worker's constraints the task breaks."""
    return {"broken": error.broken} if isinstance(error, ConstraintBrokenError) else {}


PROBLEMS = ProblemCatalog(
    errors={
        NotFoundError: NOT_FOUND,
        WorkerErasedError: ERASED,
        ErasedError: ERASED,
        TaskStateError: STATE_CONFLICT,
        ConstraintBrokenError: CONSTRAINT_BROKEN,
        InvalidRequestError: IMPOSSIBLE_REQUEST,
        BrokerError: CONFLICT,
        IntegrityError: CHANGED_MEANWHILE,
    },
    extensions={ConstraintBrokenError: broken_constraints},
    formats={
        pattern_of(submit_job_request.Code): CODE,
        pattern_of(register_worker.Code): CODE,
        pattern_of(register_worker.Kana): Words(
            "ひらがな か カタカナで 書いて ください（100 文字まで）",
            "must be written in hiragana or katakana, at most 100 characters",
        ),
        pattern_of(register_worker.Phone): Words(
            "電話番号を 数字と - で 書いて ください（例: 090-1234-5678）",
            "must be a phone number of digits and hyphens, like 090-1234-5678",
        ),
        pattern_of(register_worker.Email): Words(
            "メールアドレスで 書いて ください（例: hanako@example.jp）",
            "must be an email address like hanako@example.jp",
        ),
        pattern_of(register_worker.LineUserId): Words(
            "LINE の ユーザー ID（U と 32 文字の 英数字）で 書いて ください",
            "must be a LINE user id: U followed by 32 hexadecimal characters",
        ),
    },
)
"""The broker's problems: the common kinds, its domain errors' kinds and its formats."""
