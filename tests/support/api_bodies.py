"""Bodies and tokens the HTTP unit tests send: one job request and one worker, overridable."""

from uuid import UUID, uuid4

from backbone.auth import Role, issue_token
from tests.support.people import personal_json

TENANT = "mine-wakuwaku"


def bearer(
    key: str, role: Role, *, subject: UUID | None = None, tenant: str = TENANT
) -> dict[str, str]:
    """The Authorization header of a development token for `role`."""
    token = issue_token(key, tenant=tenant, role=role, subject=subject or uuid4())
    return {"Authorization": f"Bearer {token}"}


def job_request_json(**overrides: object) -> dict[str, object]:
    """A week of pear work in Ofuku (19–23 October 2026, 8:00–16:00, 1,200 person-minutes)."""
    body: dict[str, object] = {
        "title": "梨の袋かけ",
        "work_type": "harvest",
        "sector": "agriculture_forestry",
        "district": "ofuku",
        "starts_on": "2026-10-19",
        "ends_on": "2026-10-23",
        "window_start": 480,
        "window_end": 960,
        "volume_minutes": 1200,
        "reward_kind": "hourly",
        "reward_yen": 1050,
    }
    return body | overrides


def worker_json(**overrides: object) -> dict[str, object]:
    """A resident of Ofuku free on weekday mornings, on foot, who can harvest."""
    body: dict[str, object] = {
        "personal": personal_json(),
        "sex": "female",
        "district": "ofuku",
        "skills": ["harvest"],
        "constraints": {
            "weekly": {str(day): [{"start": 480, "end": 780}] for day in range(5)},
            "home_district": "ofuku",
            "travel": "walk",
            "max_travel_minutes": 60,
        },
    }
    return body | overrides
