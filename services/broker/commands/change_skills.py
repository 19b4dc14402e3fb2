"""A coordinator changes what a worker can do and would like to do."""

from uuid import UUID

import msgspec

from broker.application import BrokerApplication
from broker.commands.register_worker import Code


class ChangeSkills(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The worker's skills and preferred work types, replacing the ones recorded."""

    skills: list[Code]
    preferred_work_types: list[Code]
    """Both lists are required: a forgotten one would silently clear what was recorded."""


def change_skills(
    app: BrokerApplication, worker_id: UUID, cmd: ChangeSkills, *, tenant: str
) -> None:
    """Record the new skills and preferences; offers made from now on use them.

    Raises:
        WorkerNotFoundError: unknown worker.
        WorkerErasedError: the worker was erased.
    """
    worker = app.worker(worker_id, tenant)
    worker.change_skills(
        skills=sorted(set(cmd.skills)), preferred_work_types=sorted(set(cmd.preferred_work_types))
    )
    app.save(worker)
