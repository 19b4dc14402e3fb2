"""Facts the broker publishes. Additive changes only: see contracts/README.md."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from contracts.base import AwareDatetime, IntegrationEvent, Minutes, ShortText, Yen
from contracts.values import (
    CancelledBy,
    PhysicalLoad,
    RefusalReason,
    RewardKind,
    Sector,
    Sex,
    WithdrawalReason,
)


class JobRequested(IntegrationEvent, frozen=True, tag="broker.job_requested.v1"):
    """A requester (依頼主) asked the council for work to be done (業務依頼)."""

    job_request_id: UUID
    """The request; tasks carved from it name it."""
    requester_id: UUID
    """The farm, shop, care home, household or city office asking."""
    title: ShortText
    """What the work is, in the requester's words (no personal data)."""
    work_type: ShortText
    """The kind of work, e.g. `harvest`, `packing`, `cleaning`, `smartphone_lesson`."""
    sector: Sector
    """The reporting sector (農林業, 観光業, …)."""
    starts_on: date
    """First day the work may be done (Asia/Tokyo calendar date)."""
    ends_on: date
    """Last day the work may be done (Asia/Tokyo calendar date)."""
    total_volume_minutes: Minutes
    """All the work asked for, in person-minutes."""
    reward_kind: RewardKind
    """Hourly or fixed per task."""
    reward_yen: Yen
    """Yen per hour when hourly, yen per task when fixed."""
    transport_allowance_yen: Yen = 0
    """Yen paid per task on top of the reward for travel."""


class TaskCarvedOut(IntegrationEvent, frozen=True, tag="broker.task_carved_out.v1"):
    """A coordinator carved one short task out of a job request (業務切り出し)."""

    task_id: UUID
    """The task; stable for its whole life."""
    job_request_id: UUID
    """The request the task was carved from."""
    requester_id: UUID
    """Who pays for the task."""
    title: ShortText
    """A short label for the task."""
    work_type: ShortText
    """The kind of work (see JobRequested.work_type)."""
    sector: Sector
    """The reporting sector."""
    district: ShortText | None
    """The district (地区) where the work happens; None when it is done at home."""
    home_based: bool
    """True when the worker does the task at home (在宅)."""
    starts_at: AwareDatetime
    """When the shift begins."""
    ends_at: AwareDatetime
    """When the shift ends."""
    duration_minutes: Minutes
    """Planned working minutes of the shift."""
    reward_kind: RewardKind
    """Hourly or fixed."""
    reward_yen: Yen
    """Yen per hour when hourly, yen per task when fixed."""
    transport_allowance_yen: Yen
    """Yen paid on top of the reward for travel."""
    withholding_applies: bool
    """True when the work is a 所得税法204条 category (e.g. teaching, design)."""
    physical_load: PhysicalLoad
    """How demanding the task is."""
    required_skills: tuple[ShortText, ...] = ()
    """Skills a worker must have, e.g. `forklift`, `care_certificate`."""


