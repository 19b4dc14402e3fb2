"""Per-request helpers: the caller, the flow their command starts, and ownership."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.di import NamedDependency

from backbone.auth import Principal, Role
from backbone.flow import Flow, within_flow
from backbone.tracing import new_correlation
from broker.bootstrap import Broker

AnyRequest = Request[Any, Any, Any]
BrokerDep = NamedDependency[Broker]
"""The configured broker, provided by the app."""


def caller(request: AnyRequest) -> Principal:
    """The authenticated caller (the middleware guarantees one)."""
    principal = request.user
    if not isinstance(principal, Principal):  # pragma: no cover - auth middleware runs first
        msg = "no authenticated caller"
        raise TypeError(msg)
    return principal


@contextmanager
def flow_of(request: AnyRequest) -> Iterator[Principal]:
    """Run a command inside the flow this request starts (or continues)."""
    principal = caller(request)
    header = request.headers.get("x-correlation-id", "")
    try:
        correlation = UUID(header)
    except ValueError:
        correlation = new_correlation()
    with within_flow(Flow(tenant=principal.tenant, correlation_id=correlation)):
        yield principal


def own_requests_only(principal: Principal) -> UUID | None:
    """A requester sees only its own requests; other roles see the tenant's."""
    return principal.subject if principal.role is Role.REQUESTER else None
