"""Who gets offered a shift: every eligible worker, fairest first, with the reasons why."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from broker.domain.constraints import Candidate, Places, broken_by
from broker.domain.values import Shift

RankKey = tuple[int, int, int, str]


@dataclass(frozen=True)
class Ranked:
    """One eligible worker, their place in line and why (kept for auditors)."""

    worker_id: object
    rank: int
    recent_minutes: int
    prefers_work_type: bool
    travel_minutes: int

    @property
    def reasons(self) -> str:
        """Why this person, in words an auditor reads (stored with the offer)."""
        prefers = "yes" if self.prefers_work_type else "no"
        return (
            f"rank {self.rank}: {self.recent_minutes} min worked or offered in the last "
            f"28 days (fewest first); prefers this work: {prefers}; "
            f"travel {self.travel_minutes} min; every hard constraint checked"
        )


def rank_candidates(
    shift: Shift,
    work_type: str,
    candidates: Iterable[Candidate],
    *,
    is_holiday: Callable[[object], bool],
    places: Places,
    limit: int,
    exclude: frozenset[object] = frozenset(),
) -> list[Ranked]:
    """Return up to `limit` eligible workers: fairness first, then fit.

    Fairness is the fewest minutes worked and offered in the last 28 days; fit prefers
    workers who asked for this kind of work, then shorter travel. Workers in `exclude`
    (already offered this task) and anyone for whom the shift breaks a hard constraint
    are left out.
    """
    eligible: list[tuple[tuple[int, int, int, str], Candidate, int]] = []
    for candidate in candidates:
        if candidate.worker_id in exclude:
            continue
        if broken_by(shift, candidate, is_holiday=is_holiday, places=places):
            continue
        key = rank_key(shift, work_type, candidate, places)
        eligible.append((key, candidate, key[2]))
    eligible.sort(key=lambda item: item[0])
    return [
        Ranked(
            worker_id=candidate.worker_id,
            rank=position,
            recent_minutes=candidate.recent_minutes,
            prefers_work_type=work_type in candidate.preferred_work_types,
            travel_minutes=travel,
        )
        for position, (_, candidate, travel) in enumerate(eligible[:limit], start=1)
    ]


def travel_of(shift: Shift, candidate: Candidate, places: Places) -> int:
    """Travel minutes to the shift (0 when home-based)."""
    c = candidate.constraints
    if shift.district is None or c.home_district is None:
        return 0
    return places.travel_minutes(c.home_district, shift.district, c.travel) or 0


def rank_key(shift: Shift, work_type: str, candidate: Candidate, places: Places) -> RankKey:
    """The order workers are considered in: fairness, then preference, travel, id."""
    prefers = work_type in candidate.preferred_work_types
    return (
        candidate.recent_minutes,
        0 if prefers else 1,
        travel_of(shift, candidate, places),
        str(candidate.worker_id),
    )


def first_eligible(
    shift: Shift,
    work_type: str,
    ordered: Iterable[Candidate],
    *,
    is_holiday: Callable[[object], bool],
    places: Places,
    limit: int,
    exclude: frozenset[object] = frozenset(),
) -> list[Ranked]:
    """Like `rank_candidates`, for candidates already in `rank_key` order: stop at `limit`.

    An index that yields workers fairest first lets a task be matched among 100,000
    registered workers by checking only the first few in line.
    """
    ranked: list[Ranked] = []
    for candidate in ordered:
        if candidate.worker_id in exclude:
            continue
        if broken_by(shift, candidate, is_holiday=is_holiday, places=places):
            continue
        ranked.append(
            Ranked(
                worker_id=candidate.worker_id,
                rank=len(ranked) + 1,
                recent_minutes=candidate.recent_minutes,
                prefers_work_type=work_type in candidate.preferred_work_types,
                travel_minutes=travel_of(shift, candidate, places),
            )
        )
        if len(ranked) == limit:
            break
    return ranked
