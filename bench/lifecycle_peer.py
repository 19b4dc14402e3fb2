"""The lifecycle peer: the same task lifecycle on eventsourcing's own in-process System.

What it is. `python -m bench lifecycle` measures full task lifecycles through our real
services (separate processes, one PostgreSQL store each, JetStream between them). This
module is its peer in the same run: the same lifecycle, the same shape of decisions, built
the way eventsourcing 9.5 itself suggests for a system of event-sourced applications —
three process applications wired by `System` and run by `MultiThreadedRunner`, each with
its own PostgreSQL tables (`broker_*`, `notify_*`, `payout_*`) in one fresh schema that
is dropped at the end::

    System(pipes=[[Broker, Notify, Broker], [Broker, Payout]])

* **Broker** (leads Notify and Payout, follows Notify). Commands: `register_workers`,
  `submit_request` (a `JobRequest`: a requester's day of shifts, rate and allowance),
  `carve` (each shift becomes a `Task` — TaskCarvedOut — offered at once to the `fanout`
  fairest free workers: fewest assigned minutes first, never a worker outside their
  weekly window, over their weekly cap, or holding an overlapping task; each offer is a
  hold on the `Worker` aggregate, saved with the task), `complete_work` (a requester
  confirms a day's tasks in one transaction: WorkCompleted each). Policy: on a worker's
  yes (Offer.Answered) the first valid answer wins the task (TaskAccepted), the other
  offers are withdrawn and their holds released; a later yes is refused
  (AssignmentRefused).
* **Notify** (follows Broker). Policy: each TaskOffered opens an `Offer` for the worker
  (the offer is visible); OfferWithdrawn, AssignmentRefused and TaskAccepted close it,
  and TaskAccepted also lists a `Job` for the worker. Command: `answer_offer` (the
  worker's yes, once; a yes to a closed offer records nothing).
* **Payout** (follows Broker). Policy: each WorkCompleted accrues a `Reward` once per
  task (RewardAccrued: integer yen, rate × worked minutes ÷ 60 rounded down, plus the
  transport allowance). Command: `pay_run` (one `PayoutRun` paying every accrued,
  unpaid reward: RewardPaid each, in one transaction).

Each follower subscribes only to the topics its policy handles (`Follower.topics`), and
pulls 100 notifications per section (the default 10 only adds round trips). Each
application keeps an unbounded aggregate cache without fast-forwarding (it is its
tables' only writer), and its commands take the application's `processing_lock`, the
lock its runner thread already holds while a policy runs: commands and policies never
race on an aggregate, and the cache stays coherent.

The driver mirrors `bench/lifecycle.py`'s: `drivers` requesters keep requests in flight
(closed loop), each a day of `shifts_per_request` consecutive one-hour shifts from 9:00
on one of 28 coming days; every worker answers every offer the moment it appears on the
read side (a subscription to Notify's log: eventsourcing's `ApplicationSubscription`,
LISTEN/NOTIFY on PostgreSQL) with a yes, so the quickest wins and the others are told it
was taken; once its tasks are assigned (seen on Broker's log), a requester confirms them
in one command; when every reward has accrued (seen on Payout's log) the accountant
runs one payout. `per_s` is tasks ÷ (first request → the payout run's commit, the last
RewardPaid); `p99_offer_ms` is carve sent → offer visible on Notify's read side, for
every offer (all `fanout` per task), as ours measures it. Before any figure is returned,
the stores are checked: every task assigned once, paid once with the right yen, and no
worker holding two overlapping tasks.

Where the time goes. The runner records every processed event in its own transaction
(the new events, the tracking row, eventsourcing's per-insert table lock and a commit
that waits for the WAL flush), and each follower has one thread. Per task the store sees
about 29 events in about 14 transactions: Broker 1 carve, 3 answers (the first wins, the
other two are refused: the losers' yes reaches the broker before the withdrawal reaches
their page), a fifth of a confirmation; Notify 3 offers opened, 3 answers, 3 closings
(the winner's with its Job); Payout 1 accrual, and the one payout run. Notify's nine
serial commits per task are the ceiling, so in this closed loop the offers queue behind
them and `p99_offer_ms` is mostly that queue.

How it differs from our services. Everything here is one Python process: the
applications hand each other new events through in-memory prompts and read each other's
tables directly, with no HTTP, no bus, no relay or inbox, no authentication and no
idempotency keys, and three threads (one per follower) instead of eleven processes. Its
domain is the lifecycle's decisions only: no districts, skills, holidays, travel,
personal data, consent, ledger entries, fees, withholding, tamper-evident chains or
bank files. Worker selection scans the cached `Worker` aggregates (our broker walks a
bitmask index). So the peer is a floor for the cost of the decisions and the event
storage on eventsourcing's own machinery, not a like-for-like deployment.
"""

import argparse
import itertools
import math
import os
import queue
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, event
from eventsourcing.projection import ApplicationSubscription
from eventsourcing.system import MultiThreadedRunner, ProcessApplication, System
from eventsourcing.utils import get_topic
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

TOKYO = timezone(timedelta(hours=9), "JST")
SHIFT_MINUTES = 60
FIRST_SHIFT = 9 * 60
DAYS = 28
RATE_YEN = 1000
WINDOW = (8 * 60, 18 * 60)
WEEKLY_CAP_MINUTES = 40 * 60
ANSWER_WITHIN = timedelta(hours=24)
SECTION = 100
HOP_TIMEOUT_S = 300.0

T = TypeVar("T")


# ---- the broker's domain ----------------------------------------------------------------


