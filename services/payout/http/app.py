"""Payout's Litestar application: accountant's API, invoices, reconciliation, /docs."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError
from litestar import Litestar, get
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.template.config import TemplateConfig

from backbone.auth import bearer_middleware
from backbone.idempotency import IdempotencyMiddleware, idempotency_store_for
from backbone.observability import observability
from backbone.personal import ErasedError
from backbone.tracing import tracing_middleware
from backbone.web import BodyLimitMiddleware, openapi_config, problem, unavailable_handlers
from payout.bootstrap import Payout
from payout.domain.errors import InvalidRequestError, NotFoundError, PayoutError
from payout.domain.reward import RewardStateError
from payout.http.accounts import AccountsController
from payout.http.reports import ReportsController
from payout.http.runs import RunsController

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PUBLIC = ["^/docs", "^/health$", "^/ready$", "^/metrics"]


@get("/health", summary="Liveness", tags=["health"], sync_to_thread=False)
def health() -> dict[str, str]:
    """The API answers."""
    return {"status": "ok"}


def create_app(payout: Payout) -> Litestar:
    """Build the API around a configured payout."""
    openapi = openapi_config(
        "payout",
        (
            "Rewards, the double-entry ledger, monthly payout runs with 全銀 総合振込 files, "
            "requester invoices and reconciliation. Every call needs "
            "`Authorization: Bearer <jwt>` (role accountant; auditors read)."
        ),
    )
    problems: dict[type[Exception], Callable[[Exception], ProblemDetailsException]] = {
        NotFoundError: problem(404, "Not found"),
        InvalidRequestError: problem(422, "Not possible"),
        RewardStateError: problem(409, "Not possible in this state"),
        ErasedError: problem(410, "This person's data was erased"),
        IntegrityError: problem(409, "Changed meanwhile; try again"),
        PayoutError: problem(409, "Conflict"),
    }
    config: Any = ProblemDetailsConfig(
        enable_for_all_http_exceptions=True, exception_to_problem_detail_map=problems
    )
    books = payout.app.books
    metrics, observed = observability(
        "payout",
        payout.app,
        payout.settings.backbone,
        {
            "conbini_payable_yen": (
                "Yen owed to workers, not yet paid",
                lambda: sum(max(0, r.outstanding) for r in list(books.rewards.values())),
            )
        },
    )
    return Litestar(
        route_handlers=[*observed, health, AccountsController, RunsController, ReportsController],
        dependencies={"payout": Provide(lambda: payout, sync_to_thread=False)},
        middleware=[
            tracing_middleware,
            metrics.middleware,
            DefineMiddleware(bearer_middleware(payout.verifier), exclude=PUBLIC),
            DefineMiddleware(BodyLimitMiddleware, limits=payout.settings.body_limits),
            DefineMiddleware(
                IdempotencyMiddleware,
                keys=idempotency_store_for("payout", payout.settings.backbone.store),
            ),
        ],
        exception_handlers=unavailable_handlers(),
        plugins=[ProblemDetailsPlugin(config)],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        openapi_config=openapi,
        request_max_body_size=payout.settings.body_limits.body,
    )
