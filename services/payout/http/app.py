"""Payout's Litestar application: accountant's API, invoices, reconciliation, /docs."""

from pathlib import Path

from litestar import Litestar, get
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from backbone.api_docs import to_docs
from backbone.auth import bearer_middleware
from backbone.idempotency import IdempotencyMiddleware, idempotency_store_for
from backbone.observability import observability
from backbone.problems.openapi import Edge, document_problems
from backbone.tracing import tracing_middleware
from backbone.web import BodyLimitMiddleware, openapi_config, unavailable_handlers
from payout.bootstrap import Payout
from payout.http.accounts import AccountsController
from payout.http.problems import PROBLEMS
from payout.http.reports import ReportsController
from payout.http.runs import RunsController

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PUBLIC = ["^/docs", "^/health$", "^/ready$", "^/metrics", "^/problems"]


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
    app = Litestar(
        route_handlers=[
            *observed,
            health,
            to_docs,
            *PROBLEMS.pages(),
            AccountsController,
            RunsController,
            ReportsController,
        ],
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
        exception_handlers={**PROBLEMS.handlers(), **unavailable_handlers()},
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        openapi_config=openapi,
        request_max_body_size=payout.settings.body_limits.body,
    )
    document_problems(app, PROBLEMS, Edge(public=PUBLIC))
    return app
