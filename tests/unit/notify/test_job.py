"""Notify's Job: check-in inside the broker's window, and what the broker's facts do to it."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from broker.domain.task import CHECK_IN_EARLY as BROKER_CHECK_IN_EARLY
from notify.domain.job import Job, JobState, job_id
from notify.domain.pay import ConfirmedWork
from notify.domain.shift import CHECK_IN_EARLY, Step
from payout.domain.money import Terms, for_work

STARTS = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)  # 水曜日 10:00 in Tokyo
ENDS = STARTS + timedelta(hours=3)


def a_job(**overrides: object) -> Job:
    """An assigned 10:00〜13:00 shift, its Assigned event already collected."""
    task, worker = uuid4(), uuid4()
    fields: dict[str, object] = {
        "id": job_id(task, worker),
        "tenant": "mine-wakuwaku",
        "task_id": task,
        "worker_id": worker,
        "starts_at": STARTS,
        "ends_at": ENDS,
        "shown": {"title": "栗の収穫", "starts_at": STARTS, "ends_at": ENDS},
    }
    job = Job(**(fields | overrides))  # type: ignore[arg-type]
    job.collect_events()
    return job


def confirmed_work(worked_minutes: int = 180, **overrides: object) -> ConfirmedWork:
    fields: dict[str, object] = {
        "started_at": STARTS,
        "finished_at": ENDS,
        "worked_minutes": worked_minutes,
        "reward_kind": "hourly",
        "reward_yen": 1050,
        "transport_allowance_yen": 300,
        "withholding_applies": False,
    }
    return ConfirmedWork(**(fields | overrides))  # type: ignore[arg-type]


def test_the_check_in_window_is_the_brokers_when_both_are_read() -> None:
    assert CHECK_IN_EARLY == BROKER_CHECK_IN_EARLY


@pytest.mark.parametrize(
    "at", [STARTS - timedelta(minutes=60), STARTS, ENDS], ids=["an hour early", "start", "end"]
)
def test_a_check_in_inside_the_window_is_recorded(at: datetime) -> None:
    job = a_job()

    step = job.check_in(at=at, channel="web")

    assert step is Step.RECORDED
    [checked_in] = job.collect_events()
    assert isinstance(checked_in, Job.CheckedIn)
    assert job.state is JobState.CHECKED_IN


@pytest.mark.parametrize(
    ("at", "refused"),
    [
        (STARTS - timedelta(minutes=61), Step.TOO_EARLY),
        (STARTS - timedelta(days=6), Step.TOO_EARLY),
        (ENDS + timedelta(minutes=1), Step.TOO_LATE),
    ],
    ids=["61 minutes early", "six days early", "after the end"],
)
def test_a_check_in_outside_the_window_records_nothing(at: datetime, refused: Step) -> None:
    job = a_job()

    assert job.check_in(at=at, channel="web") is refused

    assert job.collect_events() == []
    assert job.state is JobState.ASSIGNED


def test_a_check_out_before_the_shift_starts_records_nothing() -> None:
    job = a_job()
    job.check_in(at=STARTS - timedelta(minutes=30), channel="web")
    job.collect_events()

    step = job.check_out(at=STARTS - timedelta(minutes=5), minutes=25, note="", channel="web")

    assert step is Step.TOO_EARLY
    assert job.collect_events() == []


def test_confirmed_work_is_finished_with_its_pay_and_takes_no_check_in() -> None:
    job = a_job()

    job.confirm(confirmed_work(175))

    [confirmed] = job.collect_events()
    assert isinstance(confirmed, Job.WorkConfirmed)
    assert job.state is JobState.COMPLETED
    assert job.confirmed is not None
    assert job.confirmed.pay_yen == 3063 + 300  # ¥1,050 × 175 min = ¥3,062.5, rounded up
    assert job.check_in(at=STARTS, channel="web") is Step.ENDED
    assert job.collect_events() == []


def test_a_coordinators_check_in_starts_the_job_and_the_page_adds_nothing() -> None:
    job = a_job()

    job.record_start(STARTS + timedelta(minutes=2))

    assert job.state is JobState.CHECKED_IN
    assert job.check_in(at=STARTS + timedelta(minutes=3), channel="web") is Step.REPEATED
    [started] = job.collect_events()
    assert isinstance(started, Job.WorkStarted)


def test_a_no_show_ends_the_job_once_and_refuses_a_check_in() -> None:
    job = a_job()

    job.record_no_show()
    job.record_no_show()

    [no_show] = job.collect_events()
    assert isinstance(no_show, Job.NoShowRecorded)
    assert job.state is JobState.NO_SHOW
    assert job.check_in(at=STARTS, channel="web") is Step.ENDED


def test_a_dispute_holds_the_pay_and_its_settlement_pays_the_agreed_minutes() -> None:
    job = a_job()
    job.confirm(confirmed_work(180))

    job.hold_pay("時間が ちがう")
    held = job.state
    job.settle_pay(120)

    assert held is JobState.DISPUTED
    assert job.state is JobState.COMPLETED
    assert job.confirmed is not None
    assert job.confirmed.worked_minutes == 120
    assert job.confirmed.pay_yen == 2100 + 300


def test_a_dispute_before_the_confirmation_changes_nothing() -> None:
    job = a_job()

    job.hold_pay("?")
    job.settle_pay(60)

    assert job.collect_events() == []
    assert job.state is JobState.ASSIGNED


def test_after_a_no_show_the_same_worker_can_be_assigned_again() -> None:
    job = a_job()
    job.record_no_show()
    later = STARTS + timedelta(days=1)

    again = job.reassign(starts_at=later, ends_at=later + timedelta(hours=3), shown={})

    assert again
    assert job.state is JobState.ASSIGNED
    assert job.starts_at == later
    assert not job.reassign(starts_at=later, ends_at=None, shown={})  # not while it is theirs


def test_a_job_recorded_before_the_end_was_kept_takes_it_from_what_was_shown() -> None:
    job = a_job(ends_at=None, shown={"ends_at": ENDS.isoformat(), "starts_at": STARTS})

    assert job.ends_at == ENDS
    assert job.check_in(at=ENDS + timedelta(minutes=1), channel="web") is Step.TOO_LATE


@pytest.mark.parametrize(
    ("kind", "rate", "minutes", "transport"),
    [
        ("hourly", 1050, 175, 300),
        ("hourly", 1050, 180, 0),
        ("hourly", 999, 1, 120),
        ("fixed", 4500, 60, 300),
        ("fixed", 4500, 0, 300),  # a dispute settled at nothing owed
        ("hourly", 1050, 0, 300),
    ],
)
def test_the_pay_shown_is_what_payout_accrues(
    kind: str, rate: int, minutes: int, transport: int
) -> None:
    work = confirmed_work(
        minutes, reward_kind=kind, reward_yen=rate, transport_allowance_yen=transport
    )
    accrued = for_work(
        kind=kind,
        rate_yen=rate,
        minutes=minutes,
        transport_yen=transport,
        withholding_applies=False,
        terms=Terms(),
    )

    assert work.pay_yen == accrued.reward + accrued.transport
    assert work.travel_yen == accrued.transport