class Worker(Aggregate):
    """A registered worker: when they can work, and the tasks they hold or were given."""

    class Registered(Aggregate.Created):
        """A coordinator registered the worker."""

        name: str
        window_start: int
        window_end: int
        weekly_cap_minutes: int

    class Held(Aggregate.Event):
        """A task was offered to the worker: its time is held for them until answered."""

        task_id: UUID
        starts_at: datetime
        ends_at: datetime

    class Released(Aggregate.Event):
        """The offer ended without the task: the time is free again."""

        task_id: UUID

    class Assigned(Aggregate.Event):
        """The held task is the worker's."""

        task_id: UUID
        minutes: int

    @event(Registered)
    def __init__(
        self, *, name: str, window_start: int, window_end: int, weekly_cap_minutes: int
    ) -> None:
        self.name = name
        self.window = (window_start, window_end)
        self.weekly_cap_minutes = weekly_cap_minutes
        self.holds: dict[UUID, tuple[datetime, datetime]] = {}
        self.assigned: set[UUID] = set()
        self.assigned_minutes = 0

    def is_free(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Inside their daily window, under their weekly cap, and not holding that time."""
        local = starts_at.astimezone(TOKYO)
        start = local.hour * 60 + local.minute
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        if start < self.window[0] or start + minutes > self.window[1]:
            return False
        week = local.isocalendar()[:2]
        booked = 0
        for held_start, held_end in self.holds.values():
            if held_start < ends_at and starts_at < held_end:
                return False
            if held_start.astimezone(TOKYO).isocalendar()[:2] == week:
                booked += int((held_end - held_start).total_seconds() // 60)
        return booked + minutes <= self.weekly_cap_minutes

    def hold(self, task_id: UUID, starts_at: datetime, ends_at: datetime) -> None:
        """Hold the task's time for them.

        Raises:
            ValueError: they are not free then.
        """
        if not self.is_free(starts_at, ends_at):
            msg = f"worker {self.id} is not free {starts_at}..{ends_at}"
            raise ValueError(msg)
        self._held(task_id=task_id, starts_at=starts_at, ends_at=ends_at)

    @event(Held)
    def _held(self, task_id: UUID, starts_at: datetime, ends_at: datetime) -> None:
        self.holds[task_id] = (starts_at, ends_at)

    def release(self, task_id: UUID) -> None:
        """Free the time of a task they were offered but did not get."""
        if task_id in self.holds and task_id not in self.assigned:
            self._released(task_id=task_id)

    @event(Released)
    def _released(self, task_id: UUID) -> None:
        del self.holds[task_id]

    def assign(self, task_id: UUID) -> None:
        """The held task becomes theirs.

        Raises:
            ValueError: the task was not held for them.
        """
        if task_id not in self.holds:
            msg = f"task {task_id} is not held for worker {self.id}"
            raise ValueError(msg)
        starts_at, ends_at = self.holds[task_id]
        self._assigned(task_id=task_id, minutes=int((ends_at - starts_at).total_seconds() // 60))

    @event(Assigned)
    def _assigned(self, task_id: UUID, minutes: int) -> None:
        self.assigned.add(task_id)
        self.assigned_minutes += minutes


class Task(Aggregate):
    """One shift of one job request, offered, taken by one worker, done and confirmed."""

    class CarvedOut(Aggregate.Created):
        """A shift was carved out of a job request."""

        job_request_id: UUID
        requester_id: UUID
        title: str
        starts_at: datetime
        ends_at: datetime
        rate_yen: int
        transport_yen: int

    class Offered(Aggregate.Event):
        """The task was offered to one worker, with what their page shows."""

        offer_id: UUID
        worker_id: UUID
        expires_at: datetime
        rank: int
        shown: dict[str, Any]

    class Accepted(Aggregate.Event):
        """The first valid yes won: the task is the worker's."""

        offer_id: UUID
        worker_id: UUID
        starts_at: datetime

    class AssignmentRefused(Aggregate.Event):
        """A yes that cannot win (already taken, withdrawn, expired)."""

        offer_id: UUID
        worker_id: UUID
        reason: str

    class OfferWithdrawn(Aggregate.Event):
        """An open offer was taken back."""

        offer_id: UUID
        worker_id: UUID
        reason: str

    class CandidatesExhausted(Aggregate.Event):
        """Nobody eligible was left to offer the task to."""

    class WorkCompleted(Aggregate.Event):
        """The requester confirmed the work (検収), with what it is paid."""

        worker_id: UUID
        requester_id: UUID
        worked_minutes: int
        finished_at: datetime
        rate_yen: int
        transport_yen: int

    @event(CarvedOut)
    def __init__(
        self,
        *,
        job_request_id: UUID,
        requester_id: UUID,
        title: str,
        starts_at: datetime,
        ends_at: datetime,
        rate_yen: int,
        transport_yen: int,
    ) -> None:
        self.job_request_id, self.requester_id, self.title = job_request_id, requester_id, title
        self.starts_at, self.ends_at = starts_at, ends_at
        self.rate_yen, self.transport_yen = rate_yen, transport_yen
        self.offers: dict[UUID, tuple[UUID, datetime, str]] = {}
        """Offer → (worker, expires at, state: open, accepted or withdrawn)."""
        self.worker_id: UUID | None = None
        self.completed = False

    @property
    def minutes(self) -> int:
        """The shift's length."""
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def offered_to(self) -> set[UUID]:
        """Every worker this task was ever offered to."""
        return {worker for worker, _, _ in self.offers.values()}

    def offer(self, *, offer_id: UUID, worker_id: UUID, expires_at: datetime, rank: int) -> None:
        """Offer the task to one more worker.

        Raises:
            ValueError: the task is taken, or was offered to them already.
        """
        if self.worker_id is not None or worker_id in self.offered_to():
            msg = f"task {self.id} cannot be offered to {worker_id}"
            raise ValueError(msg)
        shown = {
            "title": self.title,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "rate_yen": self.rate_yen,
            "transport_yen": self.transport_yen,
        }
        self._offered(
            offer_id=offer_id, worker_id=worker_id, expires_at=expires_at, rank=rank, shown=shown
        )

    @event(Offered)
    def _offered(
        self,
        offer_id: UUID,
        worker_id: UUID,
        expires_at: datetime,
        rank: int,
        shown: dict[str, Any],
    ) -> None:
        del rank, shown
        self.offers[offer_id] = (worker_id, expires_at, "open")

    def accept(self, *, offer_id: UUID, worker_id: UUID, now: datetime) -> tuple[bool, list[UUID]]:
        """Take a worker's yes: whether it won, and the workers whose offers were withdrawn.

        The first valid yes wins and every other open offer is withdrawn; any other yes is
        refused (AssignmentRefused) and changes nothing else.
        """
        offer = self.offers.get(offer_id)
        reason = ""
        if self.worker_id is not None:
            reason = "already_assigned"
        elif offer is None or offer[0] != worker_id or offer[2] != "open":
            reason = "offer_withdrawn"
        elif now > offer[1]:
            reason = "offer_expired"
        if reason:
            self._assignment_refused(offer_id=offer_id, worker_id=worker_id, reason=reason)
            return False, []
        self._accepted(offer_id=offer_id, worker_id=worker_id, starts_at=self.starts_at)
        withdrawn = []
        for other, (other_worker, _, state) in list(self.offers.items()):
            if state == "open":
                self._offer_withdrawn(offer_id=other, worker_id=other_worker, reason="task_taken")
                withdrawn.append(other_worker)
        return True, withdrawn

    @event(Accepted)
    def _accepted(self, offer_id: UUID, worker_id: UUID, starts_at: datetime) -> None:
        del starts_at
        _, expires_at, _ = self.offers[offer_id]
        self.offers[offer_id] = (worker_id, expires_at, "accepted")
        self.worker_id = worker_id

    @event(AssignmentRefused)
    def _assignment_refused(self, offer_id: UUID, worker_id: UUID, reason: str) -> None:
        del offer_id, worker_id, reason

    @event(OfferWithdrawn)
    def _offer_withdrawn(self, offer_id: UUID, worker_id: UUID, reason: str) -> None:
        del reason
        _, expires_at, _ = self.offers[offer_id]
        self.offers[offer_id] = (worker_id, expires_at, "withdrawn")

    def mark_exhausted(self) -> None:
        """Record that nobody eligible is left (coordinators must step in)."""
        self._candidates_exhausted()

    @event(CandidatesExhausted)
    def _candidates_exhausted(self) -> None:
        pass

    def complete(self, *, worked_minutes: int, finished_at: datetime) -> None:
        """The requester confirms the work, once.

        Raises:
            ValueError: the task is not assigned, was confirmed already, or the minutes
                are impossible.
        """
        if self.worker_id is None or self.completed:
            msg = f"task {self.id} is not assigned and open"
            raise ValueError(msg)
        if not 1 <= worked_minutes <= self.minutes:
            msg = f"{worked_minutes} min worked on a {self.minutes} min shift"
            raise ValueError(msg)
        self._work_completed(
            worker_id=self.worker_id,
            requester_id=self.requester_id,
            worked_minutes=worked_minutes,
            finished_at=finished_at,
            rate_yen=self.rate_yen,
            transport_yen=self.transport_yen,
        )

    @event(WorkCompleted)
    def _work_completed(
        self,
        worker_id: UUID,
        requester_id: UUID,
        worked_minutes: int,
        finished_at: datetime,
        rate_yen: int,
        transport_yen: int,
    ) -> None:
        del worker_id, requester_id, worked_minutes, finished_at, rate_yen, transport_yen
        self.completed = True


class JobRequest(Aggregate):
    """A requester's request: one day of shifts, on one rate and allowance."""

    class Submitted(Aggregate.Created):
        """A requester asked for work to be done."""

        requester_id: UUID
        title: str
        day: str
        shifts: list[list[int]]
        """[start, end] in minutes after midnight (Asia/Tokyo)."""
        rate_yen: int
        transport_yen: int

    class TaskCarved(Aggregate.Event):
        """A task was carved out of this request."""

        task_id: UUID
        minutes: int

    @event(Submitted)
    def __init__(
        self,
        *,
        requester_id: UUID,
        title: str,
        day: str,
        shifts: list[list[int]],
        rate_yen: int,
        transport_yen: int,
    ) -> None:
        self.requester_id, self.title, self.day = requester_id, title, day
        self.shifts, self.rate_yen, self.transport_yen = shifts, rate_yen, transport_yen
        self.task_ids: list[UUID] = []

    @classmethod
    def submit(
        cls,
        *,
        requester_id: UUID,
        title: str,
        day: date,
        shifts: list[tuple[int, int]],
        rate_yen: int,
        transport_yen: int,
        today: date,
    ) -> "JobRequest":
        """Check the terms make sense and record the request.

        Raises:
            ValueError: a past day, no shifts, or a shift that is empty or outside the day.
        """
        if day <= today or not shifts or rate_yen < 1 or transport_yen < 0:
            msg = "a request needs a coming day, shifts and a rate"
            raise ValueError(msg)
        for start, end in shifts:
            if not 0 <= start < end <= 24 * 60 or end - start > 12 * 60:
                msg = f"impossible shift {start}..{end}"
                raise ValueError(msg)
        return cls(
            requester_id=requester_id,
            title=title,
            day=day.isoformat(),
            shifts=[[start, end] for start, end in shifts],
            rate_yen=rate_yen,
            transport_yen=transport_yen,
        )

    def carve(self, number: int) -> Task:
        """Carve the request's `number`th shift as a task and remember it."""
        start, end = self.shifts[number]
        midnight = datetime.combine(date.fromisoformat(self.day), datetime.min.time(), TOKYO)
        task = Task(
            job_request_id=self.id,
            requester_id=self.requester_id,
            title=self.title,
            starts_at=midnight + timedelta(minutes=start),
            ends_at=midnight + timedelta(minutes=end),
            rate_yen=self.rate_yen,
            transport_yen=self.transport_yen,
        )
        self._task_carved(task_id=task.id, minutes=end - start)
        return task

    @event(TaskCarved)
    def _task_carved(self, task_id: UUID, minutes: int) -> None:
        del minutes
        self.task_ids.append(task_id)


# ---- notify's domain --------------------------------------------------------------------


class Offer(Aggregate):
    """One offer as its worker sees it (id: the broker's offer id)."""

    class Opened(Aggregate.Created):
        """The offer is on the worker's page."""

        task_id: UUID
        worker_id: UUID
        expires_at: datetime
        shown: dict[str, Any]

    class Answered(Aggregate.Event):
        """The worker said yes (OfferAccepted)."""

        task_id: UUID
        worker_id: UUID
        answered_at: datetime

    class Closed(Aggregate.Event):
        """The offer can no longer be answered (taken, assigned to them, withdrawn)."""

        closing: str

    @event(Opened)
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002 - the broker's offer id
        task_id: UUID,
        worker_id: UUID,
        expires_at: datetime,
        shown: dict[str, Any],
    ) -> None:
        del id
        self.task_id, self.worker_id, self.expires_at, self.shown = (
            task_id,
            worker_id,
            expires_at,
            shown,
        )
        self.answered = False
        self.closing: str | None = None

    def answer_yes(self, at: datetime) -> bool:
        """Record the worker's yes once; a repeat or a late yes records nothing."""
        if self.answered or self.closing is not None or at > self.expires_at:
            return False
        self._answered(task_id=self.task_id, worker_id=self.worker_id, answered_at=at)
        return True

    @event(Answered)
    def _answered(self, task_id: UUID, worker_id: UUID, answered_at: datetime) -> None:
        del task_id, worker_id, answered_at
        self.answered = True

    def close(self, closing: str) -> bool:
        """Close the offer once; False when it was closed already."""
        if self.closing is not None:
            return False
        self._closed(closing=closing)
        return True

    @event(Closed)
    def _closed(self, closing: str) -> None:
        self.closing = closing


