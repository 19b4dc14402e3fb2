"""What the worker page shows: plain dicts for the templates, times in Asia/Tokyo."""

from datetime import datetime
from typing import Any
from uuid import UUID

from notify.board import JobCard, OfferCard
from notify.domain.job import Job
from notify.domain.offer import Offer
from notify.messages import TOKYO, when_en, when_ja


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


def job_state(*, cancelled: bool, checked_in: bool, checked_out: bool) -> str:
    """assigned, checked_in, checked_out or cancelled."""
    if cancelled:
        return "cancelled"
    if checked_out:
        return "checked_out"
    return "checked_in" if checked_in else "assigned"


def job_view(job: JobCard | Job, now: datetime, lang: str) -> dict[str, Any]:
    """One assigned task for the template."""
    shown = job.shown
    starts = as_time(job.starts_at)
    ends = as_time(shown.get("ends_at") or job.starts_at)
    when = when_ja if lang == "ja" else when_en
    planned = max(1, round((ends - starts).total_seconds() / 60))
    checked_in_at = job.checked_in_at
    worked = round((now - checked_in_at).total_seconds() / 60) if checked_in_at else planned
    ident = job.job_id if isinstance(job, JobCard) else job.id
    return {
        "id": ident,
        "title": shown.get("title", ""),
        "when": when(starts, ends),
        "home_based": bool(shown.get("home_based")),
        "district": shown.get("district_name") or shown.get("district") or "",
        "bring": ("、" if lang == "ja" else ", ").join(shown.get("bring") or []),
        "minutes": max(1, min(worked, 960)),
        "state": job_state(
            cancelled=job.cancelled,
            checked_in=job.checked_in_at is not None,
            checked_out=job.checked_out_at is not None,
        ),
    }
