"""A job request (業務依頼): what a requester asks the council to get done, and on what terms."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from broker.domain.errors import InvalidRequestError, TaskStateError
from broker.domain.task import Task


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
        cls, *, tenant: str, requester_id: UUID, terms: dict[str, Any], today: date
    ) -> "JobRequest":
        """Check the terms make sense and record the request.

        Raises:
            InvalidRequestError: past or reversed dates, an empty daily window, or shift
                lengths that cannot fit.
        """
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
