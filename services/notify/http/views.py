"""What the worker page shows: plain dicts for the templates, times in Asia/Tokyo."""

from datetime import datetime
from typing import Any
from uuid import UUID

from notify.board import JobCard, OfferCard
from notify.domain.job import Job, JobState
from notify.domain.offer import Offer
from notify.domain.pay import ConfirmedWork
from notify.domain.shift import Step
from notify.http.words import WORDS
from notify.messages import TOKYO, moment_en, moment_ja, when_en, when_ja


def as_time(value: object) -> datetime:
    """A stored time (a datetime, or its ISO text in older records)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def offer_state(
    *, answer: bool | None, closing: object, expires_at: datetime, now: datetime
) -> str:
    """open, accepted, declined, assigned, taken, withdrawn, expired or cancelled."""
    if answer is False:
        return "declined"
    if closing is not None:
        return str(getattr(closing, "value", closing))
    if answer is True:
        return "accepted"
    return "expired" if expires_at <= now else "open"


def offer_view(
    offer_id: UUID, shown: dict[str, Any], state: str, expires_at: datetime, lang: str
) -> dict[str, Any]:
    """One offer for the template."""
    starts, ends = as_time(shown["starts_at"]), as_time(shown["ends_at"])
    when = when_ja if lang == "ja" else when_en

    def yen(amount: int) -> str:
        return f"{amount:,}円" if lang == "ja" else f"¥{amount:,}"

    deadline = expires_at.astimezone(TOKYO)
    return {
        "id": offer_id,
        "title": shown.get("title", ""),
        "when": when(starts, ends),
        "home_based": bool(shown.get("home_based")),
        "district": shown.get("district_name") or shown.get("district") or "",
        "hourly": shown.get("reward_kind") == "hourly",
        "pay": yen(int(shown.get("reward_yen", 0))),
        "travel": yen(int(shown["transport_allowance_yen"]))
        if shown.get("transport_allowance_yen")
        else "",
        "bring": ("、" if lang == "ja" else ", ").join(shown.get("bring") or []),
        "answer_by": f"{deadline.month}/{deadline.day} {deadline:%H:%M}",
        "state": state,
    }


def card_view(card: OfferCard, now: datetime, lang: str) -> dict[str, Any]:
    """An offer from the board."""
    state = offer_state(
        answer=card.answer, closing=card.closing, expires_at=card.expires_at, now=now
    )
    return offer_view(card.offer_id, card.shown, state, card.expires_at, lang)


def aggregate_view(offer: Offer, now: datetime, lang: str) -> dict[str, Any]:
    """An offer from the store (just after an answer)."""
    state = offer_state(
        answer=offer.answer, closing=offer.closing, expires_at=offer.expires_at, now=now
    )
    return offer_view(offer.id, offer.shown, state, offer.expires_at, lang)


UPCOMING = frozenset({JobState.ASSIGNED, JobState.CHECKED_IN})
FINISHED = frozenset({JobState.CHECKED_OUT, JobState.COMPLETED, JobState.DISPUTED})
"""Where each job's one card goes: upcoming, finished work, or (cancelled, no-show) the past."""


def section_of(state: JobState) -> str:
    """upcoming, finished or ended."""
    if state in UPCOMING:
        return "upcoming"
    return "finished" if state in FINISHED else "ended"


def job_view(job: JobCard | Job, now: datetime, lang: str) -> dict[str, Any]:
    """One job for the template: its one state, and only the buttons that state allows."""
    words = WORDS[lang]
    shown = job.shown
    starts = job.starts_at
    ends = job.ends_at or starts
    when = when_ja if lang == "ja" else when_en
    moment = moment_ja if lang == "ja" else moment_en
    planned = max(1, round((ends - starts).total_seconds() / 60))
    began = job.checked_in_at or job.started_at
    worked = round((now - max(began, starts)).total_seconds() / 60) if began else planned
    state = job.state
    window = job.shift.check_in_step(now)
    view: dict[str, Any] = {
        "id": job.job_id if isinstance(job, JobCard) else job.id,
        "title": shown.get("title", ""),
        "when": when(starts, ends),
        "home_based": bool(shown.get("home_based")),
        "district": shown.get("district_name") or shown.get("district") or "",
        "bring": ("、" if lang == "ja" else ", ").join(shown.get("bring") or []),
        "minutes": max(1, min(worked, 960)),
        "state": state.value,
        "section": section_of(state),
        "can_check_in": state is JobState.ASSIGNED and window is None,
        "can_check_out": state is JobState.CHECKED_IN and job.shift.check_out_step(now) is None,
        "line": "",
    }
    if state is JobState.ASSIGNED and window is Step.TOO_EARLY:
        view["line"] = words["check_in_from"].format(moment(job.shift.check_in_opens_at))
    elif state is JobState.ASSIGNED and window is Step.TOO_LATE:
        view["line"] = words["check_in_closed"]
    elif state is JobState.CHECKED_IN and not view["can_check_out"]:
        view["line"] = words["check_out_from"].format(moment(starts))
    if job.confirmed is not None:
        view |= confirmed_view(job.confirmed, lang)
    return view


def confirmed_view(work: ConfirmedWork, lang: str) -> dict[str, Any]:
    """The confirmed time, the minutes and the pay (expected, when tax may be withheld)."""
    when = when_ja if lang == "ja" else when_en
    travel = yen_of(work.travel_yen, lang) if work.travel_yen else ""
    return {
        "done_when": when(work.started_at, work.finished_at),
        "worked_minutes": work.worked_minutes,
        "pay": yen_of(work.pay_yen, lang),
        "travel_in": WORDS[lang]["travel_in"].format(travel) if travel else "",
        "pay_expected": work.withholding_applies,
    }


def yen_of(amount: int, lang: str) -> str:
    """4,500円, or ¥4,500."""
    return f"{amount:,}円" if lang == "ja" else f"¥{amount:,}"


def superseded(offer: OfferCard, jobs: list[JobCard]) -> bool:
    """The offer is part of a job's story (answered, then assigned): the job's card tells it.

    An offer received after the job's latest assignment (the task offered again after a
    no-show) keeps its own card.
    """
    return any(j.task_id == offer.task_id and offer.received_at <= j.assigned_at for j in jobs)