class Job(Aggregate):
    """A task the worker got, listed on their page for check-in."""

    class Listed(Aggregate.Created):
        """The task is the worker's."""

        task_id: UUID
        worker_id: UUID
        starts_at: datetime

    @event(Listed)
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002 - one job per task and worker
        task_id: UUID,
        worker_id: UUID,
        starts_at: datetime,
    ) -> None:
        del id
        self.task_id, self.worker_id, self.starts_at = task_id, worker_id, starts_at


# ---- payout's domain --------------------------------------------------------------------


def reward_id(task_id: UUID) -> UUID:
    """One reward per task."""
    return uuid5(NAMESPACE_URL, f"conbini-peer:reward:{task_id}")


def reward_yen(*, rate_yen: int, worked_minutes: int, transport_yen: int) -> int:
    """Hourly pay, rounded down to the yen, plus the transport allowance."""
    return rate_yen * worked_minutes // 60 + transport_yen


class Reward(Aggregate):
    """What one task is worth to its worker, and whether it was paid."""

    class Accrued(Aggregate.Created):
        """The worker earned it (RewardAccrued)."""

        task_id: UUID
        worker_id: UUID
        requester_id: UUID
        worked_minutes: int
        rate_yen: int
        transport_yen: int
        amount_yen: int

    class Paid(Aggregate.Event):
        """Paid in a payout run (RewardPaid)."""

        task_id: UUID
        worker_id: UUID
        run_id: UUID
        amount_yen: int
        paid_at: datetime

    @event(Accrued)
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002 - reward_id(task)
        task_id: UUID,
        worker_id: UUID,
        requester_id: UUID,
        worked_minutes: int,
        rate_yen: int,
        transport_yen: int,
        amount_yen: int,
    ) -> None:
        del id, requester_id, worked_minutes, rate_yen, transport_yen
        self.task_id, self.worker_id, self.amount_yen = task_id, worker_id, amount_yen
        self.paid_in: UUID | None = None

    @classmethod
    def accrue(
        cls,
        *,
        task_id: UUID,
        worker_id: UUID,
        requester_id: UUID,
        worked_minutes: int,
        rate_yen: int,
        transport_yen: int,
    ) -> "Reward":
        """Accrue the reward of a completed task."""
        return cls(
            id=reward_id(task_id),
            task_id=task_id,
            worker_id=worker_id,
            requester_id=requester_id,
            worked_minutes=worked_minutes,
            rate_yen=rate_yen,
            transport_yen=transport_yen,
            amount_yen=reward_yen(
                rate_yen=rate_yen, worked_minutes=worked_minutes, transport_yen=transport_yen
            ),
        )

    def pay(self, run_id: UUID, at: datetime) -> None:
        """Mark it paid in a run.

        Raises:
            ValueError: it was paid already.
        """
        if self.paid_in is not None:
            msg = f"reward {self.id} was paid already"
            raise ValueError(msg)
        self._paid(
            task_id=self.task_id,
            worker_id=self.worker_id,
            run_id=run_id,
            amount_yen=self.amount_yen,
            paid_at=at,
        )

    @event(Paid)
    def _paid(
        self, task_id: UUID, worker_id: UUID, run_id: UUID, amount_yen: int, paid_at: datetime
    ) -> None:
        del task_id, worker_id, amount_yen, paid_at
        self.paid_in = run_id


