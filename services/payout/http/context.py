"""Per-request helpers shared by payout's controllers."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.di import NamedDependency

from backbone.auth import Principal
from backbone.flow import Flow, within_flow
from backbone.tracing import new_correlation
from payout.bootstrap import Payout
from payout.domain.values import TOKYO

AnyRequest = Request[Any, Any, Any]
PayoutDep = NamedDependency[Payout]
"""The configured payout, provided by the app."""


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
    try:
        correlation = UUID(request.headers.get("x-correlation-id", ""))
    except ValueError:
        correlation = new_correlation()
    with within_flow(Flow(tenant=principal.tenant, correlation_id=correlation)):
        yield principal


def today(payout: Payout) -> date:
    """Today in Asia/Tokyo."""
    return payout.clock.now().astimezone(TOKYO).date()
