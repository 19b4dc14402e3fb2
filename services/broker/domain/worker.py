"""A registered worker (登録者): skills, preferences, hard constraints, sealed personal data.

Names, kana, birth date, contacts, address, consent and notes enter these events only as
`personal`: text sealed under the worker's own data key (`backbone.personal`), opaque to
the domain. Erasure destroys that key and records `Erased`; the sealed text stays in the
history, unreadable for ever. What is in the clear is what matching and the council's
reports need.
"""

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from broker.domain.constraints import Candidate
from broker.domain.errors import WorkerErasedError
from broker.domain.values import (
    Booking,
    Constraints,
    DailyWindow,
    PhysicalLoad,
    Travel,
    WorkStyle,
)

State = dict[str, Any]


def constraints_to_state(c: Constraints) -> State:
    """Constraints as plain JSON-friendly values for the event store."""
    return {
        "weekly": {str(day): [[w.start, w.end] for w in ws] for day, ws in c.weekly.items()},
        "available_from": c.available_from.isoformat() if c.available_from else None,
        "available_until": c.available_until.isoformat() if c.available_until else None,
        "days_off": sorted(c.days_off),
        "holidays_off": c.holidays_off,
        "dates_off": sorted(d.isoformat() for d in c.dates_off),
        "home_district": c.home_district,
        "travel": c.travel.value,
        "max_travel_minutes": c.max_travel_minutes,
        "max_load": c.max_load.value,
        "style": c.style.value,
        "weekly_cap_minutes": c.weekly_cap_minutes,
        "monthly_cap_days": c.monthly_cap_days,
    }


def constraints_from_state(s: State) -> Constraints:
    """The inverse of `constraints_to_state`."""
    return Constraints(
        weekly={
            int(day): tuple(DailyWindow(a, b) for a, b in windows)
            for day, windows in s["weekly"].items()
        },
        available_from=date.fromisoformat(s["available_from"]) if s["available_from"] else None,
        available_until=date.fromisoformat(s["available_until"]) if s["available_until"] else None,
        days_off=frozenset(s["days_off"]),
        holidays_off=s["holidays_off"],
        dates_off=frozenset(date.fromisoformat(d) for d in s["dates_off"]),
        home_district=s["home_district"],
        travel=Travel(s["travel"]),
        max_travel_minutes=s["max_travel_minutes"],
        max_load=PhysicalLoad(s["max_load"]),
        style=WorkStyle(s["style"]),
        weekly_cap_minutes=s["weekly_cap_minutes"],
        monthly_cap_days=s["monthly_cap_days"],
    )


class Worker(Aggregate):
    """A registered worker, as matching sees them."""

    class Registered(Aggregate.Created):
        """A coordinator registered a worker after an interview."""

        tenant: str
        birth_year: int
        sex: str
        district: str | None
        skills: list[str]
        preferred_work_types: list[str]
        constraints: State
        personal: str

    class PersonalChanged(Aggregate.Event):
        """The worker's personal details changed (sealed again, never in the clear)."""

        personal: str

    class Erased(Aggregate.Event):
        """The worker's personal data was destroyed on request; no more offers."""

    class ConstraintsChanged(Aggregate.Event):
        """The worker's hard constraints changed (new hours, days off, caps …)."""

        constraints: State

    class SkillsChanged(Aggregate.Event):
        """The worker's skills or preferred work changed."""

        skills: list[str]
        preferred_work_types: list[str]

    class Paused(Aggregate.Event):
        """The worker asked not to receive offers for now."""

    class Resumed(Aggregate.Event):
        """The worker takes offers again."""

    @event(Registered)
    def __init__(  # noqa: PLR0913 - one parameter per registered fact
        self,
        *,
        id: UUID,  # noqa: A002 - chosen first: the personal data is sealed under it
        tenant: str,
        birth_year: int,
        sex: str,
        district: str | None,
        skills: list[str],
        preferred_work_types: list[str],
        constraints: State,
        personal: str,
    ) -> None:
        del id  # eventsourcing sets it
        self.tenant, self.birth_year, self.sex, self.district = tenant, birth_year, sex, district
        self.skills, self.preferred_work_types = skills, preferred_work_types
        self.constraints = constraints
        self.personal = personal
        self.paused = False
        self.erased = False

    def change_personal(self, personal: str) -> None:
        """Record newly sealed personal details.

        Raises:
            WorkerErasedError: the worker was erased.
        """
        if self.erased:
            raise WorkerErasedError(self.id)
        self._personal_changed(personal=personal)

    @event(PersonalChanged)
    def _personal_changed(self, personal: str) -> None:
        self.personal = personal

    def erase(self) -> None:
        """Record the erasure (idempotent); the caller destroys the data key."""
        if not self.erased:
            self._erased()

    @event(Erased)
    def _erased(self) -> None:
        self.erased = True

    def change_constraints(self, constraints: Constraints) -> None:
        """Record new hard constraints.

        Raises:
            WorkerErasedError: the worker was erased.
        """
        if self.erased:
            raise WorkerErasedError(self.id)
        self._constraints_changed(constraints=constraints_to_state(constraints))

    @event(ConstraintsChanged)
    def _constraints_changed(self, constraints: State) -> None:
        self.constraints = constraints

    def change_skills(self, *, skills: list[str], preferred_work_types: list[str]) -> None:
        """Record new skills and preferences.

        Raises:
            WorkerErasedError: the worker was erased.
        """
        if self.erased:
            raise WorkerErasedError(self.id)
        self._skills_changed(skills=skills, preferred_work_types=preferred_work_types)

    @event(SkillsChanged)
    def _skills_changed(self, skills: list[str], preferred_work_types: list[str]) -> None:
        self.skills, self.preferred_work_types = skills, preferred_work_types

    def pause(self) -> None:
        """Stop offers until resumed (idempotent)."""
        if not self.paused:
            self._paused()

    @event(Paused)
    def _paused(self) -> None:
        self.paused = True

    def resume(self) -> None:
        """Take offers again (idempotent).

        Raises:
            WorkerErasedError: the worker was erased and takes no offers.
        """
        if self.erased:
            raise WorkerErasedError(self.id)
        if self.paused:
            self._resumed()

    @event(Resumed)
    def _resumed(self) -> None:
        self.paused = False

    def as_candidate(self, bookings: tuple[Booking, ...], recent_minutes: int) -> Candidate:
        """What matching needs to know of this worker now."""
        return Candidate(
            worker_id=self.id,
            constraints=constraints_from_state(self.constraints),
            skills=frozenset(self.skills),
            bookings=bookings,
            paused=self.paused or self.erased,
            recent_minutes=recent_minutes,
            preferred_work_types=frozenset(self.preferred_work_types),
        )
