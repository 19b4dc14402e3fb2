"""Replay finds a broken invariant in a real (SQLite) record; KPI arithmetic by example."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from audit.kpi import Span, age_band, as_csv, as_html, gini, kpi
from audit.replay import replay
from audit.sources import Record, open_records

from backbone.stores import StoreSettings
from broker.commands.carve_task import CarveTask, carve_task
from broker.commands.register_worker import ConstraintsBody, RegisterWorker, Window, register_worker
from broker.commands.submit_job_request import SubmitJobRequest, submit_job_request
from broker.districts import mine_city_places
from broker.domain.task import Task
from broker.domain.values import Travel
from tests.support.people import personal_details

TENANT = "mine-wakuwaku"
NOW = datetime(2026, 10, 1, tzinfo=UTC)


def a_town(tmp_path: Path) -> StoreSettings:
    """A SQLite record: two workers, one request, one carved task offered fairly."""
    store = StoreSettings(kind="sqlite", data_dir=tmp_path, chain_secret="s")
    [broker, *others] = open_records(store)
    for other in others:
        other.close()
    app = broker.app
    app.places = mine_city_places()  # type: ignore[attr-defined]
    mornings = ConstraintsBody(
        weekly={day: [Window(start=8 * 60, end=12 * 60)] for day in range(5)},
        home_district="ofuku",
        travel=Travel.WALK,
        max_travel_minutes=60,
    )
    for _ in range(2):
        register_worker(
            app,  # type: ignore[arg-type]
            RegisterWorker(personal=personal_details(), constraints=mornings),
            tenant=TENANT,
            today=NOW.date(),
        )
    request = SubmitJobRequest(
        title="封入作業",
        work_type="packing",
        sector="daily_life_services",  # type: ignore[arg-type]
        district="ofuku",
        starts_on=date(2026, 10, 19),
        ends_on=date(2026, 10, 23),
        window_start=8 * 60,
        window_end=12 * 60,
        volume_minutes=180,
        reward_kind="hourly",  # type: ignore[arg-type]
        reward_yen=1000,
    )
    job = submit_job_request(app, request, tenant=TENANT, requester_id=uuid4(), now=NOW)  # type: ignore[arg-type]
    start = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo
    carve_task(
        app,  # type: ignore[arg-type]
        CarveTask(job_request_id=job, starts_at=start, ends_at=start + timedelta(hours=3)),
        tenant=TENANT,
        now=NOW,
    )
    broker.close()
    return store


def test_a_fair_record_replays_clean(tmp_path: Path) -> None:
    records = open_records(a_town(tmp_path))

    summary = replay(records, streams=None, progress=lambda *_: None)

    assert summary.clean, summary.violations
    assert summary.offers_checked == 2
    assert summary.tasks == 1


def test_an_offer_that_broke_a_constraint_is_reported_with_its_position(tmp_path: Path) -> None:
    store = a_town(tmp_path)
    [broker, *rest] = open_records(store)
    late_worker = register_worker(
        broker.app,  # type: ignore[arg-type]
        RegisterWorker(
            personal=personal_details(),
            constraints=ConstraintsBody(weekly={0: [Window(start=18 * 60, end=20 * 60)]}),
        ),
        tenant=TENANT,
        today=NOW.date(),
    )
    [task_id] = [e.originator_id for _, e in broker.events() if isinstance(e, Task.CarvedOut)]
    task: Task = broker.app.repository.get(task_id)
    task.offer(offer_id=uuid4(), worker_id=late_worker, expires_at=NOW, rank=9, reasons="by hand")
    broker.app.save(task)

    summary = replay([broker, *rest], streams=None, progress=lambda *_: None)

    [violation] = summary.violations
    assert violation.rule == "offer broke a hard constraint"
    assert str(late_worker) in violation.detail
    assert violation.position == broker.count()


def test_a_stream_missing_an_event_or_holding_an_extra_one_is_reported(tmp_path: Path) -> None:
    records = open_records(a_town(tmp_path))
    extra = uuid4()

    summary = replay(
        records, streams={"broker": [extra], "notify": [], "payout": []}, progress=lambda *_: None
    )

    rules = {v.rule for v in summary.violations}
    assert rules == {"published but missing from the stream", "on the stream but never stored"}


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [
        (1980, "≤54"),
        (1971, "55–59"),
        (1962, "60–64"),
        (1957, "65–69"),
        (1952, "70–74"),
        (1940, "75+"),
    ],
)
def test_age_bands_as_of_the_end_of_fiscal_2025(birth_year: int, band: str) -> None:
    assert age_band(birth_year, Span.fiscal_year(2025).end) == band


def test_gini_is_zero_for_equal_work_and_grows_with_inequality() -> None:
    assert gini([600, 600, 600]) == 0
    assert gini([0, 0, 0, 1200]) == pytest.approx(0.75)
    assert gini([]) == 0


def test_the_kpi_report_counts_registrants_offers_and_renders(tmp_path: Path) -> None:
    records = open_records(a_town(tmp_path))
    broker, payout = records[0], records[2]

    report = kpi(broker, payout, Span.fiscal_year(2026), TENANT)

    assert report["registrants"] == 2
    assert report["registrants_by_age_and_sex"]["75+"]["unstated"] == 2  # born 1950
    assert report["offers"] == 2
    assert report["tasks_carved"] == 1
    assert report["fill_rate"] == 0
    assert "registrants_by_age_and_sex,75+,unstated,2" in as_csv(report)
    assert "<svg" in as_html(report)


def stored_task(broker: Record) -> Task:
    """The town's one task, assigned to the first worker offered it."""
    [task_id] = [e.originator_id for _, e in broker.events() if isinstance(e, Task.CarvedOut)]
    task: Task = broker.app.repository.get(task_id)
    [first, *_] = task.offers.values()
    task.assign(worker_id=first.worker_id, coordinator_id=uuid4())
    return task


