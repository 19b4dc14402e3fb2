"""Per-request helpers shared by notify's controllers."""

from litestar.di import NamedDependency

from backbone.web import AnyRequest, caller
from notify.bootstrap import Notify
from notify.http.live import LiveHub

NotifyDep = NamedDependency[Notify]
"""The configured notify, provided by the app."""
HubDep = NamedDependency[LiveHub]
"""The live-update hub of this API process."""

__all__ = ["AnyRequest", "HubDep", "NotifyDep", "caller"]
