"""A coordinator registers a worker after an interview (登録)."""

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

import msgspec

from broker.application import BrokerApplication
from broker.districts import council_districts
from broker.domain.errors import DistrictUnknownError, InvalidRequestError
from broker.domain.values import (
    Constraints,
    DailyWindow,
    PhysicalLoad,
    Travel,
    WorkStyle,
)
from broker.domain.worker import Worker, constraints_to_state
from contracts.values import Channel

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


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Kana = Annotated[str, msgspec.Meta(pattern=r"^[\u3041-\u309f\u30a0-\u30ff\u3000 ]{1,100}$")]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9][0-9-]{8,18}$")]
Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")]
LineUserId = Annotated[str, msgspec.Meta(pattern=r"^U[0-9a-f]{32}$")]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]


class Consent(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the person agreed to at the interview (個人情報の取扱いへの同意)."""

    personal_data: bool
    """Keeping their details to match and pay them; registration needs it."""
    contact: list[Channel] = msgspec.field(default_factory=list)
    """Channels they agreed to be contacted on."""
    health_notes: bool = False
    """Keeping notes on their health (要配慮個人情報: needs its own consent)."""
    recorded_on: date
    """The day consent was given."""


class PersonalDetails(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who the person is and how to reach them: sealed under their own key, never published."""

    name: Name
    kana: Kana
    birth_date: date
    phone: Phone | None = None
    email: Email | None = None
    line_user_id: LineUserId | None = None
    address: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    channels: list[Channel] = msgspec.field(default_factory=lambda: [Channel.WEB])
    """Channels in the person's order of preference; the web inbox is always added last."""
    consent: Consent
    experience: LongText = ""
    health_notes: LongText | None = None
    """Only with `consent.health_notes`."""

    def problems(self, today: date) -> list[str]:
        """Why these details cannot be kept (empty when they can)."""
        found: list[str] = []
        if not self.consent.personal_data:
            found.append("consent to keep personal data is required to register")
        if self.health_notes and not self.consent.health_notes:
            found.append("health notes need the person's recorded consent")
        if not date(1900, 1, 1) <= self.birth_date <= today.replace(year=today.year - 15):
            found.append("birth date must be at least 15 years ago and after 1900")
        if self.consent.recorded_on > today:
            found.append("consent cannot be recorded in the future")
        reachable = {Channel.EMAIL: self.email, Channel.LINE: self.line_user_id}
        reachable |= {Channel.SMS: self.phone, Channel.PHONE: self.phone}
        found.extend(
            f"channel {channel} needs its contact detail"
            for channel in self.channels
            if channel in reachable and not reachable[channel]
        )
        if len(set(self.channels)) != len(self.channels):
            found.append("each channel at most once")
        return found

    def in_order(self) -> "PersonalDetails":
        """These details with the web inbox last in the channel order when missing."""
        if Channel.WEB in self.channels:
            return self
        return msgspec.structs.replace(self, channels=[*self.channels, Channel.WEB])


def seal_personal(app: BrokerApplication, worker_id: UUID, details: PersonalDetails) -> str:
    """Seal the details under the worker's own data key."""
    return app.vault.seal(worker_id, msgspec.json.encode(details.in_order()))


def open_personal(app: BrokerApplication, worker_id: UUID, sealed: str) -> PersonalDetails | None:
    """The worker's details, or None once they were erased."""
    plain = app.vault.open(worker_id, sealed)
    return None if plain is None else msgspec.json.decode(plain, type=PersonalDetails)


class RegisterWorker(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new registrant, as a coordinator records them after the interview."""

    personal: PersonalDetails
    sex: Annotated[str, msgspec.Meta(pattern=r"^(female|male|other|unstated)$")] = "unstated"
    district: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    skills: list[Code] = msgspec.field(default_factory=list)
    preferred_work_types: list[Code] = msgspec.field(default_factory=list)
    constraints: ConstraintsBody


def register_worker(
    app: BrokerApplication, cmd: RegisterWorker, *, tenant: str, today: date
) -> UUID:
    """Register the worker and return their id.

    Raises:
        DistrictUnknownError: the district or home district is not one of the council's.
        InvalidRequestError: a constraint is impossible, or consent or a contact is missing.
    """
    districts = council_districts(app.places)
    for named in (cmd.district, cmd.constraints.home_district):
        if named is not None and named not in districts:
            raise DistrictUnknownError(named, districts)
    try:
        constraints = cmd.constraints.to_domain()
    except ValueError as error:
        raise InvalidRequestError(str(error)) from error
    problems = cmd.personal.problems(today)
    if problems:
        raise InvalidRequestError("; ".join(problems))
    worker_id = uuid4()
    worker = Worker(
        id=worker_id,
        personal=seal_personal(app, worker_id, cmd.personal),
        tenant=tenant,
        birth_year=cmd.personal.birth_date.year,
        sex=cmd.sex,
        district=cmd.district,
        skills=sorted(set(cmd.skills)),
        preferred_work_types=sorted(set(cmd.preferred_work_types)),
        constraints=constraints_to_state(constraints),
    )
    app.save(worker)
    return worker.id
