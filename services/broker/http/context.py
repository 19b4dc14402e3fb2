"""Per-request helpers: the caller, the flow their command starts, and ownership."""

from uuid import UUID

from litestar.di import NamedDependency

from backbone.auth import Principal, Role
from backbone.web import AnyRequest, caller, flow_of
from broker.bootstrap import Broker

BrokerDep = NamedDependency[Broker]
"""The configured broker, provided by the app."""


def own_requests_only(principal: Principal) -> UUID | None:
    """A requester sees only its own requests; other roles see the tenant's."""
    return principal.subject if principal.role is Role.REQUESTER else None


__all__ = ["AnyRequest", "BrokerDep", "caller", "flow_of", "own_requests_only"]