class PayoutRun(Aggregate):
    """One payout: the rewards it paid and its total."""

    class Closed(Aggregate.Created):
        """The run was closed and paid."""

        reward_ids: list[UUID]
        total_yen: int
        closed_at: datetime

    @event(Closed)
    def __init__(self, *, reward_ids: list[UUID], total_yen: int, closed_at: datetime) -> None:
        self.reward_ids, self.total_yen, self.closed_at = reward_ids, total_yen, closed_at


# ---- the applications -------------------------------------------------------------------


class Broker(ProcessApplication[UUID]):
    """Job requests, tasks, workers and offers; follows the workers' answers in Notify."""

    topics = (get_topic(Offer.Answered),)
    pull_section_size = SECTION
    log_section_size = SECTION

    def __init__(self, env: dict[str, str] | None = None) -> None:
        """Open the store and learn the registered workers from the log."""
        super().__init__(env)
        self.fanout = int(self.env.get("OFFER_FANOUT", "3"))
        registered = get_topic(Worker.Registered)
        self.worker_ids: list[UUID] = []
        start = 1
        while notes := self.recorder.select_notifications(
            start=start, limit=10_000, topics=[registered]
        ):
            self.worker_ids.extend(note.originator_id for note in notes)  # type: ignore[misc]
            start = notes[-1].id + 1

    def register_workers(self, count: int) -> list[UUID]:
        """Register `count` workers, free 8:00-18:00 every day, 40 hours a week at most."""
        workers = [
            Worker(
                name=f"ベンチ {number}",
                window_start=WINDOW[0],
                window_end=WINDOW[1],
                weekly_cap_minutes=WEEKLY_CAP_MINUTES,
            )
            for number in range(count)
        ]
        with self.processing_lock:
            self.save(*workers)
            self.worker_ids.extend(worker.id for worker in workers)
        return [worker.id for worker in workers]

    def submit_request(
        self,
        *,
        requester_id: UUID,
        day: date,
        shifts: list[tuple[int, int]],
        rate_yen: int,
        transport_yen: int,
        now: datetime,
    ) -> UUID:
        """Record a job request.

        Raises:
            ValueError: impossible terms.
        """
        request = JobRequest.submit(
            requester_id=requester_id,
            title="袋づめ",
            day=day,
            shifts=shifts,
            rate_yen=rate_yen,
            transport_yen=transport_yen,
            today=now.astimezone(TOKYO).date(),
        )
        self.save(request)
        return request.id

    def carve(self, job_request_id: UUID, *, now: datetime) -> list[tuple[UUID, list[UUID]]]:
        """Carve every shift of the request as a task and offer each at once.

        Each task is saved with its offers and holds before the next is carved, so the
        next task's offers see the previous task's holds. Returns (task, offers) pairs.
        """
        carved = []
        with self.processing_lock:
            request: JobRequest = self.repository.get(job_request_id)
            for number in range(len(request.shifts)):
                task = request.carve(number)
                held = self.offer_next(task, now=now)
                self.save(request, task, *held)
                carved.append((task.id, list(task.offers)))
        return carved

    def offer_next(self, task: Task, *, now: datetime) -> list[Worker]:
        """Offer the task to the fairest free workers, up to the fan-out; hold their time."""
        exclude = task.offered_to()
        free = []
        for worker_id in self.worker_ids:
            if worker_id in exclude:
                continue
            look: Worker = self.repository.get(worker_id, deepcopy_from_cache=False)
            if look.is_free(task.starts_at, task.ends_at):
                free.append((look.assigned_minutes, len(look.holds), worker_id))
        free.sort()
        wanted = self.fanout - sum(1 for _, _, state in task.offers.values() if state == "open")
        expires_at = min(now + ANSWER_WITHIN, task.starts_at)
        held: list[Worker] = []
        for rank, (_, _, worker_id) in enumerate(free[: max(0, wanted)], start=1):
            worker: Worker = self.repository.get(worker_id)
            worker.hold(task.id, task.starts_at, task.ends_at)
            task.offer(offer_id=uuid4(), worker_id=worker_id, expires_at=expires_at, rank=rank)
            held.append(worker)
        if not held and not any(state == "open" for _, _, state in task.offers.values()):
            task.mark_exhausted()
        return held

    def complete_work(self, completions: Sequence[tuple[UUID, int, datetime]]) -> None:
        """Confirm a day's tasks (task, worked minutes, finished at) in one transaction.

        Raises:
            ValueError: a task is not assigned, or was confirmed already.
        """
        with self.processing_lock:
            tasks = []
            for task_id, worked_minutes, finished_at in completions:
                task: Task = self.repository.get(task_id)
                task.complete(worked_minutes=worked_minutes, finished_at=finished_at)
                tasks.append(task)
            self.save(*tasks)

    def policy(
        self, domain_event: DomainEventProtocol[UUID], processing_event: ProcessingEvent[UUID]
    ) -> None:
        """A worker's yes: the first valid one wins the task, the others are refused."""
        if not isinstance(domain_event, Offer.Answered):
            return
        task: Task = self.repository.get(domain_event.task_id)
        won, withdrawn = task.accept(
            offer_id=domain_event.originator_id,
            worker_id=domain_event.worker_id,
            now=domain_event.answered_at,
        )
        changed: list[Aggregate] = [task]
        if won:
            winner: Worker = self.repository.get(domain_event.worker_id)
            winner.assign(task.id)
            changed.append(winner)
        for worker_id in withdrawn:
            other: Worker = self.repository.get(worker_id)
            other.release(task.id)
            changed.append(other)
        processing_event.collect_events(*changed)


