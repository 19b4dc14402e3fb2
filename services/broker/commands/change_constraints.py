"""A coordinator changes a worker's hard constraints (new hours, days off, travel, caps …)."""

from uuid import UUID

from broker.application import BrokerApplication
from broker.commands.register_worker import ConstraintsBody
from broker.districts import council_districts
from broker.domain.errors import DistrictUnknownError, InvalidRequestError


def change_constraints(
    app: BrokerApplication, worker_id: UUID, constraints: ConstraintsBody, *, tenant: str
) -> None:
    """Record the new constraints; offers made from now on respect them.

    Checked as at registration: the home district is one of the council's and every window
    ends after it starts. Offers already made stand.

    Raises:
        WorkerNotFoundError: unknown worker.
        WorkerErasedError: the worker was erased.
        DistrictUnknownError: the home district is not one of the council's.
        InvalidRequestError: a constraint is impossible.
    """
    districts = council_districts(app.places)
    home = constraints.home_district
    if home is not None and home not in districts:
        raise DistrictUnknownError(home, districts)
    try:
        changed = constraints.to_domain()
    except ValueError as error:
        raise InvalidRequestError(str(error)) from error
    worker = app.worker(worker_id, tenant)
    worker.change_constraints(changed)
    app.save(worker)
