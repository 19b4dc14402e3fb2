"""The broker's Litestar application: routes, auth, problem details, OpenAPI at /docs."""

from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError
from litestar import Litestar, get
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from backbone.auth import bearer_middleware
from backbone.idempotency import IdempotencyMiddleware, idempotency_store_for
from backbone.observability import observability
from backbone.personal import ErasedError
from backbone.tracing import tracing_middleware
from backbone.web import BodyLimitMiddleware, openapi_config, unavailable_handlers
from broker.bootstrap import Broker
from broker.domain.errors import (
    BrokerError,
    ConstraintBrokenError,
    InvalidRequestError,
    NotFoundError,
    TaskStateError,
    WorkerErasedError,
)
from broker.http.job_requests import JobRequestsController
from broker.http.tasks import CompletionsController, TasksController
from broker.http.workers import WorkersController

PUBLIC = ["^/docs", "^/health$", "^/ready$", "^/metrics"]


def problem(status: int, title: str) -> Callable[[Exception], ProblemDetailsException]:
    """Map a domain error to an RFC 9457 problem with this status."""

    def convert(error: Exception) -> ProblemDetailsException:
        extra: dict[str, Any] | None = None
        if isinstance(error, ConstraintBrokenError):
            extra = {"broken": error.broken}
        return ProblemDetailsException(
            status_code=status, title=title, detail=str(error), extra=extra
        )

    return convert


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
    problems = ProblemDetailsConfig(
        enable_for_all_http_exceptions=True,
        exception_to_problem_detail_map={
            NotFoundError: problem(404, "Not found"),
            WorkerErasedError: problem(410, "This person's data was erased"),
            ErasedError: problem(410, "This person's data was erased"),
            TaskStateError: problem(409, "Not possible in this state"),
            ConstraintBrokenError: problem(422, "A worker's constraint would break"),
            InvalidRequestError: problem(422, "Impossible request"),
            BrokerError: problem(409, "Conflict"),
            IntegrityError: problem(409, "Changed meanwhile; try again"),
        },
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
    return Litestar(
        route_handlers=[
            *observed,
            health,
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
        exception_handlers=unavailable_handlers(),
        plugins=[ProblemDetailsPlugin(problems)],
        openapi_config=openapi,
        request_max_body_size=broker.settings.body_limits.body,
    )
