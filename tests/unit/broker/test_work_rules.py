"""Check-in and 検収 must be true or refused: the shift's times and minutes bound them.

Given a task in some state, when a check-in, confirmation, approval or settlement comes,
then it is recorded or refused with a reason a coordinator can read.
"""

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from broker.districts import DISTRICT_NAMES
from broker.domain.errors import (
    CheckInOutsideWindowError,
    ConfirmationTooEarlyError,
    DistrictUnknownError,
    FinishTimeImpossibleError,
    TaskStateError,
    VolumeOverCapacityError,
    WorkedMinutesOverLimitError,
)
from broker.domain.job_request import JobRequest, unusual_terms_warnings
from broker.domain.task import CHECK_IN_EARLY, CLOCK_SKEW, CheckIn, Task, TaskStatus
from broker.domain.values import TOKYO

WORKER = UUID(int=1)
REQUESTER = UUID(int=2)
COORDINATOR = UUID(int=3)
START = datetime(2026, 12, 9, 9, 0, tzinfo=TOKYO)  # a Wednesday


def a_task(*, minutes: int = 60, tolerance: int = 0) -> Task:
    """Given: a task of `minutes` from 9:00 on 9 December, assigned to WORKER."""
    task = Task(
        tenant="mine-wakuwaku",
        job_request_id=UUID(int=9),
        requester_id=REQUESTER,
        title="封入作業",
        work_type="packing",
        sector="daily_life_services",
        district="ofuku",
        starts_at=START,
        ends_at=START + timedelta(minutes=minutes),
        load="light",
        team=False,
        skills=[],
        reward_kind="hourly",
        reward_yen=1000,
        transport_allowance_yen=0,
        withholding_applies=False,
        bring=[],
        overtime_tolerance_minutes=tolerance,
    )
    task.assign(worker_id=WORKER, coordinator_id=COORDINATOR)
    return task


def complete(task: Task, *, minutes: int, finished_at: datetime, now: datetime) -> None:
    task.complete(worked_minutes=minutes, finished_at=finished_at, confirmed_by=REQUESTER, now=now)


def kinds(task: Task) -> list[str]:
    return [type(e).__name__ for e in task.collect_events()]


# ---- 検収 ---------------------------------------------------------------------------


def test_confirming_six_days_before_the_shift_began_is_refused() -> None:
    task = a_task()
    six_days_early = START - timedelta(days=6)

    with pytest.raises(ConfirmationTooEarlyError) as refused:
        complete(task, minutes=60, finished_at=START + timedelta(hours=1), now=six_days_early)

    assert task.status is TaskStatus.ASSIGNED
    message = str(refused.value)
    assert message.startswith("まだ検収できません")
    assert "12月9日（水） 9:00" in message
    assert "12月3日（木） 9:00" in message
    assert "Wed 9 Dec 9:00" in message


def test_720_minutes_on_a_60_minute_shift_are_refused() -> None:
    task = a_task(minutes=60)

    with pytest.raises(WorkedMinutesOverLimitError, match="720分") as refused:
        complete(
            task,
            minutes=720,
            finished_at=START + timedelta(hours=1),
            now=START + timedelta(hours=2),
        )

    assert refused.value.limit == 60
    assert task.status is TaskStatus.ASSIGNED


def test_minutes_within_the_requests_tolerance_are_accepted() -> None:
    task = a_task(minutes=60, tolerance=15)

    complete(
        task, minutes=75, finished_at=START + timedelta(minutes=75), now=START + timedelta(hours=2)
    )

    assert task.status is TaskStatus.COMPLETED


def test_an_approved_excess_lets_the_confirmation_through_up_to_the_approved_minutes() -> None:
    task = a_task(minutes=60)
    after = START + timedelta(hours=13)
    task.approve_excess(excess_minutes=660, reason="機械の故障で延長", approved_by=COORDINATOR)

    with pytest.raises(WorkedMinutesOverLimitError):
        complete(task, minutes=721, finished_at=after, now=after)  # past even the approval
    complete(task, minutes=720, finished_at=after, now=after)

    assert task.status is TaskStatus.COMPLETED
    approved, completed = [
        e for e in task.collect_events() if isinstance(e, Task.ExcessApproved | Task.WorkCompleted)
    ]
    assert isinstance(approved, Task.ExcessApproved)
    assert (approved.excess_minutes, approved.approved_by) == (660, COORDINATOR)
    assert isinstance(completed, Task.WorkCompleted)
    assert completed.confirmed_at == after


def test_excess_cannot_be_approved_once_the_work_is_confirmed() -> None:
    task = a_task()
    complete(
        task, minutes=60, finished_at=START + timedelta(hours=1), now=START + timedelta(hours=1)
    )

    with pytest.raises(TaskStateError):
        task.approve_excess(excess_minutes=30, reason="後から", approved_by=COORDINATOR)


@pytest.mark.parametrize(
    ("finished_at", "now"),
    [
        (START - timedelta(minutes=1), START + timedelta(hours=1)),  # before the start
        (START + timedelta(hours=1), START + timedelta(minutes=54)),  # 6 min ahead of now
    ],
)
def test_a_finish_before_the_start_or_still_to_come_is_refused(
    finished_at: datetime, now: datetime
) -> None:
    task = a_task()

    with pytest.raises(FinishTimeImpossibleError, match="終了時刻"):
        complete(task, minutes=30, finished_at=finished_at, now=now)


