"""Everything the broker reacts to, in one table."""

from collections.abc import Mapping

from backbone.stores import Policy
from broker.policies.when_offer_accepted_assign_task import when_offer_accepted_assign_task
from broker.policies.when_offer_declined_offer_next import when_offer_declined_offer_next
from broker.policies.when_worker_checked_in_start_work import when_worker_checked_in_start_work
from broker.policies.when_worker_checked_out_record_report import (
    when_worker_checked_out_record_report,
)
from contracts.base import IntegrationEvent
from contracts.notify import OfferAccepted, OfferDeclined, WorkerCheckedIn, WorkerCheckedOut

ROUTES: Mapping[type[IntegrationEvent], Policy] = {
    OfferAccepted: when_offer_accepted_assign_task,
    OfferDeclined: when_offer_declined_offer_next,
    WorkerCheckedIn: when_worker_checked_in_start_work,
    WorkerCheckedOut: when_worker_checked_out_record_report,
}
