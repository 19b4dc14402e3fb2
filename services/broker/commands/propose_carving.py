"""A coordinator asks how a job request could be carved, before confirming any task."""

from datetime import datetime
from uuid import UUID

from broker.application import BrokerApplication
from broker.domain.carving import Proposal, propose_carving
from broker.domain.values import TOKYO


def proposal_for(
    app: BrokerApplication, job_request_id: UUID, *, tenant: str, now: datetime
) -> Proposal:
    """Shifts covering as much of the request as two-deep availability allows.

    Raises:
        JobRequestNotFoundError: no such request for this tenant.
    """
    job = app.job_request(job_request_id, tenant)
    app.registry.catch_up(app)
    return propose_carving(
        job.terms,
        list(app.registry.candidates(tenant, now)),
        is_holiday=app.is_holiday,
        places=app.places,
        today=now.astimezone(TOKYO).date(),
    )