def test_a_finish_within_the_clock_skew_is_accepted() -> None:
    task = a_task()
    now = START + timedelta(hours=1) - CLOCK_SKEW

    complete(task, minutes=60, finished_at=START + timedelta(hours=1), now=now)

    assert task.status is TaskStatus.COMPLETED


def test_a_settlement_is_bounded_like_a_confirmation_until_excess_is_approved() -> None:
    task = a_task(minutes=60)
    complete(
        task, minutes=60, finished_at=START + timedelta(hours=1), now=START + timedelta(hours=1)
    )
    task.dispute(reason="もっと働いた", raised_by=WORKER)

    with pytest.raises(WorkedMinutesOverLimitError):
        task.resolve_dispute(worked_minutes=90, resolution="90分で合意", resolved_by=COORDINATOR)
    task.approve_excess(excess_minutes=30, reason="記録漏れ", approved_by=COORDINATOR)
    task.resolve_dispute(worked_minutes=90, resolution="90分で合意", resolved_by=COORDINATOR)

    assert task.status is TaskStatus.COMPLETED


# ---- check-in -------------------------------------------------------------------------


def test_a_check_in_six_days_early_is_refused_and_the_task_stays_assigned() -> None:
    task = a_task()

    with pytest.raises(CheckInOutsideWindowError, match="チェックインできるのは"):
        task.start_work(worker_id=WORKER, at=START - timedelta(days=6))

    assert task.status is TaskStatus.ASSIGNED
    assert task.started_at is None


def test_a_check_in_from_the_worker_page_outside_the_window_is_recorded_as_refused() -> None:
    task = a_task()
    task.collect_events()

    outcome = task.check_in(worker_id=WORKER, at=START - timedelta(days=6))

    assert outcome is CheckIn.OUTSIDE_WINDOW
    assert task.status is TaskStatus.ASSIGNED
    [refused] = task.collect_events()
    assert isinstance(refused, Task.CheckInRefused)
    assert "12月9日（水） 8:00" in refused.reason


@pytest.mark.parametrize(
    ("at", "fits"),
    [
        (START - CHECK_IN_EARLY, True),
        (START - CHECK_IN_EARLY - timedelta(minutes=1), False),
        (START + timedelta(minutes=60), True),  # the end of a 60-minute shift
        (START + timedelta(minutes=61), False),
    ],
)
def test_check_in_is_accepted_from_an_hour_before_the_start_until_the_end(
    at: datetime, *, fits: bool
) -> None:
    task = a_task(minutes=60)

    outcome = task.check_in(worker_id=WORKER, at=at)

    assert (outcome is CheckIn.STARTED) is fits
    assert (task.status is TaskStatus.IN_PROGRESS) is fits


def test_a_check_out_before_the_shift_started_changes_nothing() -> None:
    task = a_task()

    assert not task.report(
        worker_id=WORKER, finished_at=START - timedelta(days=6), minutes=60, note=""
    )
    assert task.reported_minutes is None


# ---- job requests -----------------------------------------------------------------------


def terms(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "封入作業",
        "work_type": "packing",
        "sector": "daily_life_services",
        "district": "ofuku",
        "starts_on": "2026-12-09",
        "ends_on": "2026-12-09",
        "window_start": 9 * 60,
        "window_end": 17 * 60,
        "volume_minutes": 600,
        "min_shift_minutes": 60,
        "max_shift_minutes": 240,
        "headcount_max": 10,
        "load": "light",
        "team": False,
        "skills": [],
        "reward_kind": "hourly",
        "reward_yen": 1000,
        "transport_allowance_yen": 0,
        "withholding_applies": False,
    }
    return base | overrides


def submit(**overrides: Any) -> JobRequest:
    return JobRequest.submit(
        tenant="mine-wakuwaku",
        requester_id=REQUESTER,
        terms=terms(**overrides),
        today=date(2026, 12, 1),
        districts=DISTRICT_NAMES,
    )


def test_an_unknown_district_is_refused_listing_the_councils_districts() -> None:
    with pytest.raises(DistrictUnknownError) as refused:
        submit(district="tokyo")

    message = str(refused.value)
    assert "tokyo" in message
    assert "ofuku（於福町）" in message
    assert "omine（大嶺町）" in message
    assert refused.value.suggestion is None


@pytest.mark.parametrize("name", ["於福町", "於福"])
def test_a_district_given_by_its_name_is_refused_with_its_code_suggested(name: str) -> None:
    with pytest.raises(DistrictUnknownError, match="ofuku") as refused:
        submit(district=name)

    assert refused.value.suggestion == "ofuku"


def test_200000_minutes_in_one_day_are_refused_with_the_days_capacity() -> None:
    with pytest.raises(VolumeOverCapacityError, match="4,800") as refused:
        submit(volume_minutes=200_000)

    assert refused.value.capacity == 8 * 60 * 10


def test_a_volume_near_capacity_is_accepted_with_a_warning() -> None:
    request = submit(volume_minutes=4_500)

    [warning] = unusual_terms_warnings(request.terms)
    assert "8割" in warning


def test_a_tolerance_in_the_request_reaches_the_carved_task() -> None:
    request = submit(overtime_tolerance_minutes=20)

    task = request.carve(starts_at=START, ends_at=START + timedelta(hours=1))

    assert task.overtime_tolerance_minutes == 20
    assert task.minutes_limit == 80
