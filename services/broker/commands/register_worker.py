"""A coordinator registers a worker after an interview (登録)."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.domain.errors import InvalidRequestError
from broker.domain.values import (
    Constraints,
    DailyWindow,
    PhysicalLoad,
    Travel,
    WorkStyle,
)
from broker.domain.worker import Worker, constraints_to_state

Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,49}$")]
MinuteOfDay = Annotated[int, msgspec.Meta(ge=0, le=1440)]


class Window(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One daily window: minutes after midnight, Asia/Tokyo."""

    start: MinuteOfDay
    end: MinuteOfDay


class ConstraintsBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The seven constraint dimensions as a coordinator enters them."""

    weekly: dict[Annotated[int, msgspec.Meta(ge=0, le=6)], list[Window]]
    """Weekday (0 = Monday) → windows when the worker can work."""
    available_from: date | None = None
    available_until: date | None = None
    days_off: list[Annotated[int, msgspec.Meta(ge=0, le=6)]] = msgspec.field(default_factory=list)
    holidays_off: bool = True
    dates_off: list[date] = msgspec.field(default_factory=list)
    home_district: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    travel: Travel = Travel.NONE
    max_travel_minutes: Annotated[int, msgspec.Meta(ge=0, le=240)] = 0
    max_load: PhysicalLoad = PhysicalLoad.LIGHT
    style: WorkStyle = WorkStyle.TEAM_OK
    weekly_cap_minutes: Annotated[int, msgspec.Meta(ge=0, le=40 * 60)] = 20 * 60
    monthly_cap_days: Annotated[int, msgspec.Meta(ge=0, le=31)] = 10

    def to_domain(self) -> Constraints:
        """The domain's constraints.

        Raises:
            ValueError: a window ends before it starts.
        """
        return Constraints(
            weekly={
                day: tuple(DailyWindow(w.start, w.end) for w in windows)
                for day, windows in self.weekly.items()
            },
            available_from=self.available_from,
            available_until=self.available_until,
            days_off=frozenset(self.days_off),
            holidays_off=self.holidays_off,
            dates_off=frozenset(self.dates_off),
            home_district=self.home_district,
            travel=self.travel,
            max_travel_minutes=self.max_travel_minutes,
            max_load=self.max_load,
            style=self.style,
            weekly_cap_minutes=self.weekly_cap_minutes,
            monthly_cap_days=self.monthly_cap_days,
        )


class RegisterWorker(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What matching and the council's reports need of a new registrant."""

    birth_year: Annotated[int, msgspec.Meta(ge=1900, le=2015)]
    sex: Annotated[str, msgspec.Meta(pattern=r"^(female|male|other|unstated)$")] = "unstated"
    district: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    skills: list[Code] = msgspec.field(default_factory=list)
    preferred_work_types: list[Code] = msgspec.field(default_factory=list)
    constraints: ConstraintsBody


def register_worker(app: BrokerApplication, cmd: RegisterWorker, *, tenant: str) -> UUID:
    """Register the worker and return their id.

    Raises:
        InvalidRequestError: a constraint is impossible.
    """
    try:
        constraints = cmd.constraints.to_domain()
    except ValueError as error:
        raise InvalidRequestError(str(error)) from error
    worker = Worker(
        tenant=tenant,
        birth_year=cmd.birth_year,
        sex=cmd.sex,
        district=cmd.district,
        skills=sorted(set(cmd.skills)),
        preferred_work_types=sorted(set(cmd.preferred_work_types)),
        constraints=constraints_to_state(constraints),
    )
    app.save(worker)
    return worker.id
