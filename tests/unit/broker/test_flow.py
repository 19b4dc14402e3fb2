"""The broker's commands and policies on an in-memory store: request → offers → work done."""

import sys
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking

from backbone.flow import envelope_of
from backbone.runtime import open_store
from backbone.stores import StoreSettings
from broker.application import BrokerApplication
from broker.commands.approve_excess_minutes import ApproveExcessMinutes, approve_excess_minutes
from broker.commands.assign_task import AssignTask, assign_task
from broker.commands.cancel_task import CancelTask, cancel_task
from broker.commands.carve_task import CarveTask, carve_task
from broker.commands.complete_work import CompleteWork, Completion, complete_work
from broker.commands.dispute_work import DisputeWork, dispute_work
from broker.commands.expire_offers import expire_offers
from broker.commands.record_no_show import record_no_show
from broker.commands.register_worker import ConstraintsBody, RegisterWorker, Window, register_worker
from broker.commands.resolve_dispute import ResolveDispute, resolve_dispute
from broker.commands.start_work import StartWork, start_work
from broker.commands.submit_job_request import SubmitJobRequest, submit_job_request
from broker.domain.constraints import Places
from broker.domain.errors import (
    CheckInOutsideWindowError,
    ConfirmationTooEarlyError,
    ConstraintBrokenError,
    DistrictUnknownError,
    InvalidRequestError,
    TaskNotFoundError,
    TaskStateError,
    WorkedMinutesOverLimitError,
)
from broker.domain.task import Task, TaskStatus
from broker.domain.values import TOKYO, PhysicalLoad, RewardKind, Sector, Travel
from broker.messaging.translate import to_contract
from broker.policies.routes import ROUTES
from broker.timeline import timeline
from contracts import broker as c
from contracts.notify import OfferAccepted, OfferDeclined, WorkerCheckedIn, WorkerCheckedOut
from contracts.values import Channel
from tests.support.people import personal_details

TENANT = "mine-wakuwaku"
NOW = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)
REQUESTER = UUID(int=7)
COORDINATOR = UUID(int=8)
PLACES = Places(car_minutes={frozenset(("ofuku", "omine")): 15})


@pytest.fixture
def broker() -> BrokerApplication:
    app = open_store("broker", BrokerApplication, StoreSettings(), ROUTES)
    app.places = PLACES
    return app


def at_jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def a_request(**overrides: object) -> SubmitJobRequest:
    fields: dict[str, object] = {
        "title": "栗の収穫",
        "work_type": "harvest",
        "sector": Sector.AGRICULTURE_FORESTRY,
        "district": "ofuku",
        "starts_on": at_jst("2026-10-19 00:00").date(),
        "ends_on": at_jst("2026-10-23 00:00").date(),
        "window_start": 8 * 60,
        "window_end": 16 * 60,
        "volume_minutes": 1800,
        "reward_kind": RewardKind.HOURLY,
        "reward_yen": 1050,
        "transport_allowance_yen": 300,
        "load": PhysicalLoad.LIGHT,
    }
    return SubmitJobRequest(**(fields | overrides))  # type: ignore[arg-type]


def a_worker(broker: BrokerApplication, **overrides: object) -> UUID:
    constraints = ConstraintsBody(
        weekly={day: [Window(8 * 60, 13 * 60)] for day in range(5)},
        home_district="ofuku",
        travel=Travel.BICYCLE,
        max_travel_minutes=45,
    )
    fields: dict[str, object] = {
        "personal": personal_details(birth_date="1952-05-01"),
        "sex": "female",
        "district": "ofuku",
        "skills": ["harvest"],
        "preferred_work_types": ["harvest"],
        "constraints": constraints,
    }
    return register_worker(
        broker,
        RegisterWorker(**(fields | overrides)),  # type: ignore[arg-type]
        tenant=TENANT,
        today=date(2026, 10, 1),
    )


