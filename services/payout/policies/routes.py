"""Everything payout reacts to, in one table."""

from collections.abc import Mapping

from backbone.stores import Policy
from contracts.base import IntegrationEvent
from contracts.broker import (
    DisputeResolved,
    TaskCancelled,
    WorkCompleted,
    WorkDisputed,
    WorkerErased,
    WorkerRegistered,
)
from payout.policies.when_task_cancelled_compensate import when_task_cancelled_compensate
from payout.policies.when_work_completed_accrue_reward import when_work_completed_accrue_reward
from payout.policies.when_work_disputed_hold_or_settle import (
    when_dispute_resolved_settle,
    when_work_disputed_hold,
)
from payout.policies.when_worker_registered_or_erased import (
    when_worker_erased_destroy_bank_key,
    when_worker_registered_add_payee,
)

ROUTES: Mapping[type[IntegrationEvent], Policy] = {
    WorkCompleted: when_work_completed_accrue_reward,
    TaskCancelled: when_task_cancelled_compensate,
    WorkDisputed: when_work_disputed_hold,
    DisputeResolved: when_dispute_resolved_settle,
    WorkerRegistered: when_worker_registered_add_payee,
    WorkerErased: when_worker_erased_destroy_bank_key,
}
