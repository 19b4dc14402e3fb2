"""What payout's API reports: each domain error's kind, and words for its patterns."""

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
)
from backbone.problems.validation import pattern_of
from payout.domain.errors import InvalidRequestError, NotFoundError, PayoutError
from payout.domain.reward import RewardStateError
from payout.http import reports, runs

MONTH = Words("YYYY-MM の 年月で 書いて ください（例: 2026-12）", "must be a month like 2026-12")

PROBLEMS = ProblemCatalog(
    errors={
        NotFoundError: NOT_FOUND,
        InvalidRequestError: IMPOSSIBLE_REQUEST,
        RewardStateError: STATE_CONFLICT,
        ErasedError: ERASED,
        IntegrityError: CHANGED_MEANWHILE,
        PayoutError: CONFLICT,
    },
    formats={pattern_of(runs.PeriodText): MONTH, pattern_of(reports.PeriodText): MONTH},
)
"""Payout's problems: the common kinds, its domain errors' kinds and its formats."""