class Notify(ProcessApplication[UUID]):
    """The workers' offers and jobs; follows the broker's offers and decisions."""

    topics = (
        get_topic(Task.Offered),
        get_topic(Task.OfferWithdrawn),
        get_topic(Task.AssignmentRefused),
        get_topic(Task.Accepted),
    )
    pull_section_size = SECTION
    log_section_size = SECTION

    def answer_offer(self, offer_id: UUID, *, worker_id: UUID, now: datetime) -> bool:
        """The worker's yes, recorded once; False when the offer had closed (taken).

        Raises:
            AggregateNotFoundError: no such offer.
            ValueError: not this worker's offer.
        """
        with self.processing_lock:
            offer: Offer = self.repository.get(offer_id)
            if offer.worker_id != worker_id:
                msg = "not this worker's offer"
                raise ValueError(msg)
            if not offer.answer_yes(now):
                return False
            self.save(offer)
            return True

    def policy(
        self, domain_event: DomainEventProtocol[UUID], processing_event: ProcessingEvent[UUID]
    ) -> None:
        """Open offers as the broker makes them; close them as it decides."""
        if isinstance(domain_event, Task.Offered):
            offer = Offer(
                id=domain_event.offer_id,
                task_id=domain_event.originator_id,
                worker_id=domain_event.worker_id,
                expires_at=domain_event.expires_at,
                shown=domain_event.shown,
            )
            processing_event.collect_events(offer)
            return
        if isinstance(domain_event, Task.OfferWithdrawn | Task.AssignmentRefused):
            self.close_offer(domain_event.offer_id, "taken", processing_event)
        elif isinstance(domain_event, Task.Accepted):
            self.close_offer(domain_event.offer_id, "assigned", processing_event)
            job = Job(
                id=uuid5(domain_event.originator_id, str(domain_event.worker_id)),
                task_id=domain_event.originator_id,
                worker_id=domain_event.worker_id,
                starts_at=domain_event.starts_at,
            )
            processing_event.collect_events(job)

    def close_offer(
        self, offer_id: UUID, closing: str, processing_event: ProcessingEvent[UUID]
    ) -> None:
        """Close one offer, if notify ever opened it."""
        try:
            offer: Offer = self.repository.get(offer_id)
        except AggregateNotFoundError:
            return
        if offer.close(closing):
            processing_event.collect_events(offer)


class Payout(ProcessApplication[UUID]):
    """Rewards and payout runs; follows the broker's confirmed work."""

    topics = (get_topic(Task.WorkCompleted),)
    pull_section_size = SECTION
    log_section_size = SECTION

    def policy(
        self, domain_event: DomainEventProtocol[UUID], processing_event: ProcessingEvent[UUID]
    ) -> None:
        """Accrue the reward once per task."""
        if not isinstance(domain_event, Task.WorkCompleted):
            return
        task_id = domain_event.originator_id
        if reward_id(task_id) in self.repository:
            return  # accrued already: the domain's own rule, on top of tracking
        reward = Reward.accrue(
            task_id=task_id,
            worker_id=domain_event.worker_id,
            requester_id=domain_event.requester_id,
            worked_minutes=domain_event.worked_minutes,
            rate_yen=domain_event.rate_yen,
            transport_yen=domain_event.transport_yen,
        )
        processing_event.collect_events(reward)

    def unpaid(self) -> list[UUID]:
        """The rewards accrued and not paid yet, from this application's own log."""
        accrued, paid = get_topic(Reward.Accrued), get_topic(Reward.Paid)
        owed: dict[UUID, None] = {}
        start = 1
        while notes := self.recorder.select_notifications(
            start=start, limit=10_000, topics=[accrued, paid]
        ):
            for note in notes:
                ident: UUID = note.originator_id  # type: ignore[assignment]
                if note.topic == accrued:
                    owed[ident] = None
                else:
                    owed.pop(ident, None)
            start = notes[-1].id + 1
        return list(owed)

    def pay_run(self, *, now: datetime) -> tuple[UUID, int]:
        """Pay every accrued, unpaid reward in one run; return the run and how many."""
        with self.processing_lock:
            rewards: list[Reward] = [self.repository.get(ident) for ident in self.unpaid()]
            run = PayoutRun(
                reward_ids=[reward.id for reward in rewards],
                total_yen=sum(reward.amount_yen for reward in rewards),
                closed_at=now,
            )
            for reward in rewards:
                reward.pay(run.id, now)
            self.save(run, *rewards)
        return run.id, len(rewards)


