"""Everything notify reacts to, in one table."""

from collections.abc import Mapping

from backbone.stores import Policy
from contracts.base import IntegrationEvent
from contracts.broker import (
    DisputeResolved,
    NoShowRecorded,
    OfferExpired,
    OfferWithdrawn,
    TaskAccepted,
    TaskAssignmentRefused,
    TaskCancelled,
    TaskOffered,
    WorkCompleted,
    WorkDisputed,
    WorkerErased,
    WorkerRegistered,
    WorkStarted,
)
from notify.policies.when_dispute_resolved_settle_job_pay import (
    when_dispute_resolved_settle_job_pay,
)
from notify.policies.when_no_show_recorded_end_job import when_no_show_recorded_end_job
from notify.policies.when_offer_ends_close_it import (
    when_assignment_refused_close_it,
    when_offer_expired_close_it,
    when_offer_withdrawn_close_it,
)
from notify.policies.when_task_accepted_add_job import when_task_accepted_add_job
from notify.policies.when_task_cancelled_cancel_job import when_task_cancelled_cancel_job
from notify.policies.when_task_offered_open_offer import when_task_offered_open_offer
from notify.policies.when_work_completed_finish_job import when_work_completed_finish_job
from notify.policies.when_work_disputed_hold_job_pay import when_work_disputed_hold_job_pay
from notify.policies.when_work_started_mark_job_started import (
    when_work_started_mark_job_started,
)
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
    WorkStarted: when_work_started_mark_job_started,
    WorkCompleted: when_work_completed_finish_job,
    NoShowRecorded: when_no_show_recorded_end_job,
    WorkDisputed: when_work_disputed_hold_job_pay,
    DisputeResolved: when_dispute_resolved_settle_job_pay,
    WorkerRegistered: when_worker_registered_add_recipient,
    WorkerErased: when_worker_erased_stop_reaching,
}
