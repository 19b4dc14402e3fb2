"""What notify says to workers, Japanese first in やさしい日本語, English second.

One idea per sentence; short sentences; dates as 10月20日（月）; times as 9:00. Plain
text here (email, SMS, LINE); the worker page adds furigana with <ruby>.
"""

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from notify.channels.base import Message

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS_JA = "月火水木金土日"


def when_ja(starts_at: datetime, ends_at: datetime) -> str:
    """10月20日（月） 9:00〜12:00."""
    s, e = starts_at.astimezone(TOKYO), ends_at.astimezone(TOKYO)
    return f"{s.month}月{s.day}日（{WEEKDAYS_JA[s.weekday()]}） {s:%H:%M}〜{e:%H:%M}".replace(
        " 0", " "
    )


def when_en(starts_at: datetime, ends_at: datetime) -> str:
    """Mon 20 Oct, 9:00-12:00."""
    s, e = starts_at.astimezone(TOKYO), ends_at.astimezone(TOKYO)
    return f"{s:%a %d %b}, {s:%H:%M}-{e:%H:%M}"


def moment_ja(at: datetime) -> str:
    """10月20日（月） 9:00."""
    t = at.astimezone(TOKYO)
    return f"{t.month}月{t.day}日（{WEEKDAYS_JA[t.weekday()]}） {t.hour}:{t:%M}"


def moment_en(at: datetime) -> str:
    """Mon 20 Oct, 9:00."""
    t = at.astimezone(TOKYO)
    return f"{t:%a %d %b}, {t.hour}:{t:%M}"


def pay_ja(shown: dict[str, Any]) -> str:
    """時給 1,050円 (＋交通費 300円)."""
    kind = "時給" if shown["reward_kind"] == "hourly" else "1回"
    text = f"{kind} {shown['reward_yen']:,}円"
    if shown.get("transport_allowance_yen"):
        text += f"（交通費 {shown['transport_allowance_yen']:,}円）"
    return text


def pay_en(shown: dict[str, Any]) -> str:
    """¥1,050 an hour (+ ¥300 travel)."""
    unit = "an hour" if shown["reward_kind"] == "hourly" else "for the task"
    text = f"¥{shown['reward_yen']:,} {unit}"
    if shown.get("transport_allowance_yen"):
        text += f" (+ ¥{shown['transport_allowance_yen']:,} travel)"
    return text


def delivery_key(offer_id: UUID, channel: str, attempt: int) -> UUID:
    """The same offer, channel and attempt always get the same key (provider dedup)."""
    return uuid5(NAMESPACE_URL, f"conbini:delivery:{offer_id}:{channel}:{attempt}")


def offer_message(
    *,
    offer_id: UUID,
    shown: dict[str, Any],
    channel: str,
    attempt: int,
    page_url: str,
    offer_url: str,
) -> Message:
    """A job offer: what, when, where, pay, and how to answer."""
    starts = datetime.fromisoformat(str(shown["starts_at"]))
    ends = datetime.fromisoformat(str(shown["ends_at"]))
    district = shown.get("district_name") or shown.get("district")
    place_ja = "家でできます" if shown.get("home_based") else f"場所: {district}"
    place_en = "at home" if shown.get("home_based") else f"in {district}"
    bring = "、".join(shown.get("bring") or [])
    body_ja = "\n".join(
        line
        for line in (
            "お仕事のお知らせです。",
            f"「{shown['title']}」",
            f"日時: {when_ja(starts, ends)}",
            place_ja,
            f"お金: {pay_ja(shown)}",
            f"持ち物: {bring}" if bring else "",
            "できるときは「うける」を押してください。",
            "できないときは「ことわる」を押してください。",
        )
        if line
    )
    body_en = (
        f"A job for you: {shown['title']}, {when_en(starts, ends)}, {place_en}, "
        f"{pay_en(shown)}. Please accept or decline."
    )
    return Message(
        key=delivery_key(offer_id, channel, attempt),
        subject_ja="お仕事のお知らせ",
        subject_en="A job offer",
        body_ja=body_ja,
        body_en=body_en,
        page_url=page_url,
        accept_url=offer_url,
        decline_url=offer_url,
        postback={"offer_id": str(offer_id)},
    )


NOTICE_SUBJECTS = {
    "assigned": ("お仕事が決まりました", "The job is yours"),
    "reminder": ("お仕事の日のお知らせ", "Job reminder"),
    "cancelled": ("お仕事がなくなりました", "A job was cancelled"),
    "taken": ("ほかの人に決まりました", "The job went to someone else"),
}


def notice_message(
    *, kind: str, about: UUID, shown: dict[str, Any], channel: str, attempt: int, page_url: str
) -> Message:
    """A notice about a task: confirmed with its terms, a reminder, a cancellation, taken."""
    starts = datetime.fromisoformat(str(shown["starts_at"]))
    ends = datetime.fromisoformat(str(shown.get("ends_at") or shown["starts_at"]))
    bring = "、".join(shown.get("bring") or [])
    title = shown.get("title") or "お仕事"
    district = shown.get("district_name") or shown.get("district") or ""
    lead_ja, lead_en = {
        "assigned": (
            "このお仕事は あなたに決まりました。内容を たしかめてください。",
            "The job is yours. Please check its terms.",
        ),
        "reminder": ("お仕事の日が近づきました。", "Your job is coming up."),
        "cancelled": (
            "ごめんなさい。このお仕事は なくなりました。行かなくて だいじょうぶです。",
            "Sorry, this job was cancelled. You do not need to go.",
        ),
        "taken": (
            "「うける」と 返事をもらいましたが、ほかの人に 決まりました。また お知らせします。",
            "Thank you for saying yes; the job already went to someone else.",
        ),
    }[kind]
    lines = [lead_ja, f"「{title}」", f"日時: {when_ja(starts, ends)}"]
    if kind in ("assigned", "reminder"):
        lines += [
            "家でできます" if shown.get("home_based") else f"場所: {district}",
            f"お金: {pay_ja(shown)}" if "reward_yen" in shown else "",
            f"持ち物: {bring}" if bring else "",
            "行けないときは、すぐに事務局に電話してください。",
        ]
    subject_ja, subject_en = NOTICE_SUBJECTS[kind]
    return Message(
        key=delivery_key(about, f"{kind}:{channel}", attempt),
        subject_ja=subject_ja,
        subject_en=subject_en,
        body_ja="\n".join(line for line in lines if line),
        body_en=f"{lead_en} {title}, {when_en(starts, ends)}.",
        page_url=page_url,
    )
