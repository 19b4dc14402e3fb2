"""TaskAccepted carries the task's title, place, times and pay, so a direct assignment (no
offer the worker answered) can be shown; older Accepted events still translate."""

from datetime import timedelta

from backbone.flow import envelope_of
from broker.application import BrokerApplication
from broker.commands.assign_task import AssignTask, assign_task
from broker.domain.task import Task
from broker.messaging.translate import to_contract
from contracts import broker as c
from contracts.values import RewardKind
from tests.unit.broker.test_flow import (
    COORDINATOR,
    NOW,
    TENANT,
    a_carved_task,
    a_worker,
    answer,
    at_jst,
    broker,  # noqa: F401 - the fixture
    react,
    stored_events,
)


def accepted_contracts(app: BrokerApplication) -> list[c.TaskAccepted]:
    found = [to_contract(e, envelope_of(e, default_tenant=TENANT)) for e in stored_events(app)]
    return [f for f in found if isinstance(f, c.TaskAccepted)]


def test_a_direct_assignment_publishes_the_tasks_title_place_times_and_pay(
    broker: BrokerApplication,  # noqa: F811 - the fixture
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)

    assign_task(
        broker,
        task.id,
        AssignTask(worker_id=worker),
        tenant=TENANT,
        coordinator_id=COORDINATOR,
        now=NOW,
    )

    [accepted] = accepted_contracts(broker)
    assert accepted.offer_id == task.id  # no offer: the task's id stands in
    assert accepted.worker_id == worker
    assert accepted.title == "栗の収穫"
    assert accepted.district == "ofuku"
    assert accepted.district_name == "於福町"
    assert not accepted.home_based
    assert accepted.starts_at == at_jst("2026-10-20 09:00")
    assert accepted.ends_at == at_jst("2026-10-20 12:00")
    assert accepted.reward_kind is RewardKind.HOURLY
    assert accepted.reward_yen == 1050
    assert accepted.transport_allowance_yen == 300


def test_an_accepted_offer_publishes_the_same_terms(
    broker: BrokerApplication,  # noqa: F811 - the fixture
) -> None:
    for _ in range(2):
        a_worker(broker)
    task = a_carved_task(broker)
    taker = next(iter(task.offers.values())).worker_id

    react(broker, answer(task, taker, accept=True))

    [accepted] = accepted_contracts(broker)
    assert accepted.offer_id in task.offers
    assert accepted.title == "栗の収穫"
    assert accepted.ends_at == accepted.starts_at + timedelta(hours=3)


def test_an_accepted_event_stored_before_the_terms_were_kept_still_translates(
    broker: BrokerApplication,  # noqa: F811 - the fixture
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    assign_task(
        broker,
        task.id,
        AssignTask(worker_id=worker),
        tenant=TENANT,
        coordinator_id=COORDINATOR,
        now=NOW,
    )
    [old] = [e for e in stored_events(broker) if isinstance(e, Task.Accepted)]
    del old.__dict__["shown"]  # as a row written before `shown` existed decodes

    contract = to_contract(old, envelope_of(old, default_tenant=TENANT))

    assert isinstance(contract, c.TaskAccepted)
    assert contract.title == ""
    assert contract.ends_at is None
    assert contract.reward_kind is None
