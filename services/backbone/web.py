"""What every service's HTTP edge shares: the caller, the request's flow, problems, /docs."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp, ExceptionHandlersMap, Receive, ReceiveMessage, Scope, Send

from backbone.api_docs import OfflineSwaggerUI
from backbone.auth import Principal
from backbone.errors import TRANSIENT
from backbone.flow import Flow, within_flow
from backbone.problems.handlers import problem_response
from backbone.problems.kinds import BODY_TOO_LARGE, UNAVAILABLE, Problem, Words
from backbone.tracing import new_correlation

AnyRequest = Request[Any, Any, Any]
RETRY_AFTER_S = 2
log = logging.getLogger(__name__)
UPLOAD = "upload"
"""A route handler's `opt` key: this route takes a file, up to the larger upload limit."""


def caller(request: AnyRequest) -> Principal:
    """The authenticated caller (the middleware guarantees one)."""
    principal = request.user
    if not isinstance(principal, Principal):  # pragma: no cover - auth middleware runs first
        msg = "no authenticated caller"
        raise TypeError(msg)
    return principal


@contextmanager
def flow_of(request: AnyRequest) -> Iterator[Principal]:
    """Run a command inside the flow this request starts (or continues).

    The flow's correlation is the caller's `x-correlation-id`, else the request's trace id.
    """
    principal = caller(request)
    try:
        correlation = UUID(request.headers.get("x-correlation-id", ""))
    except ValueError:
        correlation = new_correlation()
    with within_flow(Flow(tenant=principal.tenant, correlation_id=correlation)):
        yield principal


def openapi_config(service: str, description: str) -> OpenAPIConfig:
    """The service's OpenAPI document and UI at /docs, with bearer-token security."""
    return OpenAPIConfig(
        title=f"shigoto-conbini {service}",
        version="1.0.0",
        description=description,
        path="/docs",
        render_plugins=[OfflineSwaggerUI("/docs")],  # served here: /docs works offline
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{"BearerToken": []}],
    )


@dataclass(frozen=True, kw_only=True)
class BodyLimits:
    """How many bytes a request body may have (`CONBINI_MAX_BODY_BYTES`, `…_UPLOAD_BYTES`)."""

    body: int = 1024 * 1024
    """Every JSON call."""
    upload: int = 8 * 1024 * 1024
    """Routes whose handler has `opt={UPLOAD: True}` (the bank's result file)."""


def too_large(limit: int) -> Problem:
    """The 413 problem for a body over `limit` bytes."""
    return Problem(
        BODY_TOO_LARGE,
        Words(
            f"おくる データが 大きすぎます（{limit:,} バイト まで）。",
            f"The request body is larger than the {limit:,} bytes this service accepts.",
        ),
        extensions={"max_bytes": limit},
    )


class BodyLimitMiddleware:
    """Refuse bodies over the route's limit with a 413 problem, before anything reads them.

    A `Content-Length` over the limit is refused before a byte is read; a body without one
    (chunked) or longer than it claims is counted as it arrives and refused at the first
    byte over. It sits before every middleware that reads the body (idempotency), so
    nothing is kept, claimed or stored for a refused request.
    """

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        """Wrap `app`."""
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count what arrives."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        upload = bool(scope["route_handler"].opt.get(UPLOAD))
        limit = self.limits.upload if upload else self.limits.body
        for name, value in scope.get("headers", []):
            declared = value.strip()
            if name.lower() == b"content-length" and declared.isdigit() and int(declared) > limit:
                raise too_large(limit)
        received = 0

        async def counted() -> ReceiveMessage:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, counted, send)


def store_unavailable(request: AnyRequest, error: Exception) -> Response[Any]:
    """503 problem details for an outage of the store or the bus: try again, nothing was lost.

    Registered for every transient failure (`backbone.errors.TRANSIENT`) by each service's
    app, so a restarting database is an honest "come back shortly", never a 500.
    """
    log.warning("%s %s: unavailable (%s)", request.method, request.url.path, error)
    return problem_response(
        request, Problem(UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)})
    )


def unavailable_handlers() -> ExceptionHandlersMap:
    """The exception handlers mapping every transient failure to `store_unavailable`."""
    return {kind: store_unavailable for kind in TRANSIENT if issubclass(kind, Exception)}
