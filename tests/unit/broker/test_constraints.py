"""Hard constraints: given/when/then examples, and properties over random populations."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import jpholiday
from hypothesis import given, settings
from hypothesis import strategies as st

from broker.domain.constraints import Broken, Candidate, Places, broken_by
from broker.domain.matching import first_eligible, rank_candidates
from broker.domain.values import (
    TOKYO,
    Booking,
    Constraints,
    DailyWindow,
    PhysicalLoad,
    Shift,
    Travel,
    WorkStyle,
    iso_week,
)
from broker.domain.worker import Worker, constraints_to_state
from broker.registry import Registry

PLACES = Places(
    car_minutes={
        frozenset(("ofuku", "omine")): 15,
        frozenset(("omine", "shuho")): 20,
        frozenset(("ofuku", "shuho")): 30,
    }
)
DISTRICTS = ["ofuku", "omine", "shuho"]


def is_holiday(day: object) -> bool:
    return isinstance(day, date) and jpholiday.is_holiday(day)


def at_jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO).astimezone(UTC)


def a_shift(**overrides: object) -> Shift:
    fields: dict[str, object] = {
        "starts_at": at_jst("2026-10-20 09:00"),  # a Tuesday
        "ends_at": at_jst("2026-10-20 12:00"),
        "district": "ofuku",
        "load": PhysicalLoad.LIGHT,
        "team": False,
        "skills": frozenset(),
    }
    return Shift(**(fields | overrides))  # type: ignore[arg-type]


WEEKDAY_MORNINGS = {day: (DailyWindow(8 * 60, 13 * 60),) for day in range(5)}


def a_candidate(**overrides: object) -> Candidate:
    constraints = overrides.pop("constraints", None) or Constraints(
        weekly=WEEKDAY_MORNINGS,
        home_district="ofuku",
        travel=Travel.BICYCLE,
        max_travel_minutes=40,
        max_load=PhysicalLoad.MEDIUM,
    )
    fields: dict[str, object] = {
        "worker_id": uuid4(),
        "constraints": constraints,
        "skills": frozenset({"harvest"}),
    }
    return Candidate(**(fields | overrides))  # type: ignore[arg-type]


def broken(shift: Shift, candidate: Candidate) -> list[Broken]:
    return broken_by(shift, candidate, is_holiday=is_holiday, places=PLACES)


def test_shift_fits_when_every_dimension_allows_it() -> None:
    assert broken(a_shift(), a_candidate()) == []


def test_shift_breaks_hours_when_it_ends_after_the_window() -> None:
    assert broken(a_shift(ends_at=at_jst("2026-10-20 13:30")), a_candidate()) == [Broken.HOURS]


def test_shift_breaks_day_off_when_it_falls_on_a_public_holiday() -> None:
    holiday = a_shift(starts_at=at_jst("2026-11-23 09:00"), ends_at=at_jst("2026-11-23 11:00"))

    assert Broken.DAY_OFF in broken(holiday, a_candidate())


def test_shift_breaks_travel_when_the_district_is_too_far_by_bicycle() -> None:
    far = a_shift(district="shuho")  # 30 min by car, 75 by bicycle

    assert broken(far, a_candidate()) == [Broken.TRAVEL]


def test_home_based_shift_fits_when_the_worker_cannot_leave_home() -> None:
    carer = a_candidate(constraints=Constraints(weekly=WEEKDAY_MORNINGS, style=WorkStyle.HOME_ONLY))

    assert broken(a_shift(district=None), carer) == []
    assert broken(a_shift(), carer) == [Broken.PLACE]


def test_shift_breaks_load_skills_and_solo_when_too_demanding() -> None:
    solo = a_candidate(
        constraints=Constraints(
            weekly=WEEKDAY_MORNINGS,
            home_district="ofuku",
            travel=Travel.CAR,
            max_travel_minutes=30,
            style=WorkStyle.SOLO_ONLY,
        )
    )
    hard = a_shift(load=PhysicalLoad.HEAVY, team=True, skills=frozenset({"forklift"}))

    assert broken(hard, solo) == [Broken.SKILLS, Broken.LOAD, Broken.SOLO]


def test_shift_breaks_the_weekly_cap_when_accepted_tasks_fill_the_week() -> None:
    monday = at_jst("2026-10-19 08:00")
    held = tuple(
        Booking(uuid4(), monday + timedelta(days=d), monday + timedelta(days=d, hours=4.5))
        for d in range(5)
        if d != 1
    )  # 18 hours on Mon, Wed, Thu, Fri
    shift = a_shift()  # 3 more hours on Tuesday

    assert broken(shift, a_candidate(bookings=held[:3])) == []
    assert broken(shift, a_candidate(bookings=held)) == [Broken.WEEKLY_CAP]


def test_shift_breaks_overlap_when_the_worker_holds_a_task_then() -> None:
    held = (Booking(uuid4(), at_jst("2026-10-20 11:00"), at_jst("2026-10-20 12:30")),)

    assert broken(a_shift(), a_candidate(bookings=held)) == [Broken.OVERLAP]


# ---- properties over random populations -------------------------------------------------

windows = st.builds(
    lambda start, length: DailyWindow(start, min(start + length, 1440)),
    st.integers(0, 1380).map(lambda m: m - m % 30),
    st.integers(60, 600).map(lambda m: m - m % 30),
)
constraints_strategy = st.builds(
    Constraints,
    weekly=st.dictionaries(st.integers(0, 6), st.lists(windows, max_size=2).map(tuple)),
    available_from=st.none() | st.dates(date(2026, 9, 1), date(2026, 11, 30)),
    available_until=st.none() | st.dates(date(2026, 10, 1), date(2027, 1, 31)),
    days_off=st.frozensets(st.integers(0, 6), max_size=3),
    holidays_off=st.booleans(),
    dates_off=st.frozensets(st.dates(date(2026, 10, 1), date(2026, 11, 30)), max_size=3),
    home_district=st.none() | st.sampled_from(DISTRICTS),
    travel=st.sampled_from(list(Travel)),
    max_travel_minutes=st.integers(0, 90),
    max_load=st.sampled_from(list(PhysicalLoad)),
    style=st.sampled_from(list(WorkStyle)),
    weekly_cap_minutes=st.integers(0, 1500),
    monthly_cap_days=st.integers(0, 12),
)
instants = st.integers(0, 60 * 24 * 60).map(
    lambda m: datetime(2026, 10, 1, tzinfo=TOKYO) + timedelta(minutes=m - m % 15)
)
bookings = st.builds(
    lambda start, minutes: Booking(uuid4(), start, start + timedelta(minutes=minutes)),
    instants,
    st.integers(30, 300),
)
candidates = st.builds(
    Candidate,
    worker_id=st.uuids(),
    constraints=constraints_strategy,
    skills=st.frozensets(st.sampled_from(["harvest", "forklift", "care", "pc"]), max_size=3),
    bookings=st.lists(bookings, max_size=6).map(tuple),
    paused=st.booleans(),
    recent_minutes=st.integers(0, 3000),
    preferred_work_types=st.frozensets(st.sampled_from(["harvest", "cleaning"]), max_size=2),
)
shifts = st.builds(
    lambda start, minutes, district, load, team, skills: Shift(
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        district=district,
        load=load,
        team=team,
        skills=skills,
    ),
    instants,
    st.integers(30, 240).map(lambda m: m - m % 15),
    st.none() | st.sampled_from(DISTRICTS),
    st.sampled_from(list(PhysicalLoad)),
    st.booleans(),
    st.frozensets(st.sampled_from(["harvest", "forklift", "care", "pc"]), max_size=2),
)


def oracle_fits(shift: Shift, candidate: Candidate) -> bool:  # noqa: C901, PLR0911, PLR0912
    """The constraint rules, written a second time in the plainest possible way."""
    c = candidate.constraints
    local_start = shift.starts_at.astimezone(TOKYO)
    local_end = shift.ends_at.astimezone(TOKYO)
    day = local_start.date()
    if candidate.paused:
        return False
    if c.available_from is not None and day < c.available_from:
        return False
    if c.available_until is not None and day > c.available_until:
        return False
    if day.weekday() in c.days_off or day in c.dates_off:
        return False
    if c.holidays_off and jpholiday.is_holiday(day):
        return False
    start_minute = local_start.hour * 60 + local_start.minute
    end_minute = start_minute + shift.minutes
    if local_end.date() != day and end_minute != 1440:
        return False
    if not any(
        w.start <= start_minute and end_minute <= w.end for w in c.weekly.get(day.weekday(), ())
    ):
        return False
    if shift.district is not None:
        if c.style == WorkStyle.HOME_ONLY or c.home_district is None or c.travel == Travel.NONE:
            return False
        travel = PLACES.travel_minutes(c.home_district, shift.district, c.travel)
        if travel is None or travel > c.max_travel_minutes:
            return False
    if not shift.skills.issubset(candidate.skills):
        return False
    order = [PhysicalLoad.LIGHT, PhysicalLoad.MEDIUM, PhysicalLoad.HEAVY]
    if order.index(shift.load) > order.index(c.max_load):
        return False
    if shift.team and c.style == WorkStyle.SOLO_ONLY:
        return False
    for booking in candidate.bookings:
        if booking.starts_at < shift.ends_at and shift.starts_at < booking.ends_at:
            return False
    same_week = [b for b in candidate.bookings if iso_week(b.local_day) == iso_week(day)]
    if sum(b.minutes for b in same_week) + shift.minutes > c.weekly_cap_minutes:
        return False
    same_month = {
        b.local_day
        for b in candidate.bookings
        if b.local_day.month == day.month and b.local_day.year == day.year
    }
    return len(same_month | {day}) <= c.monthly_cap_days


@settings(max_examples=300, deadline=None)
@given(shift=shifts, candidate=candidates)
def test_broken_by_agrees_with_the_plain_rules_when_any_worker_meets_any_shift(
    shift: Shift, candidate: Candidate
) -> None:
    assert (broken(shift, candidate) == []) == oracle_fits(shift, candidate)


@settings(max_examples=100, deadline=None)
@given(shift=shifts, population=st.lists(candidates, max_size=40), limit=st.integers(1, 10))
def test_no_offer_breaks_a_constraint_and_none_fit_is_missed_when_ranking(
    shift: Shift, population: list[Candidate], limit: int
) -> None:
    ranked = rank_candidates(
        shift, "harvest", population, is_holiday=is_holiday, places=PLACES, limit=limit
    )

    by_id = {c.worker_id: c for c in population}
    fitting = [c for c in population if oracle_fits(shift, c)]
    assert all(oracle_fits(shift, by_id[r.worker_id]) for r in ranked)
    assert len(ranked) == min(limit, len(fitting))
    fairness = [r.recent_minutes for r in ranked]
    assert fairness == sorted(fairness)
    if len(ranked) == limit and len(fitting) > limit:
        assert max(fairness) <= min(
            c.recent_minutes for c in fitting if c.worker_id not in {r.worker_id for r in ranked}
        )


def test_ranked_reasons_name_fairness_when_read_by_an_auditor() -> None:
    fair, busy = a_candidate(recent_minutes=60), a_candidate(recent_minutes=900)

    ranked = rank_candidates(
        a_shift(), "harvest", [busy, fair], is_holiday=is_holiday, places=PLACES, limit=5
    )

    assert [r.worker_id for r in ranked] == [fair.worker_id, busy.worker_id]
    assert "60 min worked or offered in the last 28 days" in ranked[0].reasons
    assert isinstance(ranked[0].worker_id, UUID)


# ---- the registry's index yields workers in exactly the ranking order -------------------

population_specs = st.lists(
    st.tuples(
        constraints_strategy,
        st.frozensets(st.sampled_from(["harvest", "forklift", "care", "pc"]), max_size=3),
        st.frozensets(st.sampled_from(["harvest", "cleaning"]), max_size=2),
        st.sampled_from([0, 0, 60, 120, 180]),
    ),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(shift=shifts, specs=population_specs, limit=st.integers(1, 8))
def test_indexed_matching_equals_ranking_everyone_when_workers_are_many(
    shift: Shift,
    specs: list[tuple[Constraints, frozenset[str], frozenset[str], int]],
    limit: int,
) -> None:
    registry = Registry()
    registry.places = PLACES  # reachability is kept per district of this table
    now = datetime(2026, 9, 30, tzinfo=UTC)
    for number, (constraints, skills, preferred, minutes) in enumerate(specs):
        worker = Worker(
            id=uuid4(),
            personal="sealed:v1:",
            tenant="t",
            birth_year=1950,
            sex="unstated",
            district=None,
            skills=sorted(skills),
            preferred_work_types=sorted(preferred),
            constraints=constraints_to_state(constraints),
        )
        for event in worker.collect_events():
            registry.apply(event)
        if minutes:
            task_id = UUID(int=number + 1)
            registry.shifts[task_id] = (now, now + timedelta(minutes=minutes))
            registry.count(worker.id, task_id, now)
    everyone = list(registry.candidates("t", now))

    expected = rank_candidates(
        shift, "harvest", everyone, is_holiday=is_holiday, places=PLACES, limit=limit
    )
    indexed = first_eligible(
        shift,
        "harvest",
        registry.ordered_candidates(
            "t", shift, "harvest", PLACES, now, holiday=is_holiday(shift.local_day)
        ),
        is_holiday=is_holiday,
        places=PLACES,
        limit=limit,
    )

    assert [r.worker_id for r in indexed] == [r.worker_id for r in expected]
    assert [r.reasons for r in indexed] == [r.reasons for r in expected]
