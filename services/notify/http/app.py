"""Notify's Litestar application: the worker page, coordinators' API, LINE webhook, /docs."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError
from litestar import Litestar, Request, Response, get
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.response import Template
from litestar.template.config import TemplateConfig

from backbone.auth import bearer_middleware
from backbone.clientaddr import networks_of, rate_limit_identifier
from backbone.idempotency import IdempotencyMiddleware, idempotency_store_for
from backbone.observability import observability
from backbone.tracing import tracing_middleware
from backbone.web import BodyLimitMiddleware, openapi_config, unavailable_handlers
from notify.bootstrap import Notify
from notify.commands.record_phone_answer import FutureAnswerError
from notify.domain.errors import JobStateError, NotFoundError, NotifyError
from notify.http.coordinators import CoordinatorController
from notify.http.line_webhook import LineWebhookController
from notify.http.live import LiveHub
from notify.http.pages import LinkRefusedError, WorkerPageController
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
PUBLIC = ["^/docs", "^/health$", "^/ready$", "^/metrics", "^/w/", "^/line/"]
STATUS: dict[type[Exception], tuple[int, str]] = {
    LinkRefusedError: (403, "This link cannot be used"),
    NotFoundError: (404, "Not found"),
    JobStateError: (409, "Not possible in this state"),
    FutureAnswerError: (422, "Impossible answer"),
    IntegrityError: (409, "Changed meanwhile; try again"),
    NotifyError: (409, "Conflict"),
}


def status_of(error: Exception) -> tuple[int, str]:
    """The HTTP status and title for a notify error."""
    for kind, found in STATUS.items():
        if isinstance(error, kind):
            return found
    return 409, "Conflict"


def on_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A kind HTML page on the worker page; RFC 9457 problem details everywhere else."""
    status, title = status_of(error)
    if request.url.path.startswith("/w/"):
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
    return Response(
        content={"type": "about:blank", "title": title, "status": status, "detail": str(error)},
        status_code=status,
        media_type="application/problem+json",
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
    handlers: dict[int | type[Exception], Callable[[Request[Any, Any, Any], Any], Response[Any]]]
    handlers = dict.fromkeys(STATUS, on_error)
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
    return Litestar(
        route_handlers=[
            *observed,
            health,
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
        plugins=[ProblemDetailsPlugin(ProblemDetailsConfig(enable_for_all_http_exceptions=True))],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        openapi_config=openapi,
        lifespan=[following],
        request_max_body_size=notify.settings.body_limits.body,
    )
