"""The lifecycle peer on real PostgreSQL: every task paid once, the right yen, no overlaps.

A tiny run (15 tasks, 12 workers, fan-out 3, three requests in flight) through the peer's
System and MultiThreadedRunner, then the stores are read back directly and checked here,
independently of the peer's own `problems()` check.
"""

import itertools
from collections import Counter
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic

from bench.lifecycle_peer import Offer, Reward, Task, Worker, drive, problems, running_system

TASKS = 15


def events_of(app: Application[UUID], *classes: type) -> list[DomainEventProtocol[UUID]]:
    """Every stored event of the given classes, in log order."""
    found: list[DomainEventProtocol[UUID]] = []
    start = 1
    topics = [get_topic(cls) for cls in classes]
    while notes := app.recorder.select_notifications(start=start, limit=1000, topics=topics):
        found.extend(app.mapper.to_domain_event(note) for note in notes)
        start = notes[-1].id + 1
    return found


def test_every_task_is_assigned_once_and_paid_once_the_right_yen(postgres: str) -> None:
    with running_system(dsn=postgres, workers=12, fanout=3) as system:
        result = drive(system, tasks=TASKS, shifts_per_request=5, drivers=3)
        broker, notify, payout = system.apps
        carved = [e for e in events_of(broker, Task.CarvedOut) if isinstance(e, Task.CarvedOut)]
        accepted = [e for e in events_of(broker, Task.Accepted) if isinstance(e, Task.Accepted)]
        done = [
            e for e in events_of(broker, Task.WorkCompleted) if isinstance(e, Task.WorkCompleted)
        ]
        offers = [e for e in events_of(notify, Offer.Opened) if isinstance(e, Offer.Opened)]
        paid = [e for e in events_of(payout, Reward.Paid) if isinstance(e, Reward.Paid)]
        workers: list[Worker] = [broker.repository.get(w) for w in broker.worker_ids]
        left_over = problems(system)
        schema = system.schema

    assert result.lifecycles == TASKS
    assert result.per_s > 0
    assert result.events > 0
    assert result.p99_offer_ms > 0
    tasks = {e.originator_id: e for e in carved}
    assert len(tasks) == TASKS
    # Each task was offered to three different workers, and exactly one yes won it.
    per_task_offers = Counter(offer.task_id for offer in offers)
    assert per_task_offers == Counter(dict.fromkeys(tasks, 3))
    assert Counter(e.originator_id for e in accepted) == Counter(dict.fromkeys(tasks, 1))
    # Exactly one RewardPaid per task, of rate × worked minutes ÷ 60 (down) + allowance.
    assert Counter(e.task_id for e in paid) == Counter(dict.fromkeys(tasks, 1))
    owed = {e.originator_id: e.rate_yen * e.worked_minutes // 60 + e.transport_yen for e in done}
    assert {e.task_id: e.amount_yen for e in paid} == owed
    assert len(set(owed.values())) > 1  # rates, minutes and allowances vary between requests
    winner = {e.originator_id: e.worker_id for e in accepted}
    assert {e.task_id: e.worker_id for e in paid} == winner
    # No worker has two tasks at overlapping times.
    for worker in workers:
        mine = sorted(
            (tasks[t].starts_at, tasks[t].ends_at) for t, w in winner.items() if w == worker.id
        )
        assert worker.assigned == {t for t, w in winner.items() if w == worker.id}
        for (_, first_end), (second_start, _) in itertools.pairwise(mine):
            assert first_end <= second_start
    assert left_over == []
    # The peer's schema is gone.
    with psycopg.connect(postgres) as conn:
        row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    assert row is None
