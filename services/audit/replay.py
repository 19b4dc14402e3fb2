"""Replay: rebuild every read model from nothing and check the invariants of the record.

* every task moves only along legal transitions;
* every offer respected the worker's hard constraints as they stood when it was made;
* every check-in (WorkStarted) came inside its window, from CHECK_IN_EARLY before the
  shift's start until its end;
* every 検収 (WorkCompleted) was confirmed once the shift had started, finished between the
  start and the confirmation (plus CLOCK_SKEW), and paid at most the shift's minutes plus
  the request's tolerance plus any approved excess; a DisputeResolved too, for its minutes.
  Records written before these rules held are checked the same way (confirmation time:
  the event's own timestamp when it has no `confirmed_at`);
* every RewardPaid pays a reward accrued for exactly one WorkCompleted;
* the ledger balances;
* each JetStream stream holds exactly what its store published (nothing missing, nothing
  extra), when the streams can be read.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

from audit.sources import Record
from backbone.flow import envelope_of
from broker.application import is_public_holiday
from broker.districts import mine_city_places
from broker.domain.constraints import Places, broken_by
from broker.domain.task import CHECK_IN_EARLY, CLOCK_SKEW, Task
from broker.messaging.translate import to_contract as broker_contract
from broker.registry import Registry
from notify.board import Board
from notify.messaging.translate import to_contract as notify_contract
from payout.books import Books
from payout.domain.reward import Reward
from payout.messaging.translate import to_contract as payout_contract

TRANSLATORS: dict[str, Callable[..., Any]] = {
    "broker": broker_contract,
    "notify": notify_contract,
    "payout": payout_contract,
}

LEGAL: dict[str, set[str | None]] = {
    "CarvedOut": {None},
    "Offered": {"open"},
    "OfferDeclined": {"open", "assigned", "in_progress", "cancelled", "completed", "disputed"},
    "OfferExpired": {"open", "assigned", "in_progress", "cancelled", "completed", "disputed"},
    "OfferWithdrawn": {"open", "assigned", "in_progress", "cancelled", "completed", "disputed"},
    "AssignmentRefused": {"open", "assigned", "in_progress", "cancelled", "completed", "disputed"},
    "CandidatesExhausted": {"open"},
    "Accepted": {"open"},
    "WorkStarted": {"assigned"},
    "CheckInRefused": {"assigned"},
    "ExcessApproved": {"assigned", "in_progress", "disputed"},
    "WorkReported": {"assigned", "in_progress"},
    "WorkCompleted": {"assigned", "in_progress"},
    "NoShowRecorded": {"assigned"},
    "Cancelled": {"open", "assigned", "in_progress"},
    "WorkDisputed": {"completed"},
    "DisputeResolved": {"disputed"},
}
"""Task event → the statuses it may follow (None: the task did not exist yet)."""


@dataclass
class Violation:
    """One broken invariant, with the ids to look at."""

    service: str
    position: int
    rule: str
    detail: str


@dataclass
class Summary:
    """What a replay found."""

    events: dict[str, int] = field(default_factory=dict)
    tasks: int = 0
    offers_checked: int = 0
    rewards: int = 0
    paid: int = 0
    trial_balances: dict[str, int] = field(default_factory=dict)
    streams_checked: bool = False
    violations: list[Violation] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing broken."""
        return not self.violations


Progress = Callable[[str, int, int], None]
"""`progress(service, done, total)`."""


def work_problems(event: object, before: Task) -> list[tuple[str, str]]:
    """(rule, detail) for every check-in or 検収 rule a stored task event breaks."""
    task = f"task {before.id}"
    starts = before.starts_at
    found: list[tuple[str, str]] = []
    if isinstance(event, Task.WorkStarted):
        opens, closes = starts - CHECK_IN_EARLY, before.ends_at
        if not opens <= event.started_at <= closes:
            detail = f"{task}: checked in {event.started_at:%Y-%m-%dT%H:%M%z}, window "
            detail += f"{opens:%Y-%m-%dT%H:%M%z}..{closes:%Y-%m-%dT%H:%M%z}"
            found.append(("check-in outside its window", detail))
    if isinstance(event, Task.WorkCompleted):
        confirmed = event.confirmed_at or event.timestamp
        when = f"shift starts {starts:%Y-%m-%dT%H:%M%z}, confirmed {confirmed:%Y-%m-%dT%H:%M%z}"
        if confirmed < starts:
            found.append(("work confirmed before the shift started", f"{task}: {when}"))
        if not starts <= event.finished_at <= confirmed + CLOCK_SKEW:
            detail = f"{task}: finished {event.finished_at:%Y-%m-%dT%H:%M%z}, {when}"
            found.append(("finish time outside the shift's start and the confirmation", detail))
    minutes = getattr(event, "worked_minutes", None)
    limited = isinstance(event, Task.WorkCompleted | Task.DisputeResolved)
    if limited and minutes is not None and minutes > before.minutes_limit:
        detail = f"{task}: {minutes} min > {before.minutes_limit} min (shift "
        detail += f"{before.shift.minutes}, tolerance {before.overtime_tolerance_minutes}, "
        detail += f"approved excess {before.approved_excess_minutes})"
        found.append(("minutes over the shift, tolerance and approved excess", detail))
    return found