PEER_SYSTEM = System(pipes=[[Broker, Notify, Broker], [Broker, Payout]])


# ---- running it -------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerResult:
    """What one peer run measured."""

    lifecycles: int
    seconds: float
    per_s: float
    events: int
    """Events stored in total, by all three applications (setup included)."""
    p99_offer_ms: float
    """Carve sent → offer visible on Notify's read side, every offer."""


@dataclass
class PeerSystem:
    """The running system and its three applications."""

    runner: MultiThreadedRunner[UUID]
    broker: Broker
    notify: Notify
    payout: Payout
    schema: str | None
    """The PostgreSQL schema holding every table (None in memory)."""

    @property
    def apps(self) -> tuple[Broker, Notify, Payout]:
        """The three applications."""
        return self.broker, self.notify, self.payout


def postgres_env(dsn: str, schema: str, *, connections: int) -> dict[str, str]:
    """The PostgreSQL settings of eventsourcing for a libpq DSN, every table in `schema`."""
    info = conninfo_to_dict(dsn)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(info.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(info.get("host") or "127.0.0.1"),
        "POSTGRES_PORT": str(info.get("port") or 5432),
        "POSTGRES_USER": str(info.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(info.get("password") or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": str(connections),
    }


def system_env(base: dict[str, str], *, fanout: int) -> dict[str, str]:
    """Settings for every application, also under each one's prefix.

    An application reads `BROKER_POSTGRES_SCHEMA` before `POSTGRES_SCHEMA`, so a prefixed
    key in the environment would otherwise beat the bare key given here.
    """
    bare = {
        **base,
        "AGGREGATE_CACHE_MAXSIZE": "0",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
        "OFFER_FANOUT": str(fanout),
    }
    env = dict(bare)
    for app in (Broker, Notify, Payout):
        env.update({f"{app.name.upper()}_{key}": value for key, value in bare.items()})
    return env


@contextmanager
def running_system(
    *, dsn: str | None, workers: int, fanout: int = 3, connections: int = 24
) -> Iterator[PeerSystem]:
    """Start the three applications with `workers` registered; stop and clean up after.

    On PostgreSQL (`dsn` given) every table lives in a fresh schema, dropped at the end;
    without a DSN, eventsourcing's in-memory (POPO) persistence is used.
    """
    schema = f"bench_peer_{os.getpid()}_{secrets.token_hex(3)}"
    if dsn is None:
        base = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    else:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        base = postgres_env(dsn, schema, connections=connections)
    runner: MultiThreadedRunner[UUID] | None = None
    try:
        runner = MultiThreadedRunner(PEER_SYSTEM, env=system_env(base, fanout=fanout))
        runner.start()
        system = PeerSystem(
            runner,
            runner.get(Broker),
            runner.get(Notify),
            runner.get(Payout),
            None if dsn is None else schema,
        )
        system.broker.register_workers(workers)
        yield system
    finally:
        try:
            if runner is not None:
                runner.stop()
        finally:
            if dsn is not None:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(
                        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                    )


class Watcher(threading.Thread):
    """Follows one application's log from its head (its read side) and hands on events."""

    def __init__(
        self,
        app: Application[UUID],
        topics: Sequence[str],
        handle: Callable[[DomainEventProtocol[UUID], float], None],
    ) -> None:
        """Subscribe now, from the current head of the log."""
        super().__init__(daemon=True, name=f"watch-{app.name}")
        self.subscription = ApplicationSubscription(
            app, gt=app.recorder.max_notification_id(), topics=topics
        )
        self.handle = handle
        self.error: BaseException | None = None

    def run(self) -> None:
        """Hand on each event with the moment it was seen, until stopped."""
        try:
            with self.subscription:
                for domain_event, _ in self.subscription:
                    self.handle(domain_event, time.perf_counter())
        except BaseException as error:  # noqa: BLE001 - reported to the driver
            self.error = error

    def stop(self) -> None:
        """Stop following and wait for the thread."""
        self.subscription.stop()
        self.join(timeout=10)


class Mailbox:
    """One future per key, made by whichever side comes first."""

    def __init__(self) -> None:
        """Empty."""
        self.lock = threading.Lock()
        self.futures: dict[UUID, Future[float]] = {}

    def future(self, key: UUID) -> "Future[float]":
        """The key's future."""
        with self.lock:
            found = self.futures.get(key)
            if found is None:
                found = self.futures[key] = Future()
            return found

    def deliver(self, key: UUID, value: float) -> None:
        """Resolve the key's future (the first value wins)."""
        found = self.future(key)
        with suppress(Exception):
            found.set_result(value)

    def fail(self, key: UUID, error: BaseException) -> None:
        """Fail the key's future."""
        found = self.future(key)
        with suppress(Exception):
            found.set_exception(error)


def nearest_rank(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`, 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def plan_request(
    number: int, shifts: int, first_day: date
) -> tuple[date, list[tuple[int, int]], int, int]:
    """The `number`th request: its day, consecutive one-hour shifts from 9:00, rate, allowance."""
    day = first_day + timedelta(days=number % DAYS)
    starts = [FIRST_SHIFT + k * SHIFT_MINUTES for k in range(shifts)]
    return (
        day,
        [(start, start + SHIFT_MINUTES) for start in starts],
        RATE_YEN + 50 * (number % 3),
        0 if number % 2 else 300,
    )


def worked_minutes(number: int) -> int:
    """What the requester confirms for each task of the `number`th request."""
    return SHIFT_MINUTES - 7 * (number % 3)


class Driver:
    """The town's people against the peer: requesters, workers and the accountant."""

    def __init__(self, system: PeerSystem, *, tasks: int, shifts_per_request: int) -> None:
        """Remember what to drive."""
        self.system = system
        self.tasks = tasks
        self.shifts = shifts_per_request
        self.first_day = datetime.now(TOKYO).date() + timedelta(days=2)
        self.requesters = [uuid4() for _ in range(20)]
        self.lock = threading.Lock()
        self.carve_sent: dict[UUID, float] = {}
        self.offer_task: dict[UUID, UUID] = {}
        self.offer_seen: dict[UUID, float] = {}
        self.assigned = Mailbox()
        self.accrued = 0
        self.all_accrued = threading.Event()
        self.answers: queue.SimpleQueue[tuple[UUID, UUID] | None] = queue.SimpleQueue()
        self.refused_yes = 0
        self.errors: list[BaseException] = []
        self.failed = threading.Event()
        self.deadline = time.monotonic() + HOP_TIMEOUT_S + tasks * 0.1

    # -- what the read sides show ---------------------------------------------------

    def on_offer(self, domain_event: DomainEventProtocol[UUID], seen: float) -> None:
        """An offer appeared on a worker's page: they answer it at once."""
        if isinstance(domain_event, Offer.Opened):
            with self.lock:
                self.offer_seen.setdefault(domain_event.originator_id, seen)
                self.offer_task[domain_event.originator_id] = domain_event.task_id
            self.answers.put((domain_event.originator_id, domain_event.worker_id))

    def on_broker(self, domain_event: DomainEventProtocol[UUID], seen: float) -> None:
        """A task was assigned (or a task found nobody: a failure of the run)."""
        if isinstance(domain_event, Task.Accepted):
            self.assigned.deliver(domain_event.originator_id, seen)
        elif isinstance(domain_event, Task.CandidatesExhausted):
            self.assigned.fail(
                domain_event.originator_id, RuntimeError("nobody eligible for a task")
            )

    def on_payout(self, domain_event: DomainEventProtocol[UUID], seen: float) -> None:
        """A reward accrued."""
        del seen
        if isinstance(domain_event, Reward.Accrued):
            with self.lock:
                self.accrued += 1
                if self.accrued >= self.tasks:
                    self.all_accrued.set()

    # -- the people -----------------------------------------------------------------

    def answering(self) -> None:
        """One of the workers' hands: say yes to offers as they appear."""
        while (item := self.answers.get()) is not None:
            offer_id, worker_id = item
            try:
                if not self.system.notify.answer_offer(
                    offer_id, worker_id=worker_id, now=datetime.now(UTC)
                ):
                    with self.lock:
                        self.refused_yes += 1
            except BaseException as error:  # noqa: BLE001 - reported by the driver
                self.errors.append(error)

    def one_request(self, number: int, count: int) -> None:
        """A requester's day of shifts: submitted, carved, answered, assigned, confirmed."""
        broker = self.system.broker
        day, shifts, rate, transport = plan_request(number, count, self.first_day)
        job_id = broker.submit_request(
            requester_id=self.requesters[number % len(self.requesters)],
            day=day,
            shifts=shifts,
            rate_yen=rate,
            transport_yen=transport,
            now=datetime.now(UTC),
        )
        sent = time.perf_counter()
        carved = broker.carve(job_id, now=datetime.now(UTC))
        with self.lock:
            for task_id, offers in carved:
                self.carve_sent[task_id] = sent
                for offer_id in offers:
                    self.offer_task[offer_id] = task_id
        for task_id, _ in carved:
            self.wait(self.assigned.future(task_id), f"task {task_id} assigned")
        midnight = datetime.combine(day, datetime.min.time(), TOKYO)
        broker.complete_work(
            [
                (task_id, worked_minutes(number), midnight + timedelta(minutes=end))
                for (task_id, _), (_, end) in zip(carved, shifts, strict=True)
            ]
        )

    def wait(self, future: "Future[float]", what: str) -> float:
        """Wait for a future, failing early when the system or a watcher failed."""
        while True:
            self.check()
            left = self.deadline - time.monotonic()
            if left <= 0:
                msg = f"{what} not within {HOP_TIMEOUT_S:.0f} s"
                raise TimeoutError(msg)
            with suppress(TimeoutError):
                return future.result(timeout=min(left, 0.5))

    def check(self) -> None:
        """Raise the first failure of the runner's threads or the workers' answers."""
        runner = self.system.runner
        if runner.has_errored.is_set():
            for thread in runner.threads.values():
                if thread.error:
                    raise thread.error
        if self.errors:
            raise self.errors[0]
        if self.failed.is_set():
            msg = "another request failed"
            raise RuntimeError(msg)

    def requests(self, drivers: int) -> None:
        """Every request, `drivers` in flight at a time (closed loop)."""
        sizes = [self.shifts] * (self.tasks // self.shifts)
        if self.tasks % self.shifts:
            sizes.append(self.tasks % self.shifts)
        with ThreadPoolExecutor(drivers, thread_name_prefix="requester") as pool:
            requests = [
                pool.submit(self.one_request, number, size) for number, size in enumerate(sizes)
            ]
            try:
                for request in requests:
                    request.result()
            except BaseException:
                self.failed.set()
                for request in requests:
                    request.cancel()
                raise

    def drive(self, drivers: int) -> tuple[float, float]:
        """Run every lifecycle; return (start, end) on the perf counter."""
        hands = [threading.Thread(target=self.answering, daemon=True) for _ in range(drivers)]
        for hand in hands:
            hand.start()
        start = time.perf_counter()
        try:
            self.requests(drivers)
            while not self.all_accrued.wait(0.5):
                self.check()
                if time.monotonic() > self.deadline:
                    msg = f"only {self.accrued} of {self.tasks} rewards accrued"
                    raise TimeoutError(msg)
            _, paid = self.system.payout.pay_run(now=datetime.now(UTC))
            end = time.perf_counter()
            if paid != self.tasks:
                msg = f"the payout run paid {paid} rewards, not {self.tasks}"
                raise RuntimeError(msg)
        finally:
            for _ in hands:
                self.answers.put(None)
            for hand in hands:  # the losers' late answers are still recorded
                hand.join(timeout=max(1.0, self.deadline - time.monotonic()))
        self.check()
        return start, end

    def offer_latencies_ms(self) -> list[float]:
        """Carve sent → offer visible, for every offer seen."""
        with self.lock:
            return [
                (seen - self.carve_sent[self.offer_task[offer]]) * 1000
                for offer, seen in self.offer_seen.items()
                if offer in self.offer_task and self.offer_task[offer] in self.carve_sent
            ]


def settle(system: PeerSystem, timeout: float = 120.0) -> None:
    """Wait until every follower has processed everything its leaders recorded for it.

    The run's end is the last RewardPaid, but the losers' answers and the offers they
    close are still flowing then; stopping the runner under them would cut them off.

    Raises:
        TimeoutError: the followers do not catch up in time.
    """
    edges = [(system.broker, system.notify), (system.notify, system.broker)]
    edges.append((system.broker, system.payout))
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:  # noqa: PLR2004 - twice in a row: processing may record more
        behind = False
        for leader, follower in edges:
            done = follower.recorder.max_tracking_id(leader.name) or 0
            if leader.recorder.select_notifications(
                start=done + 1, limit=1, topics=follower.topics
            ):
                behind = True
        quiet = 0 if behind else quiet + 1
        if time.monotonic() > deadline:
            msg = "the followers did not catch up"
            raise TimeoutError(msg)
        time.sleep(0.05)


def stored_events(app: Application[UUID]) -> int:
    """How many events the application stored."""
    count, start = 0, 1
    while notes := app.recorder.select_notifications(start=start, limit=10_000):
        count += len(notes)
        start = notes[-1].id + 1
    return count


def drive(system: PeerSystem, *, tasks: int, shifts_per_request: int, drivers: int) -> PeerResult:
    """Run `tasks` lifecycles on a running system and measure them."""
    driver = Driver(system, tasks=tasks, shifts_per_request=shifts_per_request)
    watchers = [
        Watcher(system.notify, [get_topic(Offer.Opened)], driver.on_offer),
        Watcher(
            system.broker,
            [get_topic(Task.Accepted), get_topic(Task.CandidatesExhausted)],
            driver.on_broker,
        ),
        Watcher(system.payout, [get_topic(Reward.Accrued)], driver.on_payout),
    ]
    for watcher in watchers:
        watcher.start()
    try:
        start, end = driver.drive(drivers)
        settle(system)
    finally:
        for watcher in watchers:
            watcher.stop()
    for watcher in watchers:
        if watcher.error is not None:
            raise watcher.error
    seconds = end - start
    return PeerResult(
        lifecycles=tasks,
        seconds=seconds,
        per_s=tasks / seconds,
        events=sum(stored_events(app) for app in system.apps),
        p99_offer_ms=nearest_rank(driver.offer_latencies_ms(), 0.99),
    )


def problems(system: PeerSystem) -> list[str]:
    """What is wrong in the stores after a run: paid not once, wrong yen, overlaps."""
    broker, payout = system.broker, system.payout
    found: list[str] = []
    paid: dict[UUID, list[int]] = {}
    start = 1
    while notes := payout.recorder.select_notifications(
        start=start, limit=10_000, topics=[get_topic(Reward.Paid)]
    ):
        for note in notes:
            paid_event = payout.mapper.to_domain_event(note)
            if isinstance(paid_event, Reward.Paid):
                paid.setdefault(paid_event.task_id, []).append(paid_event.amount_yen)
        start = notes[-1].id + 1
    completed: dict[UUID, Task.WorkCompleted] = {}
    start = 1
    while notes := broker.recorder.select_notifications(
        start=start, limit=10_000, topics=[get_topic(Task.WorkCompleted)]
    ):
        for note in notes:
            done = broker.mapper.to_domain_event(note)
            if isinstance(done, Task.WorkCompleted):
                completed[done.originator_id] = done
        start = notes[-1].id + 1
    for task_id, done in completed.items():
        amounts = paid.get(task_id, [])
        want = reward_yen(
            rate_yen=done.rate_yen,
            worked_minutes=done.worked_minutes,
            transport_yen=done.transport_yen,
        )
        if amounts != [want]:
            found.append(f"task {task_id}: paid {amounts}, owed [{want}]")
    found.extend(f"task {t}: paid but never completed" for t in paid.keys() - completed.keys())
    for worker_id in broker.worker_ids:
        worker: Worker = broker.repository.get(worker_id)
        spans = sorted(worker.holds[task] for task in worker.assigned)
        found.extend(
            f"worker {worker_id}: overlapping tasks at {b[0]}"
            for a, b in itertools.pairwise(spans)
            if b[0] < a[1]
        )
    return found


def run_peer(
    *,
    tasks: int,
    dsn: str,
    shifts_per_request: int = 5,
    fanout: int = 3,
    workers: int = 200,
    threads_note: str = "",
    drivers: int = 8,
) -> PeerResult:
    """Run the peer on PostgreSQL (a fresh schema, dropped after) and check its stores.

    Raises:
        RuntimeError: the stores show a task not paid exactly once with the right yen,
            or a worker with overlapping tasks.
    """
    with running_system(
        dsn=dsn, workers=workers, fanout=fanout, connections=drivers * 2 + 8
    ) as system:
        result = drive(system, tasks=tasks, shifts_per_request=shifts_per_request, drivers=drivers)
        wrong = problems(system)
    if wrong:
        msg = f"{len(wrong)} problems, e.g. " + "; ".join(wrong[:3])
        raise RuntimeError(msg)
    note = f" ({threads_note})" if threads_note else ""
    print(
        f"peer: {tasks} lifecycles in {result.seconds:.1f} s, {drivers} requesters, "
        f"{workers} workers, fan-out {fanout}{note}",
        file=sys.stderr,
        flush=True,
    )
    return result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the benchmark's options."""
    parser.add_argument("--tasks", type=int, default=1000, help="task lifecycles to run")
    parser.add_argument("--shifts", type=int, default=5, help="shifts per job request")
    parser.add_argument("--workers", type=int, default=200, help="registered workers")
    parser.add_argument("--fanout", type=int, default=3, help="offers per task")
    parser.add_argument("--drivers", type=int, default=8, help="requests in flight")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("CONBINI_POSTGRES_DSN")
        or os.environ.get("TEST_POSTGRES_DSN")
        or "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
    )


def run(*, tasks: int, shifts: int, workers: int, fanout: int, drivers: int, dsn: str) -> str:
    """Run the peer alone; return the final line."""
    result = run_peer(
        tasks=tasks,
        dsn=dsn,
        shifts_per_request=shifts,
        fanout=fanout,
        workers=workers,
        drivers=drivers,
    )
    return (
        f"lifecycle-peer per_s={result.per_s:.1f} events={result.events} "
        f"p99_offer_ms={result.p99_offer_ms:.1f} tasks={result.lifecycles}"
    )
