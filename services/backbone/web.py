"""What every service's HTTP edge shares: the caller, the request's flow, problems, /docs."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsException

from backbone.auth import Principal
from backbone.flow import Flow, within_flow
from backbone.tracing import new_correlation

AnyRequest = Request[Any, Any, Any]


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


def problem(status: int, title: str) -> Callable[[Exception], ProblemDetailsException]:
    """Map a domain error to an RFC 9457 problem with this status."""

    def convert(error: Exception) -> ProblemDetailsException:
        return ProblemDetailsException(status_code=status, title=title, detail=str(error))

    return convert


def openapi_config(service: str, description: str) -> OpenAPIConfig:
    """The service's OpenAPI document and UI at /docs, with bearer-token security."""
    return OpenAPIConfig(
        title=f"shigoto-conbini {service}",
        version="1.0.0",
        description=description,
        path="/docs",
        render_plugins=[ScalarRenderPlugin(path="/"), SwaggerRenderPlugin(path="/swagger")],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{"BearerToken": []}],
    )
