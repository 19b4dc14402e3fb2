"""schemathesis against payout's own OpenAPI: no 5xx, every response fits its schema."""

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
from payout.http.app import create_app
from tests.unit.payout.support import TENANT, completed, in_memory_payout, react, registered

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.AUDITOR])
def test_no_input_makes_payout_fail_or_break_its_schema(tmp_path: Path, role: Role) -> None:
    payout = in_memory_payout(tmp_path)
    worker = uuid4()
    react(payout, registered(worker), completed(worker))
    token = issue_token(payout.jwt_key, tenant=TENANT, role=role, subject=uuid4())
    schema = schemathesis.openapi.from_asgi("/docs/openapi.json", create_app(payout))
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if isinstance(result, Ok) and not result.ok().path.startswith("/reconciliation")
    ]  # reconciliation reads the BROKER stream: tests/e2e/test_payout_flow.py drives it
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
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        call()
