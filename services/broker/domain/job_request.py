"""A job request (業務依頼): what a requester asks the council to get done, and on what terms.

How much work a request may ask for: on any one day at most `headcount_max` people work at
once (carving never places more copies of a shift than that), so a day holds at most
`window minutes × headcount_max` person-minutes. A request whose volume per day exceeds
that is refused; one that fills most of it, or asks for less than one shortest shift, is
accepted with a warning.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from broker.domain.errors import (
    DistrictUnknownError,
    InvalidRequestError,
    TaskStateError,
    VolumeOverCapacityError,
)
from broker.domain.task import Task

NEAR_CAPACITY = 0.8
"""A request filling more than this share of its days' capacity gets a warning."""
LARGE_TOLERANCE_MINUTES = 60
"""An overtime tolerance above this gets a warning (the schema allows up to 120)."""


def days_asked(terms: Mapping[str, Any]) -> int:
    """How many calendar days the request spans, both ends included."""
    first, last = date.fromisoformat(terms["starts_on"]), date.fromisoformat(terms["ends_on"])
    return (last - first).days + 1


def capacity_minutes(terms: Mapping[str, Any]) -> int:
    """The most person-minutes the request's days can hold: window × headcount_max a day."""
    window = int(terms["window_end"]) - int(terms["window_start"])
    return days_asked(terms) * window * int(terms["headcount_max"])


def unusual_terms_warnings(terms: Mapping[str, Any]) -> list[str]:
    """Odd but possible terms, worth a second look by the requester and the coordinator."""
    warnings = []
    capacity = capacity_minutes(terms) if days_asked(terms) > 0 else 0
    if capacity and terms["volume_minutes"] > NEAR_CAPACITY * capacity:
        warnings.append(
            f"依頼量が、期間中に働ける最大量 {capacity:,}分 の8割を超えています。"
            "全員が毎日ほぼずっと働く計算です"
            f" (the volume needs over 80% of the most the days can hold, {capacity:,} "
            "person-minutes: nearly every slot full every day)"
        )
    if terms["volume_minutes"] < terms["min_shift_minutes"]:
        warnings.append(
            f"依頼量 {terms['volume_minutes']}分 は、最短の仕事 {terms['min_shift_minutes']}分 "
            f"より少ないです (the volume is less than one shortest shift of "
            f"{terms['min_shift_minutes']} min)"
        )
    tolerance = terms.get("overtime_tolerance_minutes", 0)
    if tolerance > LARGE_TOLERANCE_MINUTES:
        warnings.append(
            f"超過の許容 {tolerance}分 は大きめです (an overtime tolerance of {tolerance} min "
            "is large: minutes beyond the shift are paid without approval)"
        )
    return warnings


class JobRequest(Aggregate):
    """One requester's request; tasks are carved out of it."""

    class Submitted(Aggregate.Created):
        """A requester asked for work to be done."""

        tenant: str
        requester_id: UUID
        terms: dict[str, Any]

    class TaskCarved(Aggregate.Event):
        """A task was carved out of this request."""

        task_id: UUID
        minutes: int

    class Cancelled(Aggregate.Event):
        """The requester withdrew the request; its open tasks are cancelled too."""

        reason: str

    @event(Submitted)
    def __init__(self, *, tenant: str, requester_id: UUID, terms: dict[str, Any]) -> None:
        self.tenant, self.requester_id, self.terms = tenant, requester_id, terms
        self.task_ids: list[UUID] = []
        self.carved_minutes = 0
        self.cancelled = False

    @classmethod
    def submit(
        cls,
        *,
        tenant: str,
        requester_id: UUID,
        terms: dict[str, Any],
        today: date,
        districts: Mapping[str, str],
    ) -> "JobRequest":
        """Check the terms make sense and record the request.

        `districts` are the council's district codes with their names.

        Raises:
            DistrictUnknownError: the district is not one of `districts`.
            InvalidRequestError: past or reversed dates, an empty daily window, or shift
                lengths that cannot fit.
            VolumeOverCapacityError: more person-minutes a day than the window and the
                headcount can hold.
        """
        district = terms["district"]
        if district is not None and district not in districts:
            raise DistrictUnknownError(district, districts)
        starts_on = date.fromisoformat(terms["starts_on"])
        ends_on = date.fromisoformat(terms["ends_on"])
        problems = []
        if starts_on < today:
            problems.append("the first day is in the past")
        if ends_on < starts_on:
            problems.append("the last day comes before the first day")
        if terms["window_end"] <= terms["window_start"]:
            problems.append("the daily time window ends before it starts")
        if terms["max_shift_minutes"] < terms["min_shift_minutes"]:
            problems.append("the longest shift is shorter than the shortest")
        if terms["min_shift_minutes"] > terms["window_end"] - terms["window_start"]:
            problems.append("no shift fits in the daily window")
        if problems:
            raise InvalidRequestError("; ".join(problems))
        if terms["volume_minutes"] > capacity_minutes(terms):
            raise VolumeOverCapacityError(
                terms["volume_minutes"],
                days=days_asked(terms),
                window_minutes=terms["window_end"] - terms["window_start"],
                headcount=terms["headcount_max"],
            )
        return cls(tenant=tenant, requester_id=requester_id, terms=terms)

    def carve(self, *, starts_at: datetime, ends_at: datetime) -> Task:
        """Carve one task on this request's terms and remember it (業務切り出し).

        Raises:
            TaskStateError: the request was cancelled.
        """
        terms = self.terms
        task = Task(
            tenant=self.tenant,
            job_request_id=self.id,
            requester_id=self.requester_id,
            title=terms["title"],
            work_type=terms["work_type"],
            sector=terms["sector"],
            district=terms["district"],
            starts_at=starts_at,
            ends_at=ends_at,
            load=terms["load"],
            team=terms["team"],
            skills=list(terms["skills"]),
            reward_kind=terms["reward_kind"],
            reward_yen=terms["reward_yen"],
            transport_allowance_yen=terms["transport_allowance_yen"],
            withholding_applies=terms["withholding_applies"],
            bring=list(terms.get("spec", {}).get("bring", [])),
            overtime_tolerance_minutes=int(terms.get("overtime_tolerance_minutes", 0)),
        )
        self.record_task(task.id, task.shift.minutes)
        return task

    def record_task(self, task_id: UUID, minutes: int) -> None:
        """Remember a task carved from this request.

        Raises:
            TaskStateError: the request was cancelled.
        """
        if self.cancelled:
            raise TaskStateError(self.id, "cancelled", "carve a task")
        self._task_carved(task_id=task_id, minutes=minutes)

    @event(TaskCarved)
    def _task_carved(self, task_id: UUID, minutes: int) -> None:
        self.task_ids.append(task_id)
        self.carved_minutes += minutes

    def cancel(self, reason: str) -> None:
        """Withdraw the request (idempotent)."""
        if not self.cancelled:
            self._cancelled(reason=reason)

    @event(Cancelled)
    def _cancelled(self, reason: str) -> None:
        del reason
        self.cancelled = True
