"""A requester submits a job request (業務依頼)."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.districts import council_districts
from broker.domain.job_request import JobRequest
from broker.domain.values import TOKYO, PhysicalLoad, RewardKind, Sector

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,49}$")]
MinuteOfDay = Annotated[int, msgspec.Meta(ge=0, le=1440)]
Yen = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class TaskSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """仕様書: what the worker does, gets, brings, and must watch for."""

    steps: list[Text] = msgspec.field(default_factory=list)
    provided: list[Text] = msgspec.field(default_factory=list)
    bring: Annotated[list[Text], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    safety: list[Text] = msgspec.field(default_factory=list)
    acceptance: Text = "依頼主が作業結果を確認します (the requester checks the result)"
    """How the result is accepted (検収): a deliverable, not hours of presence."""


class SubmitJobRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a requester asks for, and on what terms."""

    title: Text
    description: LongText = ""
    work_type: Code
    sector: Sector
    district: Text | None = None
    """Where the work happens, a district code such as `ofuku`; None when done at home (在宅)."""
    address: Text | None = None
    """The street address within the district, shown to the assigned worker only."""
    starts_on: date
    ends_on: date
    window_start: MinuteOfDay
    """Earliest start each day, minutes after midnight (Asia/Tokyo)."""
    window_end: MinuteOfDay
    volume_minutes: Annotated[int, msgspec.Meta(ge=15, le=200_000)]
    """All the work asked for, in person-minutes."""
    min_shift_minutes: Annotated[int, msgspec.Meta(ge=15, le=720)] = 60
    max_shift_minutes: Annotated[int, msgspec.Meta(ge=15, le=720)] = 240
    headcount_max: Annotated[int, msgspec.Meta(ge=1, le=200)] = 10
    """The most people working at once; a day holds at most window × headcount_max minutes."""
    overtime_tolerance_minutes: Annotated[int, msgspec.Meta(ge=0, le=120)] = 0
    """Minutes a 検収 may exceed a shift's length without a coordinator's approval."""
    skills: list[Code] = msgspec.field(default_factory=list)
    load: PhysicalLoad = PhysicalLoad.LIGHT
    team: bool = False
    reward_kind: RewardKind
    reward_yen: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    transport_allowance_yen: Yen = 0
    withholding_applies: bool = False
    """True for 所得税法204条 work (teaching, design …)."""
    spec: TaskSpec = msgspec.field(default_factory=TaskSpec)


def submit_job_request(
    app: BrokerApplication,
    cmd: SubmitJobRequest,
    *,
    tenant: str,
    requester_id: UUID,
    now: datetime,
) -> UUID:
    """Record the request and return its id.

    Raises:
        DistrictUnknownError: the district is not one of the council's.
        VolumeOverCapacityError: more minutes a day than the window and headcount hold.
        InvalidRequestError: impossible dates, window or shift lengths.
    """
    terms = msgspec.to_builtins(cmd)
    today = now.astimezone(TOKYO).date()
    request = JobRequest.submit(
        tenant=tenant,
        requester_id=requester_id,
        terms=terms,
        today=today,
        districts=council_districts(app.places),
    )
    app.save(request)
    return request.id