def a_carved_task(
    broker: BrokerApplication, start: str = "2026-10-20 09:00", **request: object
) -> Task:
    request_id = submit_job_request(
        broker, a_request(**request), tenant=TENANT, requester_id=REQUESTER, now=NOW
    )
    cmd = CarveTask(
        job_request_id=request_id,
        starts_at=at_jst(start),
        ends_at=at_jst(start) + timedelta(hours=3),
    )
    return carve_task(broker, cmd, tenant=TENANT, now=NOW)


def answer(
    task: Task, worker_id: UUID, *, accept: bool, at: datetime = NOW
) -> OfferAccepted | OfferDeclined:
    [offer_id] = [oid for oid, o in task.offers.items() if o.worker_id == worker_id]
    kind = OfferAccepted if accept else OfferDeclined
    return kind(
        event_id=uuid4(),
        occurred_at=at,
        tenant=TENANT,
        correlation_id=uuid4(),
        offer_id=offer_id,
        task_id=task.id,
        worker_id=worker_id,
        channel=Channel.WEB,
        answered_at=at,
    )


def confirm(
    broker: BrokerApplication,
    task: Task,
    *,
    worked_minutes: int,
    finished_at: datetime,
    now: datetime | None = None,
) -> None:
    """The requester confirms; by default just after the work finished."""
    done = Completion(task_id=task.id, worked_minutes=worked_minutes, finished_at=finished_at)
    complete_work(
        broker,
        CompleteWork(completions=[done]),
        tenant=TENANT,
        confirmed_by=REQUESTER,
        requester_id=REQUESTER,
        now=now or finished_at + timedelta(minutes=10),
    )


def stored_events(broker: BrokerApplication) -> list[DomainEventProtocol[UUID]]:
    notes = broker.recorder.select_notifications(1, 10_000)
    return [broker.mapper.to_domain_event(note) for note in notes]


def react(broker: BrokerApplication, *events: object) -> None:
    for event in events:
        processing = ProcessingEvent[UUID]()
        broker.policy(event, processing)
        broker._record(processing)  # noqa: SLF001 - what process_batch does, minus tracking


def test_carving_offers_the_fairest_eligible_workers_when_they_fit() -> None:
    broker = open_store("broker", BrokerApplication, StoreSettings(), ROUTES)
    broker.places = PLACES
    fits = [a_worker(broker) for _ in range(4)]
    too_heavy = a_worker(broker, constraints=ConstraintsBody(weekly={}, home_district="ofuku"))

    task = a_carved_task(broker)

    offered = {o.worker_id for o in task.offers.values()}
    assert len(offered) == broker.offer_fanout == 3
    assert offered <= set(fits)
    assert too_heavy not in offered


def test_first_valid_acceptance_wins_and_the_others_are_withdrawn(
    broker: BrokerApplication,
) -> None:
    workers = [a_worker(broker) for _ in range(3)]
    task = a_carved_task(broker)
    first, second = workers[0], workers[1]

    react(broker, answer(task, first, accept=True), answer(task, second, accept=True))

    stored: Task = broker.repository.get(task.id)
    assert stored.status is TaskStatus.ASSIGNED
    assert stored.worker_id == first
    events = [
        broker.mapper.to_domain_event(n) for n in broker.recorder.select_notifications(1, 100)
    ]
    refused = [e for e in events if isinstance(e, Task.AssignmentRefused)]
    withdrawn = [e for e in events if isinstance(e, Task.OfferWithdrawn)]
    assert [(e.worker_id, e.reason) for e in refused] == [(second, "already_assigned")]
    assert {e.worker_id for e in withdrawn} == {workers[1], workers[2]}


def test_a_decline_offers_the_task_to_the_next_worker(broker: BrokerApplication) -> None:
    workers = [a_worker(broker) for _ in range(4)]
    task = a_carved_task(broker)
    decliner = next(iter(task.offers.values())).worker_id

    react(broker, answer(task, decliner, accept=False))

    stored: Task = broker.repository.get(task.id)
    assert len(stored.open_offers()) == 3
    assert stored.offered_to() == set(workers)