class TaskOffered(IntegrationEvent, frozen=True, tag="broker.task_offered.v1"):
    """A task was offered to one worker, who may accept or decline until `expires_at`."""

    offer_id: UUID
    """This offer; answers name it."""
    task_id: UUID
    """The task on offer."""
    worker_id: UUID
    """The one worker this offer is for."""
    expires_at: AwareDatetime
    """The last moment to answer."""
    title: ShortText
    """What to show the worker."""
    district: ShortText | None
    """Where the work happens; None when at home."""
    home_based: bool
    """True when the task is done at home."""
    starts_at: AwareDatetime
    """When the shift begins."""
    ends_at: AwareDatetime
    """When the shift ends."""
    reward_kind: RewardKind
    """Hourly or fixed."""
    reward_yen: Yen
    """Yen per hour when hourly, yen per task when fixed."""
    transport_allowance_yen: Yen
    """Yen paid on top of the reward for travel."""
    work_type: ShortText = ""
    """The kind of work (harvest, cleaning …); empty in offers made before it was sent."""
    bring: Annotated[list[ShortText], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    """What the worker should bring (軍手, 長靴 …), from the task spec."""
    district_name: ShortText = ""
    """The district as people say it (於福町); empty when home-based or not known."""


class OfferExpired(IntegrationEvent, frozen=True, tag="broker.offer_expired.v1"):
    """An offer was not answered in time; the task may go to someone else."""

    offer_id: UUID
    """The offer that lapsed."""
    task_id: UUID
    """Its task."""
    worker_id: UUID
    """The worker who did not answer."""


class OfferWithdrawn(IntegrationEvent, frozen=True, tag="broker.offer_withdrawn.v1"):
    """An open offer was taken back; the worker can no longer accept it."""

    offer_id: UUID
    """The offer taken back."""
    task_id: UUID
    """Its task."""
    worker_id: UUID
    """The worker who held the offer."""
    reason: WithdrawalReason
    """Why it was taken back."""


class TaskAccepted(IntegrationEvent, frozen=True, tag="broker.task_accepted.v1"):
    """The broker bound the task to the first worker whose acceptance was valid (受託)."""

    task_id: UUID
    """The task now assigned."""
    offer_id: UUID
    """The offer whose acceptance won; the task's id again when a coordinator assigned the
    task directly, without an offer the worker answered."""
    worker_id: UUID
    """The worker who will do the task."""
    starts_at: AwareDatetime
    """When the shift begins (for reminders)."""
    ends_at: AwareDatetime | None = None
    """When the shift ends; None in events published before it was sent."""
    title: ShortText = ""
    """What to show the worker; empty in events published before it was sent."""
    work_type: ShortText = ""
    """The kind of work (harvest, cleaning …); empty when not sent."""
    district: ShortText | None = None
    """Where the work happens; None when at home or not sent."""
    district_name: ShortText = ""
    """The district as people say it (於福町); empty when home-based or not sent."""
    home_based: bool = False
    """True when the task is done at home."""
    reward_kind: RewardKind | None = None
    """Hourly or fixed; None in events published before the terms were sent."""
    reward_yen: Yen = 0
    """Yen per hour when hourly, yen per task when fixed (0 when not sent)."""
    transport_allowance_yen: Yen = 0
    """Yen paid on top of the reward for travel."""
    bring: Annotated[list[ShortText], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    """What the worker should bring (軍手, 長靴 …), from the task spec."""


class TaskAssignmentRefused(IntegrationEvent, frozen=True, tag="broker.task_assignment_refused.v1"):
    """A worker's acceptance arrived too late or on a dead offer; the task is not theirs."""

    task_id: UUID
    """The task the worker tried to take."""
    offer_id: UUID
    """The offer they answered."""
    worker_id: UUID
    """The worker whose answer was refused."""
    reason: RefusalReason
    """Why the answer could not be honoured."""


class TaskCancelled(IntegrationEvent, frozen=True, tag="broker.task_cancelled.v1"):
    """The task will not be done. After acceptance, payout may owe compensation."""

    task_id: UUID
    """The cancelled task."""
    job_request_id: UUID
    """Its job request."""
    requester_id: UUID
    """Who asked for the task."""
    cancelled_by: CancelledBy
    """The requester or a coordinator."""
    worker_id: UUID | None
    """The assigned worker when it was cancelled after acceptance, else None."""
    after_acceptance: bool
    """True when a worker had already been assigned."""
    starts_at: AwareDatetime
    """When the shift would have begun (compensation depends on the notice given)."""
    reward_kind: RewardKind
    """The reward rule of the task, for compensation."""
    reward_yen: Yen
    """Yen per hour when hourly, yen per task when fixed."""
    duration_minutes: Minutes
    """Planned working minutes of the shift."""
    reason: ShortText = ""
    """Free-text reason as given (no personal data)."""


class WorkStarted(IntegrationEvent, frozen=True, tag="broker.work_started.v1"):
    """The assigned worker checked in and began the task."""

    task_id: UUID
    """The task being worked."""
    worker_id: UUID
    """Who checked in."""
    started_at: AwareDatetime
    """The check-in time."""


class WorkCompleted(IntegrationEvent, frozen=True, tag="broker.work_completed.v1"):
    """The task was done and confirmed; the worker has earned the reward."""

    task_id: UUID
    """The completed task."""
    job_request_id: UUID
    """Its job request."""
    worker_id: UUID
    """Who did the work."""
    requester_id: UUID
    """Who pays for it."""
    sector: Sector
    """The reporting sector."""
    started_at: AwareDatetime
    """Check-in time."""
    finished_at: AwareDatetime
    """Check-out time."""
    worked_minutes: Minutes
    """Minutes actually worked (the basis of an hourly reward)."""
    reward_kind: RewardKind
    """Hourly or fixed."""
    reward_yen: Yen
    """Yen per hour when hourly, yen per task when fixed."""
    transport_allowance_yen: Yen
    """Yen paid on top of the reward for travel."""
    withholding_applies: bool
    """True when the work is a 所得税法204条 category."""


class WorkDisputed(IntegrationEvent, frozen=True, tag="broker.work_disputed.v1"):
    """The requester or the worker disputes the completed work; its reward is on hold."""

    task_id: UUID
    """The disputed task."""
    worker_id: UUID
    """Who did the work."""
    requester_id: UUID
    """Who asked for it."""
    reason: ShortText
    """What is disputed."""


class DisputeResolved(IntegrationEvent, frozen=True, tag="broker.dispute_resolved.v1"):
    """A coordinator settled a dispute: the minutes agreed are the ones to pay for."""

    task_id: UUID
    """The disputed task."""
    worker_id: UUID
    """Who did the work."""
    requester_id: UUID
    """Who asked for it."""
    worked_minutes: Minutes
    """Minutes the reward is now based on (0: nothing is owed)."""
    resolution: ShortText
    """What was agreed, in words (no personal data)."""


class NoShowRecorded(IntegrationEvent, frozen=True, tag="broker.no_show_recorded.v1"):
    """The assigned worker did not come; no reward is due."""

    task_id: UUID
    """The task that was not done."""
    worker_id: UUID
    """The worker who did not come."""
    starts_at: AwareDatetime
    """When the shift should have begun."""


class WorkerRegistered(IntegrationEvent, frozen=True, tag="broker.worker_registered.v1"):
    """A person registered with the council as a worker (登録者).

    Carries no personal data: names, contacts, address and bank details stay encrypted in
    the broker's own store. Birth year, sex and district are coarse statistics the council
    must report by (age band × sex); they survive erasure on purpose.
    """

    worker_id: UUID
    """The registrant; stable for life, never derived from personal data."""
    birth_year: Annotated[int, msgspec.Meta(ge=0, le=2200)] = 0
    """Year of birth for age-band reporting; 0 when not given."""
    sex: Sex = Sex.UNSTATED
    """Sex for KPI reporting."""
    district: ShortText | None = None
    """Home district (地区), for place constraints and reporting; None when not given."""


class WorkerErased(IntegrationEvent, frozen=True, tag="broker.worker_erased.v1"):
    """A worker's personal data was destroyed on request (APPI 利用停止・削除)."""

    worker_id: UUID
    """The registrant whose data key was destroyed; history keeps only this id."""


BrokerEvent = (
    JobRequested
    | TaskCarvedOut
    | TaskOffered
    | OfferExpired
    | OfferWithdrawn
    | TaskAccepted
    | TaskAssignmentRefused
    | TaskCancelled
    | WorkStarted
    | WorkCompleted
    | WorkDisputed
    | DisputeResolved
    | NoShowRecorded
    | WorkerRegistered
    | WorkerErased
)
broker_decoder: msgspec.json.Decoder[BrokerEvent] = msgspec.json.Decoder(BrokerEvent)
