"""Properties over any sequence of events, redeliveries included: the books always balance,
no task is rewarded twice, and no reward is ever paid more than it is worth.
"""

import contextlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contracts.broker import WorkCompleted
from contracts.payout import RewardPaid
from payout.bootstrap import Payout
from payout.commands.close_payout_run import close_payout_run
from payout.commands.register_bank_account import BankAccountBody, register_bank_account
from payout.commands.settle_payout import Answer, settle
from payout.domain.errors import InvalidRequestError, NotFoundError
from tests.unit.payout.support import (
    TENANT,
    cancelled_late,
    completed,
    disputed,
    in_memory_payout,
    published,
    react,
    registered,
    resolved,
)

WORKERS = [uuid4() for _ in range(3)]
MONTHS = ["2026-03", "2026-04", "2026-05"]
LATER = datetime(2026, 7, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Op:
    """One step: what happens, to whom, and its numbers."""

    kind: str
    worker: int
    number: int
    flag: bool


ops = st.lists(
    st.builds(
        Op,
        kind=st.sampled_from(
            [
                "complete",
                "complete",
                "redeliver",
                "dispute",
                "resolve",
                "cancel",
                "account",
                "close",
                "answer",
            ]
        ),
        worker=st.integers(0, len(WORKERS) - 1),
        number=st.integers(0, 400),
        flag=st.booleans(),
    ),
    max_size=40,
)


def step(payout: Payout, op: Op, done: list[WorkCompleted]) -> None:
    worker = WORKERS[op.worker]
    month = MONTHS[op.number % len(MONTHS)]
    if op.kind == "complete":
        finished = datetime(2026, 3 + op.number % 3, 1 + op.number % 28, 3, tzinfo=UTC)
        event = completed(worker, minutes=1 + op.number, withholding=op.flag, finished_at=finished)
        done.append(event)
        react(payout, event)
    elif op.kind == "redeliver" and done:
        react(payout, done[op.number % len(done)])
    elif op.kind == "dispute" and done:
        react(payout, disputed(done[op.number % len(done)]))
    elif op.kind == "resolve" and done:
        react(payout, resolved(done[op.number % len(done)], minutes=op.number))
    elif op.kind == "cancel":
        react(payout, cancelled_late(worker, hours_before=op.number / 10))
    elif op.kind == "account":
        body = BankAccountBody(
            bank_code="0005", branch_code="001", number=str(op.number), holder_kana="テスト"
        )
        register_bank_account(payout.app, worker, body, tenant=TENANT)
    elif op.kind == "close":
        close_payout_run(payout.app, month, tenant=TENANT, today=LATER.date())
    elif op.kind == "answer":
        # an unknown line, a run not closed, or a contradicting answer is refused
        with contextlib.suppress(InvalidRequestError, NotFoundError):
            settle(payout.app, month, [Answer(line=1 + op.worker, ok=op.flag)], tenant=TENANT)
    payout.app.books.catch_up(payout.app)


def check(payout: Payout) -> None:
    books = payout.app.books
    assert books.trial_balance(TENANT) == 0
    assert books.unbalanced == []
    for task, rewards in books.by_task.items():
        causes = [books.rewards[r].cause for r in rewards]
        assert causes.count("work") <= 1, task
    paid: dict[UUID, int] = {}
    for fact in published(payout):
        if isinstance(fact, RewardPaid):
            paid[fact.reward_id] = paid.get(fact.reward_id, 0) + fact.net_paid_yen
    for reward_id, yen in paid.items():
        line = books.rewards[reward_id]
        assert yen == line.paid
        assert line.paid <= max(line.amounts.net, line.paid)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=ops)
@example(  # paid, then a settled dispute lowers it: an overpayment, never a second payment
    steps=[
        Op("complete", 0, 300, flag=True),  # March
        Op("account", 0, 1234, flag=False),
        Op("close", 0, 0, flag=False),  # 2026-03
        Op("answer", 0, 0, flag=True),  # line 1 paid
        Op("redeliver", 0, 0, flag=False),
        Op("resolve", 0, 30, flag=False),
        Op("close", 0, 1, flag=False),  # 2026-04: nothing more to pay her
        Op("answer", 0, 1, flag=True),
    ]
)
@example(  # failed, carried into the next run, then paid there
    steps=[
        Op("complete", 1, 3, flag=False),
        Op("account", 1, 77, flag=False),
        Op("close", 1, 0, flag=False),
        Op("answer", 0, 0, flag=False),  # line 1 failed
        Op("close", 1, 1, flag=False),
        Op("answer", 0, 1, flag=True),
    ]
)
def test_the_books_balance_and_nothing_is_paid_twice_whatever_happens(steps: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        payout = in_memory_payout(Path(tmp), now=LATER)
        react(payout, *(registered(w) for w in WORKERS))
        done: list[WorkCompleted] = []
        for op in steps:
            step(payout, op, done)
            check(payout)
        accrued = {r.task_id for r in payout.app.books.rewards.values() if r.cause == "work"}
        assert accrued == {event.task_id for event in done}


def test_a_redelivered_work_completed_posts_nothing_new() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        payout = in_memory_payout(Path(tmp), now=LATER)
        event = completed(WORKERS[0])
        react(payout, event, event, event)

        assert len(payout.app.books.rewards) == 1
        assert payout.app.books.balance(TENANT, f"worker_payable:{WORKERS[0]}") == -3363
