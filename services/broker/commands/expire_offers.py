"""Close offers nobody answered in time and offer their tasks to the next workers."""

from datetime import datetime

from backbone.flow import Flow, within_flow
from broker.application import BrokerApplication
from broker.domain.task import Task


def expire_offers(app: BrokerApplication, *, now: datetime) -> int:
    """Expire every overdue offer; return how many were closed."""
    app.registry.catch_up(app)
    closed = 0
    for task_id in app.registry.expired_offers(now):
        task: Task = app.repository.get(task_id)
        # no request started this: the task's own life is the flow
        with within_flow(Flow(tenant=task.tenant, correlation_id=task.id)):
            closed += task.expire_offers(now)
            app.offer_next(task, now=now)
            app.save(task)
    return closed