def test_acceptance_is_refused_when_the_offer_expired(broker: BrokerApplication) -> None:
    a_worker(broker)
    task = a_carved_task(broker)
    [offer] = task.offers.values()
    late = offer.expires_at + timedelta(minutes=1)

    react(broker, answer(task, offer.worker_id, accept=True, at=late))

    stored: Task = broker.repository.get(task.id)
    events = stored_events(broker)
    refused = [e for e in events if isinstance(e, Task.AssignmentRefused)]
    assert stored.status is TaskStatus.OPEN
    assert [e.reason for e in refused] == ["offer_expired"]


def test_expired_offers_are_closed_and_the_task_flagged_when_nobody_is_left(
    broker: BrokerApplication,
) -> None:
    a_worker(broker)
    task = a_carved_task(broker)

    closed = expire_offers(broker, now=NOW + timedelta(days=2))

    stored: Task = broker.repository.get(task.id)
    assert closed == 1
    assert stored.open_offers() == {}
    assert stored.exhausted


def test_completion_publishes_the_reward_rule_when_confirmed(broker: BrokerApplication) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker, overtime_tolerance_minutes=10)  # 185 min on a 180 min shift
    react(broker, answer(task, worker, accept=True))

    confirm(broker, task, worked_minutes=185, finished_at=at_jst("2026-10-20 12:05"))

    [note] = broker.recorder.select_notifications(broker.recorder.max_notification_id() or 0, 1)
    event = broker.mapper.to_domain_event(note)
    contract = to_contract(event, envelope_of(event, default_tenant=TENANT))
    assert isinstance(contract, c.WorkCompleted)
    assert (contract.worked_minutes, contract.reward_yen, contract.worker_id) == (185, 1050, worker)
    assert contract.requester_id == REQUESTER


def test_another_requester_cannot_confirm_or_cancel_a_task(broker: BrokerApplication) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    stranger = UUID(int=99)

    with pytest.raises(TaskNotFoundError):
        cancel_task(
            broker,
            task.id,
            CancelTask(),
            tenant=TENANT,
            cancelled_by="requester",
            requester_id=stranger,
        )
    with pytest.raises(TaskNotFoundError):
        broker.task(task.id, "another-council")


def test_cancellation_after_acceptance_is_recorded_for_compensation(
    broker: BrokerApplication,
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))

    cancel_task(
        broker,
        task.id,
        CancelTask(reason="雨"),
        tenant=TENANT,
        cancelled_by="requester",
        requester_id=REQUESTER,
    )

    stored: Task = broker.repository.get(task.id)
    [note] = broker.recorder.select_notifications(broker.recorder.max_notification_id() or 0, 1)
    event = broker.mapper.to_domain_event(note)
    contract = to_contract(event, envelope_of(event, default_tenant=TENANT))
    assert stored.status is TaskStatus.CANCELLED
    assert isinstance(contract, c.TaskCancelled)
    assert contract.after_acceptance
    assert contract.worker_id == worker


def test_direct_assignment_is_refused_when_it_breaks_a_constraint(
    broker: BrokerApplication,
) -> None:
    homebound = a_worker(broker, constraints=ConstraintsBody(weekly={1: [Window(0, 1440)]}))
    task = a_carved_task(broker)

    with pytest.raises(ConstraintBrokenError, match="place"):
        assign_task(
            broker,
            task.id,
            AssignTask(worker_id=homebound),
            tenant=TENANT,
            coordinator_id=COORDINATOR,
            now=NOW,
        )


def test_a_no_show_opens_the_task_and_offers_it_again(broker: BrokerApplication) -> None:
    workers = [a_worker(broker) for _ in range(4)]
    task = a_carved_task(broker)
    taker = next(iter(task.offers.values())).worker_id
    react(broker, answer(task, taker, accept=True))

    record_no_show(broker, task.id, tenant=TENANT, now=NOW + timedelta(hours=1))

    stored: Task = broker.repository.get(task.id)
    assert stored.status is TaskStatus.OPEN
    assert set(workers) - {taker} <= stored.offered_to()


