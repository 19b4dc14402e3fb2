"""Carving proposals, confirmed carvings and the disguised-employment check."""

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from backbone.runtime import open_store
from backbone.stores import StoreSettings
from broker.application import BrokerApplication
from broker.commands.confirm_carving import ConfirmCarving, ConfirmedShift, confirm_carving
from broker.commands.propose_carving import proposal_for
from broker.commands.register_worker import ConstraintsBody, RegisterWorker, Window, register_worker
from broker.commands.submit_job_request import SubmitJobRequest, TaskSpec, submit_job_request
from broker.domain.constraints import Places
from broker.domain.spec_check import disguised_employment_warnings
from broker.domain.values import TOKYO, RewardKind, Sector, Travel
from broker.policies.routes import ROUTES
from tests.support.people import personal_details

TENANT = "mine-wakuwaku"
NOW = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def broker() -> BrokerApplication:
    app = open_store("broker", BrokerApplication, StoreSettings(), ROUTES)
    app.places = Places()
    return app


def mornings_worker(broker: BrokerApplication) -> UUID:
    constraints = ConstraintsBody(
        weekly={day: [Window(8 * 60, 12 * 60)] for day in range(5)},
        home_district="ofuku",
        travel=Travel.WALK,
        max_travel_minutes=60,
    )
    return register_worker(
        broker,
        RegisterWorker(personal=personal_details(), constraints=constraints),
        tenant=TENANT,
        today=date(2026, 10, 1),
    )


def a_request(broker: BrokerApplication, **overrides: object) -> UUID:
    fields: dict[str, object] = {
        "title": "封入作業",
        "work_type": "packing",
        "sector": Sector.DAILY_LIFE_SERVICES,
        "district": "ofuku",
        "starts_on": date(2026, 10, 19),  # Monday
        "ends_on": date(2026, 10, 20),
        "window_start": 8 * 60,
        "window_end": 17 * 60,
        "volume_minutes": 480,
        "min_shift_minutes": 120,
        "max_shift_minutes": 180,
        "headcount_max": 2,
        "reward_kind": RewardKind.FIXED,
        "reward_yen": 3000,
    }
    cmd = SubmitJobRequest(**(fields | overrides))  # type: ignore[arg-type]
    return submit_job_request(broker, cmd, tenant=TENANT, requester_id=UUID(int=1), now=NOW)


def test_proposal_covers_the_volume_when_enough_workers_are_free(
    broker: BrokerApplication,
) -> None:
    for _ in range(3):
        mornings_worker(broker)
    request = a_request(broker)

    proposal = proposal_for(broker, request, tenant=TENANT, now=NOW)

    assert proposal.uncovered_minutes == 0
    assert proposal.covered_minutes >= 480
    for shift in proposal.shifts:
        local = shift.starts_at.astimezone(TOKYO)
        assert local.hour >= 8
        assert shift.ends_at.astimezone(TOKYO).hour <= 12
        assert shift.eligible >= 2
        assert shift.copies <= 2


def test_proposal_says_what_blocked_the_minutes_it_could_not_cover(
    broker: BrokerApplication,
) -> None:
    mornings_worker(broker)  # one worker is not two-deep
    request = a_request(broker)

    proposal = proposal_for(broker, request, tenant=TENANT, now=NOW)

    assert proposal.shifts == []
    assert proposal.uncovered_minutes == 480
    assert "hours" in proposal.blocked_by


def test_confirmed_copies_never_offer_one_worker_two_shifts_at_once(
    broker: BrokerApplication,
) -> None:
    workers = {mornings_worker(broker) for _ in range(4)}
    request = a_request(broker)
    start = datetime(2026, 10, 19, 9, 0, tzinfo=TOKYO)
    shift = ConfirmedShift(starts_at=start, ends_at=start.replace(hour=11), copies=2)

    tasks = confirm_carving(broker, request, ConfirmCarving(shifts=[shift]), tenant=TENANT, now=NOW)

    first, second = ({o.worker_id for o in t.offers.values()} for t in tasks)
    assert len(tasks) == 2
    assert first | second <= workers
    assert first.isdisjoint(second)


def test_spec_check_warns_when_the_requester_directs_and_binds_the_worker() -> None:
    spec = TaskSpec(steps=["現場監督の指示に従う", "8時に出勤してタイムカードを押す"])
    terms = {"title": "倉庫作業", "reward_kind": "hourly", "spec": {"steps": spec.steps}}

    warnings = disguised_employment_warnings(terms)

    assert len(warnings) == 2
    assert "指示" in warnings[0]
    assert "出勤" in warnings[1]


def test_spec_check_is_quiet_when_the_spec_describes_a_result() -> None:
    terms = {
        "title": "栗の収穫",
        "spec": {"steps": ["落ちた栗を拾い、かごに入れる"], "acceptance": "かごの数で確認"},
    }

    assert disguised_employment_warnings(terms) == []
