"""Per-request helpers shared by notify's controllers."""

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from backbone.auth import Principal
from notify.bootstrap import Notify
from notify.http.live import LiveHub

AnyRequest = Request[Any, Any, Any]
NotifyDep = NamedDependency[Notify]
"""The configured notify, provided by the app."""
HubDep = NamedDependency[LiveHub]
"""The live-update hub of this API process."""


def caller(request: AnyRequest) -> Principal:
    """The authenticated caller (the middleware guarantees one)."""
    principal = request.user
    if not isinstance(principal, Principal):  # pragma: no cover - auth middleware runs first
        msg = "no authenticated caller"
        raise TypeError(msg)
    return principal