def test_a_worker_assigned_directly_who_did_not_come_is_not_offered_the_task_again(
    broker: BrokerApplication,
) -> None:
    task = a_carved_task(broker)  # nobody registered yet: no offers
    absent = a_worker(broker)
    assign_task(
        broker,
        task.id,
        AssignTask(worker_id=absent),
        tenant=TENANT,
        coordinator_id=COORDINATOR,
        now=NOW,
    )
    others = [a_worker(broker)]  # room in the fan-out for the absent worker too

    record_no_show(broker, task.id, tenant=TENANT, now=NOW + timedelta(hours=1))

    stored: Task = broker.repository.get(task.id)
    offered = {o.worker_id for o in stored.open_offers().values()}
    assert stored.status is TaskStatus.OPEN
    assert absent not in offered
    assert offered == set(others)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"ends_on": at_jst("2026-10-01 00:00").date()}, "last day comes before"),
        ({"starts_on": at_jst("2026-09-01 00:00").date()}, "in the past"),
        ({"window_start": 900, "window_end": 800}, "window ends before"),
    ],
)
def test_impossible_requests_are_refused_with_the_reason(
    broker: BrokerApplication, overrides: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidRequestError, match=problem):
        submit_job_request(
            broker, a_request(**overrides), tenant=TENANT, requester_id=REQUESTER, now=NOW
        )


def test_a_shift_outside_the_window_cannot_be_carved(broker: BrokerApplication) -> None:
    request_id = submit_job_request(
        broker, a_request(), tenant=TENANT, requester_id=REQUESTER, now=NOW
    )
    evening = CarveTask(
        job_request_id=request_id,
        starts_at=at_jst("2026-10-20 15:00"),
        ends_at=at_jst("2026-10-20 18:00"),
    )

    with pytest.raises(InvalidRequestError, match="window"):
        carve_task(broker, evening, tenant=TENANT, now=NOW)


def test_completing_an_open_task_is_refused(broker: BrokerApplication) -> None:
    task = a_carved_task(broker)
    done = Completion(task_id=task.id, worked_minutes=60, finished_at=at_jst("2026-10-20 12:00"))

    with pytest.raises(TaskStateError):
        complete_work(
            broker,
            CompleteWork(completions=[done]),
            tenant=TENANT,
            confirmed_by=COORDINATOR,
            requester_id=None,
            now=at_jst("2026-10-20 12:10"),
        )


def test_check_in_is_published_and_becomes_the_completion_start(
    broker: BrokerApplication,
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    arrived = at_jst("2026-10-20 08:55")

    start_work(
        broker,
        task.id,
        StartWork(worker_id=worker, at=arrived),
        tenant=TENANT,
        now=at_jst("2026-10-20 09:00"),
    )

    [note] = broker.recorder.select_notifications(broker.recorder.max_notification_id() or 0, 1)
    event = broker.mapper.to_domain_event(note)
    contract = to_contract(event, envelope_of(event, default_tenant=TENANT))
    assert isinstance(contract, c.WorkStarted)
    assert contract.started_at == arrived
    stored: Task = broker.repository.get(task.id)
    assert stored.status is TaskStatus.IN_PROGRESS


def test_someone_else_cannot_check_in_for_the_assigned_worker(
    broker: BrokerApplication,
) -> None:
    worker, stranger = a_worker(broker), a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))

    with pytest.raises(TaskStateError):
        start_work(broker, task.id, StartWork(worker_id=stranger), tenant=TENANT, now=NOW)


