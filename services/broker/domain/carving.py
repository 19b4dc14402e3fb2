"""Propose how to carve a job request into shifts people with constraints can take.

Greedy, day by day and slot by slot inside the request's daily window: at each start time
take the longest allowed shift that at least two eligible registered workers could do (one
to take it, one in reserve), as many in parallel as the headcount and the eligible workers
allow, until the requested person-minutes are covered. What cannot be covered is reported
with the constraints that stood in the way, so the coordinator can renegotiate.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from broker.domain.constraints import Candidate, Places, broken_by
from broker.domain.values import TOKYO, PhysicalLoad, Shift, days_between

STEP_MINUTES = 30
MIN_ELIGIBLE = 2


@dataclass(frozen=True)
class ProposedShift:
    """One shift the coordinator may confirm, with how many people could take it."""

    starts_at: datetime
    ends_at: datetime
    copies: int
    eligible: int

    @property
    def minutes(self) -> int:
        """Person-minutes of all copies."""
        return self.copies * int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass
class Proposal:
    """Shifts to carve, and what could not be covered and why."""

    shifts: list[ProposedShift] = field(default_factory=list)
    covered_minutes: int = 0
    uncovered_minutes: int = 0
    blocked_by: dict[str, int] = field(default_factory=dict)
    """Constraint → how many worker-slots it ruled out where fewer than two were free."""


def shift_at(day: date, start: int, length: int, terms: dict[str, Any]) -> Shift:
    """A candidate shift of the request on `day`, `start` minutes after midnight."""
    starts_at = datetime.combine(day, time(0), tzinfo=TOKYO) + timedelta(minutes=start)
    return Shift(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=length),
        district=terms["district"],
        load=PhysicalLoad(terms["load"]),
        team=terms["team"],
        skills=frozenset(terms["skills"]),
    )


def propose_carving(
    terms: dict[str, Any],
    candidates: Sequence[Candidate],
    *,
    is_holiday: Callable[[object], bool],
    places: Places,
    today: date,
) -> Proposal:
    """Return the shifts that cover the most of the requested minutes."""
    proposal = Proposal()
    blocked: Counter[str] = Counter()
    remaining = int(terms["volume_minutes"])
    first = max(date.fromisoformat(terms["starts_on"]), today + timedelta(days=1))
    lengths = range(
        int(terms["max_shift_minutes"]), int(terms["min_shift_minutes"]) - 1, -STEP_MINUTES
    )
    for day in days_between(first, date.fromisoformat(terms["ends_on"])):
        start = int(terms["window_start"])
        while remaining > 0 and start + int(terms["min_shift_minutes"]) <= int(terms["window_end"]):
            placed = place_one(day, start, lengths, terms, candidates, is_holiday, places, blocked)
            if placed is None:
                start += STEP_MINUTES
                continue
            length = int((placed.ends_at - placed.starts_at).total_seconds() // 60)
            copies = min(placed.copies, max(1, -(-remaining // length)))
            shift = ProposedShift(placed.starts_at, placed.ends_at, copies, placed.eligible)
            proposal.shifts.append(shift)
            remaining -= shift.minutes
            start += length
        if remaining <= 0:
            break
    proposal.covered_minutes = sum(s.minutes for s in proposal.shifts)
    proposal.uncovered_minutes = max(0, int(terms["volume_minutes"]) - proposal.covered_minutes)
    proposal.blocked_by = dict(blocked.most_common()) if proposal.uncovered_minutes else {}
    return proposal


def place_one(
    day: date,
    start: int,
    lengths: range,
    terms: dict[str, Any],
    candidates: Sequence[Candidate],
    is_holiday: Callable[[object], bool],
    places: Places,
    blocked: Counter[str],
) -> ProposedShift | None:
    """The longest shift starting here that at least two workers could take, if any."""
    for length in lengths:
        if start + length > int(terms["window_end"]):
            continue
        shift = shift_at(day, start, length, terms)
        eligible = 0
        reasons: Counter[str] = Counter()
        for candidate in candidates:
            broken = broken_by(shift, candidate, is_holiday=is_holiday, places=places)
            if broken:
                reasons.update(b.value for b in broken)
            else:
                eligible += 1
        if eligible >= MIN_ELIGIBLE:
            copies = min(int(terms["headcount_max"]), eligible - 1)
            return ProposedShift(shift.starts_at, shift.ends_at, copies, eligible)
        if length == lengths[-1]:
            blocked.update(reasons)
    return None
