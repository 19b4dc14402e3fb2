"""Signs that a task spec describes employment, not outsourcing (偽装請負のおそれ).

Under 業務委託 the requester does not direct the work, does not bind the worker to hours
or a place of attendance, and pays for the result. A spec that reads otherwise is
flagged for the coordinator before tasks are carved (JAPAN-RULES §1.2–1.3).
"""

from collections.abc import Iterable, Mapping
from typing import Any

DIRECTION = (
    "指示",
    "指揮",
    "命令",
    "監督",
    "言うとおり",
    "direct",
    "supervis",
    "instruct",
    "order",
)
ATTENDANCE = ("出勤", "勤務時間", "タイムカード", "遅刻", "早退", "attendance", "clock in", "late")
PRESENCE_PAY = ("時給", "在席", "拘束", "待機", "per hour present", "standby", "waiting time")


def found(words: Iterable[str], texts: Iterable[str]) -> list[str]:
    """The words that occur in any of the texts (case-insensitive)."""
    joined = " ".join(texts).lower()
    return [word for word in words if word.lower() in joined]


def disguised_employment_warnings(terms: Mapping[str, Any]) -> list[str]:
    """Return one warning per sign of disguised employment in a job request's terms."""
    spec = terms.get("spec") or {}
    texts = [
        str(terms.get("title", "")),
        str(terms.get("description", "")),
        *(
            str(line)
            for key in ("steps", "provided", "bring", "safety")
            for line in spec.get(key, [])
        ),
        str(spec.get("acceptance", "")),
    ]
    warnings = []
    if words := found(DIRECTION, texts):
        warnings.append(
            f"依頼主が作業を指示しているように読めます (the requester seems to direct the work: "
            f"{', '.join(words)}); questions and changes go through the council"
        )
    if words := found(ATTENDANCE, texts):
        warnings.append(
            f"出勤や勤務時間を決めているように読めます (fixed attendance seems imposed: "
            f"{', '.join(words)}); describe the result and when it is due instead"
        )
    if words := found(PRESENCE_PAY, texts):
        warnings.append(
            f"その場にいることに払っているように読めます (pay seems tied to presence: "
            f"{', '.join(words)}); pay for the result"
        )
    return warnings