def test_a_settled_dispute_publishes_the_agreed_minutes(broker: BrokerApplication) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    confirm(broker, task, worked_minutes=180, finished_at=at_jst("2026-10-20 12:00"))
    dispute_work(
        broker,
        task.id,
        DisputeWork(reason="途中で帰った"),
        tenant=TENANT,
        raised_by=REQUESTER,
        requester_id=REQUESTER,
    )

    resolve_dispute(
        broker,
        task.id,
        ResolveDispute(worked_minutes=120, resolution="120分で合意"),
        tenant=TENANT,
        coordinator_id=COORDINATOR,
    )

    events = [to_contract(e, envelope_of(e, default_tenant=TENANT)) for e in stored_events(broker)]
    [disputed] = [e for e in events if isinstance(e, c.WorkDisputed)]
    [resolved] = [e for e in events if isinstance(e, c.DisputeResolved)]
    assert disputed.worker_id == resolved.worker_id == worker
    assert resolved.worked_minutes == 120
    stored: Task = broker.repository.get(task.id)
    assert stored.status is TaskStatus.COMPLETED


def check_in_and_out(task: Task, worker_id: UUID) -> tuple[WorkerCheckedIn, WorkerCheckedOut]:
    envelope: dict[str, Any] = {"tenant": TENANT, "correlation_id": uuid4()}
    start = at_jst("2026-10-20 08:58")
    checked_in = WorkerCheckedIn(
        event_id=uuid4(),
        occurred_at=start,
        task_id=task.id,
        worker_id=worker_id,
        channel=Channel.WEB,
        checked_in_at=start,
        **envelope,
    )
    checked_out = WorkerCheckedOut(
        event_id=uuid4(),
        occurred_at=start + timedelta(hours=3),
        task_id=task.id,
        worker_id=worker_id,
        channel=Channel.WEB,
        checked_out_at=start + timedelta(hours=3),
        reported_minutes=182,
        note="袋が足りませんでした",
        **envelope,
    )
    return checked_in, checked_out


