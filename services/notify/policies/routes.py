"""Everything notify reacts to, in one table."""

from collections.abc import Mapping

from backbone.stores import Policy
from contracts.base import IntegrationEvent
from contracts.broker import (
    OfferExpired,
    OfferWithdrawn,
    TaskAccepted,
    TaskAssignmentRefused,
    TaskCancelled,
    TaskOffered,
    WorkerErased,
    WorkerRegistered,
)
from notify.policies.when_offer_ends_close_it import (
    when_assignment_refused_close_it,
    when_offer_expired_close_it,
    when_offer_withdrawn_close_it,
    when_task_accepted_add_job,
)
from notify.policies.when_task_cancelled_cancel_job import when_task_cancelled_cancel_job
from notify.policies.when_task_offered_open_offer import when_task_offered_open_offer
from notify.policies.when_worker_registered_or_erased import (
    when_worker_erased_stop_reaching,
    when_worker_registered_add_recipient,
)

ROUTES: Mapping[type[IntegrationEvent], Policy] = {
    TaskOffered: when_task_offered_open_offer,
    OfferWithdrawn: when_offer_withdrawn_close_it,
    OfferExpired: when_offer_expired_close_it,
    TaskAssignmentRefused: when_assignment_refused_close_it,
    TaskAccepted: when_task_accepted_add_job,
    TaskCancelled: when_task_cancelled_cancel_job,
    WorkerRegistered: when_worker_registered_add_recipient,
    WorkerErased: when_worker_erased_stop_reaching,
}
