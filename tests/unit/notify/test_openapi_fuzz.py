"""schemathesis against notify's own OpenAPI: no 5xx, every response fits its schema.

Driven operation by operation with hypothesis (as for the broker), on the in-memory
notify, as a coordinator; the worker page's routes are fuzzed with valid and forged links.
"""

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backbone.auth import Role, issue_token
from notify.http.app import create_app
from tests.unit.notify.support import TENANT, in_memory_notify, offered, react

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.WORKER])
def test_no_input_makes_notify_fail_or_break_its_schema(tmp_path: Path, role: Role) -> None:
    notify = in_memory_notify(tmp_path)
    worker = uuid4()
    react(notify, offered(worker))
    token = issue_token(notify.jwt_key, tenant=TENANT, role=role, subject=uuid4())
    schema = schemathesis.openapi.from_asgi("/docs/openapi.json", create_app(notify))
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if isinstance(result, Ok) and not result.ok().path.endswith("/events")
    ]  # the live stream never ends by itself; test_worker_page_browser drives it
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case[Any]) -> None:
            if case.path_parameters and "token" in case.path_parameters:
                case.path_parameters["token"] = notify.link_token(worker, TENANT)
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        call()