def test_check_in_and_out_from_notify_start_the_work_and_keep_the_report_once(
    broker: BrokerApplication,
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    checked_in, checked_out = check_in_and_out(task, worker)

    react(broker, checked_in, checked_in, checked_out, checked_out)

    stored: Task = broker.repository.get(task.id)
    assert stored.status is TaskStatus.IN_PROGRESS
    assert stored.started_at == checked_in.checked_in_at
    assert stored.reported_minutes == 182
    kinds = [type(e).__name__ for e in stored_events(broker)]
    assert kinds.count("WorkStarted") == 1
    assert kinds.count("WorkReported") == 1


def test_a_check_in_on_someone_elses_task_changes_nothing(broker: BrokerApplication) -> None:
    worker, stranger = a_worker(broker), a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    checked_in, checked_out = check_in_and_out(task, stranger)

    react(broker, checked_in, checked_out)

    stored: Task = broker.repository.get(task.id)
    assert stored.status is TaskStatus.ASSIGNED
    assert stored.reported_minutes is None


def test_the_timeline_shows_who_answered_on_which_channel_and_why_they_were_offered(
    broker: BrokerApplication,
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    coordinator = uuid4()
    yes = answer(task, worker, accept=True)
    assert isinstance(yes, OfferAccepted)
    by_phone = msgspec.structs.replace(yes, channel=Channel.PHONE, recorded_by=coordinator)
    react(broker, by_phone)

    _, entries = timeline(broker, task.id, TENANT)

    whats = [entry["what"] for entry in entries]
    assert whats[:2] == ["CarvedOut", "Offered"]
    offered = entries[1]
    assert offered["who"]["worker_id"] == worker
    assert offered["facts"]["reasons"]
    accepted = entries[whats.index("Accepted")]
    assert accepted["facts"]["channel"] == "phone"
    assert accepted["who"]["recorded_by"] == coordinator
    assert accepted["status_after"] == "assigned"


def test_answers_in_one_batch_never_give_one_worker_overlapping_offers(
    broker: BrokerApplication,
) -> None:
    broker.offer_fanout = 1
    first_worker, second_worker = a_worker(broker), a_worker(broker)
    early = a_carved_task(broker, "2026-10-20 09:00")
    late = a_carved_task(broker, "2026-10-20 10:00")  # overlaps the early one
    third_worker = a_worker(broker)
    [early_holder] = [o.worker_id for o in early.offers.values()]
    [late_holder] = [o.worker_id for o in late.offers.values()]
    assert {early_holder, late_holder} == {first_worker, second_worker}

    broker.process_batch(
        [answer(early, early_holder, accept=False), answer(late, late_holder, accept=False)],
        Tracking("broker-from-notify", 1),
    )

    early_now: Task = broker.repository.get(early.id)
    late_now: Task = broker.repository.get(late.id)
    holders = [o.worker_id for t in (early_now, late_now) for o in t.open_offers().values()]
    assert holders.count(third_worker) <= 1


def test_concurrent_carvings_never_give_one_worker_overlapping_offers(
    broker: BrokerApplication,
) -> None:
    # Found by the full chaos run: HTTP threads carving at once each chose the same free
    # worker before either held them. Choosing and holding is now one locked step.
    workers = {a_worker(broker) for _ in range(4)}
    barrier = threading.Barrier(8)
    carved: list[Task] = []

    def carve() -> None:
        barrier.wait()
        carved.append(a_carved_task(broker, "2026-10-20 09:00"))  # all the same three hours

    threads = [threading.Thread(target=carve) for _ in range(8)]
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # interleave the threads as often as possible
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switching)

    holders = [o.worker_id for task in carved for o in task.open_offers().values()]
    assert len(carved) == 8
    assert set(holders) <= workers
    assert len(holders) == len(set(holders)) == len(workers)  # each free worker offered once


def test_tasks_stored_before_tolerance_and_confirmation_time_were_kept_still_load(
    broker: BrokerApplication,
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    confirm(broker, task, worked_minutes=180, finished_at=at_jst("2026-10-20 12:00"))
    old_style, dropped = [], set()
    for note in broker.recorder.select_notifications(1, 10_000):
        if note.originator_id != task.id:
            continue
        state = broker.mapper.transcoder.decode(note.state)
        dropped |= {"overtime_tolerance_minutes", "confirmed_at"} & set(state)
        state.pop("overtime_tolerance_minutes", None)
        state.pop("confirmed_at", None)
        old_style.append(replace(note, state=broker.mapper.transcoder.encode(state)))

    rebuilt: Any = None
    for stored in old_style:
        event: Any = broker.mapper.to_domain_event(stored)
        rebuilt = event.mutate(rebuilt)

    assert dropped == {"overtime_tolerance_minutes", "confirmed_at"}
    assert isinstance(rebuilt, Task)
    assert rebuilt.overtime_tolerance_minutes == 0
    assert rebuilt.status is TaskStatus.COMPLETED
    [completed] = [
        broker.mapper.to_domain_event(s)
        for s in old_style
        if s.topic.endswith("Task.WorkCompleted")
    ]
    assert isinstance(completed, Task.WorkCompleted)
    assert completed.confirmed_at is None


def test_a_check_in_from_notify_six_days_early_is_refused_and_the_inbox_moves_on(
    broker: BrokerApplication,
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    checked_in, _ = check_in_and_out(task, worker)
    early = at_jst("2026-10-14 08:58")
    too_early = msgspec.structs.replace(checked_in, checked_in_at=early, occurred_at=early)

    react(broker, too_early, checked_in)  # the refusal does not stop the next event

    stored: Task = broker.repository.get(task.id)
    events = stored_events(broker)
    [refused] = [e for e in events if isinstance(e, Task.CheckInRefused)]
    [started] = [e for e in events if isinstance(e, Task.WorkStarted)]
    assert refused.checked_in_at == early
    assert "10月20日（火） 8:00" in refused.reason
    assert started.started_at == checked_in.checked_in_at
    assert stored.status is TaskStatus.IN_PROGRESS
    assert to_contract(refused, envelope_of(refused, default_tenant=TENANT)) is None


def test_a_coordinators_check_in_six_days_early_is_refused(broker: BrokerApplication) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))

    with pytest.raises(CheckInOutsideWindowError):
        start_work(
            broker,
            task.id,
            StartWork(worker_id=worker),
            tenant=TENANT,
            now=at_jst("2026-10-14 09:00"),
        )

    stored: Task = broker.repository.get(task.id)
    assert stored.status is TaskStatus.ASSIGNED


def test_confirming_before_the_shift_began_is_refused_and_nothing_is_stored(
    broker: BrokerApplication,
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    before = broker.recorder.max_notification_id()

    with pytest.raises(ConfirmationTooEarlyError):
        confirm(
            broker,
            task,
            worked_minutes=180,
            finished_at=at_jst("2026-10-20 12:00"),
            now=at_jst("2026-10-14 12:00"),
        )

    assert broker.recorder.max_notification_id() == before


def test_an_approved_excess_is_kept_private_and_lets_the_confirmation_through(
    broker: BrokerApplication,
) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    late = at_jst("2026-10-20 13:00")
    with pytest.raises(WorkedMinutesOverLimitError):
        confirm(broker, task, worked_minutes=240, finished_at=late)

    approve_excess_minutes(
        broker,
        task.id,
        ApproveExcessMinutes(excess_minutes=60, reason="雨で作業が遅れた"),
        tenant=TENANT,
        coordinator_id=COORDINATOR,
    )
    confirm(broker, task, worked_minutes=240, finished_at=late)

    events = stored_events(broker)
    [approved] = [e for e in events if isinstance(e, Task.ExcessApproved)]
    published = [to_contract(e, envelope_of(e, default_tenant=TENANT)) for e in events]
    [completed] = [e for e in published if isinstance(e, c.WorkCompleted)]
    assert to_contract(approved, envelope_of(approved, default_tenant=TENANT)) is None
    assert completed.worked_minutes == 240
    assert all("雨で" not in msgspec.json.encode(e).decode() for e in published if e)


def test_a_settlement_over_the_shift_is_refused(broker: BrokerApplication) -> None:
    worker = a_worker(broker)
    task = a_carved_task(broker)
    react(broker, answer(task, worker, accept=True))
    confirm(broker, task, worked_minutes=180, finished_at=at_jst("2026-10-20 12:00"))
    dispute_work(
        broker,
        task.id,
        DisputeWork(reason="もっと働いた"),
        tenant=TENANT,
        raised_by=REQUESTER,
        requester_id=REQUESTER,
    )

    with pytest.raises(WorkedMinutesOverLimitError):
        resolve_dispute(
            broker,
            task.id,
            ResolveDispute(worked_minutes=720, resolution="720分"),
            tenant=TENANT,
            coordinator_id=COORDINATOR,
        )


@pytest.mark.parametrize(("district", "suggested"), [("tokyo", None), ("於福町", "ofuku")])
def test_a_district_outside_the_council_is_refused(
    broker: BrokerApplication, district: str, suggested: str | None
) -> None:
    with pytest.raises(DistrictUnknownError) as refused:
        submit_job_request(
            broker, a_request(district=district), tenant=TENANT, requester_id=REQUESTER, now=NOW
        )

    assert refused.value.allowed == {"ofuku": "於福町", "omine": "大嶺町"}  # PLACES
    assert refused.value.suggestion == suggested


@pytest.mark.parametrize("where", ["district", "home_district"])
def test_a_worker_living_outside_the_councils_districts_is_refused(
    broker: BrokerApplication, where: str
) -> None:
    constraints = ConstraintsBody(
        weekly={0: [Window(8 * 60, 13 * 60)]},
        home_district="tokyo" if where == "home_district" else "ofuku",
        travel=Travel.BICYCLE,
        max_travel_minutes=45,
    )
    district = "tokyo" if where == "district" else "ofuku"

    with pytest.raises(DistrictUnknownError, match="tokyo") as refused:
        a_worker(broker, district=district, constraints=constraints)

    assert refused.value.allowed == {"ofuku": "於福町", "omine": "大嶺町"}
    assert broker.notification_log.select(start=1, limit=10) == []  # nothing recorded
