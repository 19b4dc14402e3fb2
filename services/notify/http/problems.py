"""What notify's API reports: each domain error's kind (worker pages show them as pages)."""

from eventsourcing.persistence import IntegrityError

from backbone.problems.handlers import ProblemCatalog
from backbone.problems.kinds import (
    CHANGED_MEANWHILE,
    CONFLICT,
    IMPOSSIBLE_REQUEST,
    NOT_FOUND,
    STATE_CONFLICT,
    kind,
)
from notify.commands.record_phone_answer import FutureAnswerError
from notify.domain.errors import JobStateError, NotFoundError, NotifyError
from notify.http.pages import LinkRefusedError

LINK_REFUSED = kind(
    "link-refused",
    403,
    ("この リンクは つかえません", "This link cannot be used"),
    (
        (
            "この リンクは つかえません（期限切れ、書きかえ、または ほかの 人の もの）。"
            "事務局に 新しい リンクを たのんで ください。"
        ),
        (
            "The link is expired, altered, or made for something else; ask the council's office"
            " for a new one."
        ),
    ),
)

PROBLEMS = ProblemCatalog(
    errors={
        LinkRefusedError: LINK_REFUSED,
        NotFoundError: NOT_FOUND,
        JobStateError: STATE_CONFLICT,
        FutureAnswerError: IMPOSSIBLE_REQUEST,
        IntegrityError: CHANGED_MEANWHILE,
        NotifyError: CONFLICT,
    },
)
"""Notify's problems: the common kinds and its domain errors' kinds."""
