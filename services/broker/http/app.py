"""The broker's Litestar application: routes, auth, problem details, OpenAPI at /docs."""

from litestar import Litestar, get
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware

from backbone.api_docs import to_docs
from backbone.auth import bearer_middleware
from backbone.idempotency import IdempotencyMiddleware, idempotency_store_for
from backbone.observability import observability
from backbone.problems.openapi import Edge, document_problems
from backbone.tracing import tracing_middleware
from backbone.web import BodyLimitMiddleware, openapi_config, unavailable_handlers
from broker.bootstrap import Broker
from broker.http.job_requests import JobRequestsController
from broker.http.problems import PROBLEMS
from broker.http.tasks import CompletionsController, TasksController
from broker.http.workers import WorkersController

PUBLIC = ["^/docs", "^/health$", "^/ready$", "^/metrics", "^/problems"]


@get("/health", summary="Liveness", tags=["health"], sync_to_thread=False)
def health() -> dict[str, str]:
    """The API answers."""
    return {"status": "ok"}


def create_app(broker: Broker) -> Litestar:
    """Build the API around a configured broker."""
    openapi = openapi_config(
        "broker",
        (
            "Job requests (業務依頼), carving (業務切り出し), the worker registry and "
            "completion (検収). Every call needs `Authorization: Bearer <jwt>` with `tenant` "
            "and `role` claims (`conbini token` issues one for development)."
        ),
    )
    metrics, observed = observability(
        "broker",
        broker.app,
        broker.settings.backbone,
        {
            "conbini_open_offers": (
                "Offers waiting for an answer",
                broker.app.registry.open_offer_count,
            )
        },
    )
    app = Litestar(
        route_handlers=[
            *observed,
            health,
            to_docs,
            *PROBLEMS.pages(),
            JobRequestsController,
            TasksController,
            CompletionsController,
            WorkersController,
        ],
        dependencies={"broker": Provide(lambda: broker, sync_to_thread=False)},
        middleware=[
            tracing_middleware,
            metrics.middleware,
            DefineMiddleware(bearer_middleware(broker.verifier), exclude=PUBLIC),
            DefineMiddleware(BodyLimitMiddleware, limits=broker.settings.body_limits),
            DefineMiddleware(
                IdempotencyMiddleware,
                keys=idempotency_store_for("broker", broker.settings.backbone.store),
            ),
        ],
        exception_handlers={**PROBLEMS.handlers(), **unavailable_handlers()},
        openapi_config=openapi,
        request_max_body_size=broker.settings.body_limits.body,
    )
    document_problems(app, PROBLEMS, Edge(public=PUBLIC))
    return app
