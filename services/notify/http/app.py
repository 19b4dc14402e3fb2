"""Notify's Litestar application: the worker page, coordinators' API, LINE webhook, /docs."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from litestar.types import ExceptionHandlersMap

from backbone.auth import bearer_middleware
from backbone.clientaddr import networks_of, rate_limit_identifier
from backbone.idempotency import IdempotencyMiddleware, idempotency_store_for
from backbone.observability import observability
from backbone.problems.openapi import Edge, document_problems
from backbone.tracing import tracing_middleware
from backbone.web import BodyLimitMiddleware, openapi_config, unavailable_handlers
from notify.bootstrap import Notify
from notify.domain.errors import JobStateError
from notify.http.coordinators import CoordinatorController
from notify.http.home import home
from notify.http.line_webhook import LineWebhookController
from notify.http.live import LiveHub
from notify.http.pages import WorkerPageController
from notify.http.problems import PROBLEMS
from notify.http.words import WORDS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NOT_RATE_LIMITED = (
    "^/health",
    "^/ready",
    "^/metrics",
    "^/docs",
    "^/call-list",
    "^/offers/",
    "^/workers/",
)
"""The coordinators' API and operations endpoints: callers there hold a token."""
PUBLIC = ["^/docs", "^/health$", "^/ready$", "^/metrics", "^/w/", "^/line/", "^/problems"]
PAGES = "/w/"
"""Where a domain error is a kind page for the worker, not problem details."""


def on_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A kind HTML page on the worker page; RFC 9457 problem details everywhere else."""
    if not request.url.path.startswith(PAGES):
        return PROBLEMS.respond(request, error)
    status = PROBLEMS.problem_of(request, error).kind.status
    lang = "en" if request.query_params.get("lang") == "en" else "ja"
    words = WORDS[lang]
    message = words["bad_link"] if status == 403 else words["not_found"]  # noqa: PLR2004
    if isinstance(error, JobStateError):
        message = words["cancelled"] if "cancelled" in str(error) else words["not_found"]
    return Template(
        "message.html.j2",
        context={"lang": lang, "w": words, "base": "", "message": message},
        status_code=status,
    )


@get("/health", summary="Liveness", tags=["health"], sync_to_thread=False)
def health() -> dict[str, str]:
    """The API answers."""
    return {"status": "ok"}


def create_app(notify: Notify) -> Litestar:
    """Build the API around a configured notify."""
    hub = LiveHub(notify.app)

    @asynccontextmanager
    async def following(_: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(hub.follow(notify.settings.board_poll.total_seconds(), stop))
        try:
            yield
        finally:
            stop.set()
            await task

    openapi = openapi_config(
        "notify",
        (
            "Reaches workers (web inbox, email, LINE, SMS, the coordinator's call list) and "
            "takes their answers exactly once. Worker pages are opened with signed links; "
            "the coordinators' API needs `Authorization: Bearer <jwt>`."
        ),
    )
    handlers: ExceptionHandlersMap = {
        **PROBLEMS.handlers(),
        **dict.fromkeys(PROBLEMS.errors, on_error),
    }
    board = notify.app.board
    metrics, observed = observability(
        "notify",
        notify.app,
        notify.settings.backbone,
        {
            "conbini_open_offers": (
                "Offers waiting for an answer",
                lambda: len(board.open_offers()),
            ),
            "conbini_call_list": (
                "Open offers a coordinator should phone about",
                lambda: sum(1 for c in board.open_offers() if c.on_call_list),
            ),
        },
    )
    app = Litestar(
        route_handlers=[
            *observed,
            health,
            home,
            *PROBLEMS.pages(),
            WorkerPageController,
            CoordinatorController,
            LineWebhookController,
        ],
        dependencies={
            "notify": Provide(lambda: notify, sync_to_thread=False),
            "hub": Provide(lambda: hub, sync_to_thread=False),
        },
        middleware=[
            tracing_middleware,
            metrics.middleware,
            RateLimitConfig(
                rate_limit=("minute", notify.settings.page_rate_per_minute),
                exclude=list(NOT_RATE_LIMITED),  # limited: worker pages, the LINE webhook
                identifier_for_request=rate_limit_identifier(
                    networks_of(notify.settings.trusted_proxies)
                ),
            ).middleware,
            DefineMiddleware(bearer_middleware(notify.verifier), exclude=PUBLIC),
            DefineMiddleware(BodyLimitMiddleware, limits=notify.settings.body_limits),
            DefineMiddleware(
                IdempotencyMiddleware,
                keys=idempotency_store_for("notify", notify.settings.backbone.store),
            ),
        ],
        exception_handlers={**handlers, **unavailable_handlers()},
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        openapi_config=openapi,
        lifespan=[following],
        request_max_body_size=notify.settings.body_limits.body,
    )
    edge = Edge(public=PUBLIC, not_rate_limited=NOT_RATE_LIMITED, pages=(PAGES,))
    document_problems(app, PROBLEMS, edge)
    return app