@pytest.mark.parametrize("confirmed_at", [None, datetime(2026, 10, 14, 3, 0, tzinfo=UTC)])
def test_a_pre_fix_completion_that_cannot_be_true_is_named_with_its_position(
    tmp_path: Path, confirmed_at: datetime | None
) -> None:
    [broker, *rest] = open_records(a_town(tmp_path))
    task = stored_task(broker)
    six_days_early = task.starts_at - timedelta(days=6)
    assert task.worker_id is not None
    task._work_completed(  # noqa: SLF001 - what the code before the rules let through
        worker_id=task.worker_id,
        started_at=task.starts_at,
        finished_at=six_days_early,
        worked_minutes=720,
        confirmed_by=uuid4(),
        terms=task.terms(),
        confirmed_at=confirmed_at,
    )
    broker.app.save(task)

    summary = replay([broker, *rest], streams=None, progress=lambda *_: None)

    found = {(v.service, v.position, v.rule) for v in summary.violations}
    at = broker.count()
    expected = {
        ("broker", at, "finish time outside the shift's start and the confirmation"),
        ("broker", at, "minutes over the shift, tolerance and approved excess"),
    }
    if confirmed_at is not None:
        expected.add(("broker", at, "work confirmed before the shift started"))
    assert found == expected
    assert all(str(task.id) in v.detail for v in summary.violations)


def test_a_check_in_outside_its_window_is_named_and_a_true_one_is_not(tmp_path: Path) -> None:
    [broker, *rest] = open_records(a_town(tmp_path))
    task = stored_task(broker)
    assert task.worker_id is not None
    task._work_started(worker_id=task.worker_id, started_at=task.starts_at - timedelta(days=6))  # noqa: SLF001
    broker.app.save(task)
    position = broker.count()
    end = task.ends_at
    task.approve_excess(excess_minutes=30, reason="延長", approved_by=uuid4())
    task.complete(worked_minutes=210, finished_at=end, confirmed_by=uuid4(), now=end)
    broker.app.save(task)

    summary = replay([broker, *rest], streams=None, progress=lambda *_: None)

    rules = [(v.service, v.position, v.rule) for v in summary.violations]
    assert rules == [("broker", position, "check-in outside its window")]
