"""Per-request helpers shared by payout's controllers."""

from datetime import date

from litestar.di import NamedDependency

from backbone.web import AnyRequest, caller, flow_of
from payout.bootstrap import Payout
from payout.domain.values import TOKYO

PayoutDep = NamedDependency[Payout]
"""The configured payout, provided by the app."""


def today(payout: Payout) -> date:
    """Today in Asia/Tokyo."""
    return payout.clock.now().astimezone(TOKYO).date()


__all__ = ["AnyRequest", "PayoutDep", "caller", "flow_of", "today"]
