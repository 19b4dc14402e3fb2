"""What can go wrong in the broker, under one root.

Refusals a coordinator or requester reads say what and why, Japanese first, then English,
with times in Tokyo (12月9日（水） 9:00).
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from uuid import UUID

from broker.domain.values import moment_en, moment_ja


class BrokerError(Exception):
    """A broker command cannot be carried out."""


class NotFoundError(BrokerError):
    """An id names nothing this tenant owns."""

    kind = "thing"

    def __init__(self, ident: UUID) -> None:
        super().__init__(f"no {self.kind} {ident}")


class TaskNotFoundError(NotFoundError):
    """No such task for this tenant (or requester)."""

    kind = "task"


class WorkerNotFoundError(NotFoundError):
    """No such registered worker for this tenant."""

    kind = "worker"


class JobRequestNotFoundError(NotFoundError):
    """No such job request for this tenant (or requester)."""

    kind = "job request"


class TaskStateError(BrokerError):
    """The task is not in a state that allows this."""

    def __init__(self, task_id: UUID, status: str, action: str) -> None:
        super().__init__(f"task {task_id} is {status}; cannot {action}")


class ConstraintBrokenError(BrokerError):
    """The task breaks one of the worker's hard constraints."""

    def __init__(self, worker_id: UUID, broken: list[str]) -> None:
        super().__init__(f"worker {worker_id}: breaks {', '.join(broken)}")
        self.broken = broken


class InvalidRequestError(BrokerError):
    """A job request or a carving is impossible (empty window, end before start …)."""


class ConfirmationTooEarlyError(InvalidRequestError):
    """検収 before the shift has started: nothing can have been done yet."""

    def __init__(self, starts_at: datetime, now: datetime) -> None:
        super().__init__(
            f"まだ検収できません。この仕事は{moment_ja(starts_at)}に始まる予定で、"
            f"今（{moment_ja(now)}）はまだ始まっていません。仕事が始まってから確認してください。"
            f" / The work cannot be confirmed yet: the shift starts {moment_en(starts_at)} and "
            f"it is now {moment_en(now)}. Confirm it once the work has started."
        )
        self.starts_at, self.now = starts_at, now


class FinishTimeImpossibleError(InvalidRequestError):
    """The finish time given with a 検収 is before the shift's start, or still to come."""

    def __init__(
        self, finished_at: datetime, *, starts_at: datetime, now: datetime, skew: timedelta
    ) -> None:
        skew_minutes = int(skew.total_seconds() // 60)
        if finished_at < starts_at:
            ja = f"仕事の開始（{moment_ja(starts_at)}）より前です"
            en = f"is before the shift's start ({moment_en(starts_at)})"
        else:
            ja = f"まだ来ていない時刻です（今は{moment_ja(now)}、時計のずれは{skew_minutes}分まで）"
            en = (
                f"has not come yet (it is now {moment_en(now)}; clocks may differ by "
                f"{skew_minutes} minutes at most)"
            )
        super().__init__(
            f"終了時刻 {moment_ja(finished_at)} は{ja}。実際に終わった時刻を入れてください。"
            f" / The finish time {moment_en(finished_at)} {en}. "
            "Give the time the work actually ended."
        )
        self.finished_at = finished_at


class WorkedMinutesOverLimitError(InvalidRequestError):
    """More minutes than the shift, its tolerance and any approved excess allow."""

    def __init__(
        self, worked_minutes: int, *, shift_minutes: int, tolerance: int, approved: int
    ) -> None:
        limit = shift_minutes + tolerance + approved
        super().__init__(
            f"作業時間 {worked_minutes}分 は上限 {limit}分 を超えています"
            f"（予定 {shift_minutes}分＋許容 {tolerance}分＋承認済みの超過 {approved}分）。"
            "超えた分は、先にコーディネーターが理由とともに承認してください。"
            f" / {worked_minutes} minutes worked exceed the limit of {limit} minutes "
            f"(the shift's {shift_minutes} min + {tolerance} min tolerance + {approved} min "
            "approved excess). A coordinator must first approve the excess, with a reason."
        )
        self.worked_minutes, self.limit = worked_minutes, limit


class CheckInOutsideWindowError(InvalidRequestError):
    """A check-in too long before the shift's start, or after its end."""

    def __init__(
        self, at: datetime, *, starts_at: datetime, ends_at: datetime, early: timedelta
    ) -> None:
        opens, early_minutes = starts_at - early, int(early.total_seconds() // 60)
        super().__init__(
            f"チェックインできるのは{moment_ja(opens)}から{moment_ja(ends_at)}までです"
            f"（開始の{early_minutes}分前から終了まで）。{moment_ja(at)}のチェックインは"
            "受け付けられません。"
            f" / Check-in is accepted from {moment_en(opens)} until {moment_en(ends_at)} "
            f"({early_minutes} minutes before the start until the end); a check-in at "
            f"{moment_en(at)} is refused."
        )
        self.at = at


class DistrictUnknownError(InvalidRequestError):
    """A job request or a worker names a district the council does not have."""

    def __init__(self, given: str, allowed: Mapping[str, str]) -> None:
        listed = ", ".join(f"{code}（{name}）" for code, name in sorted(allowed.items()))
        suggestion = next(
            (code for code, name in allowed.items() if given in {name, name.removesuffix("町")}),
            None,
        )
        hint_ja = f"「{given}」はコード {suggestion} で指定してください。" if suggestion else ""
        hint_en = f" Write {given!r} as its code {suggestion!r}." if suggestion else ""
        super().__init__(
            f"地区「{given}」はこの自治体の地区にありません。{hint_ja}使える地区: {listed}"
            f" / {given!r} is not one of this council's districts.{hint_en} "
            f"Use one of: {listed}"
        )
        self.given, self.allowed, self.suggestion = given, dict(allowed), suggestion


class VolumeOverCapacityError(InvalidRequestError):
    """More person-minutes a day than the headcount can work inside the daily window."""

    def __init__(
        self, volume_minutes: int, *, days: int, window_minutes: int, headcount: int
    ) -> None:
        per_day = -(-volume_minutes // days)
        capacity = window_minutes * headcount
        super().__init__(
            f"依頼量が多すぎます。{volume_minutes:,}分を{days}日でこなすには1日{per_day:,}分が"
            f"必要ですが、1日にできるのは最大 {capacity:,}分"
            f"（時間帯 {window_minutes}分 × 同時に働ける最大人数 {headcount}人）です。"
            "日数・時間帯・人数を増やすか、依頼量を減らしてください。"
            f" / Too much work asked for: {volume_minutes:,} person-minutes over {days} day(s) "
            f"need {per_day:,} a day, but at most {capacity:,} fit in a day (the daily window's "
            f"{window_minutes} min × at most {headcount} people at once, headcount_max). "
            "Add days, widen the window, raise the headcount, or ask for less."
        )
        self.capacity = capacity


class WorkerErasedError(BrokerError):
    """The worker's personal data was erased; their details can no longer change."""

    def __init__(self, worker_id: UUID) -> None:
        super().__init__(f"worker {worker_id} was erased")