def replay_broker(
    record: Record, summary: Summary, places: Places, progress: Progress
) -> set[UUID]:
    """Tasks and offers; return the ids of tasks whose work was completed."""
    registry = Registry()
    registry.places = places
    tasks: dict[UUID, Task] = {}
    completed: set[UUID] = set()
    total = record.count()
    for number, (position, event) in enumerate(record.events(), start=1):
        if type(event).__qualname__.startswith("Task."):
            kind = type(event).__name__
            before = tasks.get(event.originator_id)
            status = before.status.value if before is not None else None
            if kind in LEGAL and status not in LEGAL[kind]:
                summary.violations.append(
                    Violation(
                        "broker",
                        position,
                        "illegal task transition",
                        f"task {event.originator_id}: {kind} after {status}",
                    )
                )
            if isinstance(event, Task.Offered) and before is not None:
                summary.offers_checked += 1
                candidate = registry.candidate(event.worker_id, event.timestamp)
                broken = (
                    ["not registered"]
                    if candidate is None
                    else [
                        b.value
                        for b in broken_by(
                            before.shift,
                            candidate,
                            is_holiday=is_public_holiday,
                            places=places,
                            ignore_task=event.originator_id,
                        )
                    ]
                )
                if broken:
                    summary.violations.append(
                        Violation(
                            "broker",
                            position,
                            "offer broke a hard constraint",
                            f"task {event.originator_id} offered to {event.worker_id}: "
                            f"{', '.join(broken)}",
                        )
                    )
            if before is not None:
                summary.violations += [
                    Violation("broker", position, rule, detail)
                    for rule, detail in work_problems(event, before)
                ]
            tasks[event.originator_id] = cast("Any", event).mutate(before)
            if isinstance(event, Task.WorkCompleted):
                completed.add(event.originator_id)
        registry.apply(event)
        if number % 10_000 == 0:
            progress("broker", number, total)
    summary.tasks = len(tasks)
    summary.events["broker"] = total
    progress("broker", total, total)
    return completed


def replay_notify(record: Record, summary: Summary, progress: Progress) -> None:
    """The board of offers, jobs and recipients, rebuilt."""
    board = Board()
    total = record.count()
    for number, (_, event) in enumerate(record.events(), start=1):
        board.apply(event)
        if number % 10_000 == 0:
            progress("notify", number, total)
    summary.events["notify"] = total
    progress("notify", total, total)


def replay_payout(
    record: Record, summary: Summary, completed: set[UUID], progress: Progress
) -> None:
    """The books, rebuilt; every paid reward traced to one completed task; the ledger."""
    books = Books()
    total = record.count()
    paid_rewards: dict[UUID, int] = defaultdict(int)
    for number, (position, event) in enumerate(record.events(), start=1):
        books.apply(event)
        if isinstance(event, Reward.Paid):
            summary.paid += 1
            paid_rewards[event.originator_id] += 1
            reward = books.rewards[event.originator_id]
            if reward.cause == "work" and reward.task_id not in completed:
                summary.violations.append(
                    Violation(
                        "payout",
                        position,
                        "RewardPaid without WorkCompleted",
                        f"reward {event.originator_id} for task {reward.task_id}",
                    )
                )
        if number % 10_000 == 0:
            progress("payout", number, total)
    for task, rewards in books.by_task.items():
        work = [r for r in rewards if books.rewards[r].cause == "work"]
        if len(work) > 1:
            summary.violations.append(
                Violation("payout", 0, "two rewards for one WorkCompleted", f"task {task}: {work}")
            )
    summary.rewards = len(books.rewards)
    for tenant in sorted(books.balances):
        summary.trial_balances[tenant] = books.trial_balance(tenant)
        if summary.trial_balances[tenant] != 0:
            summary.violations.append(
                Violation(
                    "payout",
                    0,
                    "the ledger does not balance",
                    f"{tenant}: trial balance {summary.trial_balances[tenant]}",
                )
            )
    summary.violations += [
        Violation("payout", 0, "unbalanced entry", where) for where in books.unbalanced
    ]
    summary.events["payout"] = total
    progress("payout", total, total)


def published_ids(record: Record) -> list[UUID]:
    """The contract event ids the store's relay publishes, in order."""
    translate = TRANSLATORS[record.service]
    found = []
    for _, event in record.events():
        envelope = envelope_of(event, default_tenant="-")
        if translate(event, envelope) is not None:
            found.append(envelope["event_id"])
    return found


def compare_stream(
    service: str, expected: list[UUID], on_stream: Iterable[UUID], summary: Summary
) -> None:
    """Nothing the store published may be missing from its stream, nothing extra there."""
    seen = list(on_stream)
    seen_set, expected_set = set(seen), set(expected)
    missing = [e for e in expected if e not in seen_set]
    extra = [e for e in seen if e not in expected_set]
    summary.violations += [
        Violation(service, 0, "published but missing from the stream", f"event {e}")
        for e in missing
    ]
    summary.violations += [
        Violation(service, 0, "on the stream but never stored", f"event {e}") for e in extra
    ]
    duplicates = len(seen) - len(set(seen))
    if duplicates:
        summary.violations.append(
            Violation(service, 0, "published twice", f"{duplicates} duplicate messages")
        )


def replay(
    records: list[Record],
    *,
    streams: dict[str, list[UUID]] | None,
    progress: Progress,
    places: Places | None = None,
) -> Summary:
    """Replay every record; compare with the streams when they were read."""
    summary = Summary()
    by_service = {r.service: r for r in records}
    completed = replay_broker(by_service["broker"], summary, places or mine_city_places(), progress)
    replay_notify(by_service["notify"], summary, progress)
    replay_payout(by_service["payout"], summary, completed, progress)
    if streams is not None:
        summary.streams_checked = True
        for record in records:
            compare_stream(
                record.service, published_ids(record), streams.get(record.service, []), summary
            )
    return summary
