"""Time travel: a task, a worker or the ledger as it stood at a moment."""

from datetime import datetime
from typing import Any
from uuid import UUID

from audit.sources import Record
from broker.domain.worker import Worker
from payout.books import Books


class NothingThenError(LookupError):
    """The thing did not exist yet at that moment (or never)."""


def aggregate_at(record: Record, ident: UUID, at: datetime) -> tuple[Any, list[Any]]:
    """The aggregate rebuilt from its events up to `at`, and those events.

    Raises:
        NothingThenError: no event of it at or before `at`.
    """
    stored: list[Any] = list(record.app.repository.event_store.get(ident))
    events = [e for e in stored if e.timestamp <= at]
    if not events:
        msg = f"{ident} did not exist at {at.isoformat()}"
        raise NothingThenError(msg)
    found: Any = None
    for event in events:
        found = event.mutate(found)
    return found, events


def worker_at(record: Record, worker_id: UUID, at: datetime) -> dict[str, Any]:
    """A worker as matching saw them then (no personal data)."""
    worker, events = aggregate_at(record, worker_id, at)
    if not isinstance(worker, Worker):
        msg = f"{worker_id} is not a worker"
        raise NothingThenError(msg)
    return {
        "worker_id": str(worker.id),
        "as_of": at.isoformat(),
        "version": worker.version,
        "birth_year": worker.birth_year,
        "sex": worker.sex,
        "district": worker.district,
        "skills": worker.skills,
        "paused": worker.paused,
        "erased": worker.erased,
        "constraints": worker.constraints,
        "events": [type(e).__name__ for e in events],
    }


def ledger_at(record: Record, at: datetime) -> dict[str, dict[str, int]]:
    """Every account's balance per council at `at` (debits positive)."""
    books = Books()
    for _, event in record.events():
        if getattr(event, "timestamp", at) > at:
            continue
        books.apply(event)
    return {tenant: dict(sorted(accounts.items())) for tenant, accounts in books.balances.items()}
