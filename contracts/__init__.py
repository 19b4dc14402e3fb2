"""The published language of shigoto-conbini: integration events every service may read.

The one package that re-exports: `import contracts` is the front door other teams and
auditors use (`contracts.TaskCarvedOut`). Inside this repository, import from the defining
module (`from contracts.broker import TaskCarvedOut`).
"""

from contracts.base import IntegrationEvent
from contracts.broker import (
    DisputeResolved,
    JobRequested,
    NoShowRecorded,
    OfferExpired,
    OfferWithdrawn,
    TaskAccepted,
    TaskAssignmentRefused,
    TaskCancelled,
    TaskCarvedOut,
    TaskOffered,
    WorkCompleted,
    WorkDisputed,
    WorkerErased,
    WorkerRegistered,
    WorkStarted,
)
from contracts.notify import OfferAccepted, OfferDeclined, WorkerCheckedIn, WorkerCheckedOut
from contracts.payout import PayoutFailed, PayoutRunClosed, RewardAccrued, RewardPaid

__all__ = [
    "DisputeResolved",
    "IntegrationEvent",
    "JobRequested",
    "NoShowRecorded",
    "OfferAccepted",
    "OfferDeclined",
    "OfferExpired",
    "OfferWithdrawn",
    "PayoutFailed",
    "PayoutRunClosed",
    "RewardAccrued",
    "RewardPaid",
    "TaskAccepted",
    "TaskAssignmentRefused",
    "TaskCancelled",
    "TaskCarvedOut",
    "TaskOffered",
    "WorkCompleted",
    "WorkDisputed",
    "WorkStarted",
    "WorkerCheckedIn",
    "WorkerCheckedOut",
    "WorkerErased",
    "WorkerRegistered",
]
