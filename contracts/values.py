"""Vocabularies shared by several contracts: sectors, reward kinds, channels and reasons."""

from enum import StrEnum


class Sector(StrEnum):
    """The council's reporting sectors (産業分類 of the KPI tables)."""

    AGRICULTURE_FORESTRY = "agriculture_forestry"  # 農林業
    TOURISM = "tourism"  # 観光業
    MANUFACTURING = "manufacturing"  # 製造業
    MEDICAL_WELFARE = "medical_welfare"  # 医療・福祉
    DAILY_LIFE_SERVICES = "daily_life_services"  # 生活サービス
    OTHER = "other"  # その他


class RewardKind(StrEnum):
    """How a task's reward is computed."""

    HOURLY = "hourly"  # 時間給: reward_yen per hour, paid by actual minutes
    FIXED = "fixed"  # 出来高: reward_yen per task


class PhysicalLoad(StrEnum):
    """How physically demanding a task is (a hard constraint for many registrants)."""

    LIGHT = "light"  # 軽作業
    MEDIUM = "medium"
    HEAVY = "heavy"


class Channel(StrEnum):
    """A way to reach a worker or take their answer."""

    WEB = "web"  # the worker page (web inbox)
    EMAIL = "email"
    LINE = "line"
    SMS = "sms"
    PHONE = "phone"  # a coordinator called and recorded the answer


class Sex(StrEnum):
    """Sex as the council's KPI tables count it; `unstated` when not given."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNSTATED = "unstated"


class WithdrawalReason(StrEnum):
    """Why an open offer was taken back from a worker."""

    TASK_TAKEN = "task_taken"  # another worker's answer won the task
    TASK_CANCELLED = "task_cancelled"  # the requester cancelled the task
    COORDINATOR = "coordinator"  # a coordinator withdrew it by hand
    CONSTRAINTS_CHANGED = "constraints_changed"  # the worker's constraints no longer fit


class RefusalReason(StrEnum):
    """Why an acceptance did not win the task."""

    ALREADY_ASSIGNED = "already_assigned"
    OFFER_EXPIRED = "offer_expired"
    OFFER_WITHDRAWN = "offer_withdrawn"
    TASK_CANCELLED = "task_cancelled"


class CancelledBy(StrEnum):
    """Who cancelled a task."""

    REQUESTER = "requester"
    COORDINATOR = "coordinator"
