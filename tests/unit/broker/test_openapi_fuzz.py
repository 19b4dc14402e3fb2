"""schemathesis against the broker's own OpenAPI: no 5xx, every response fits its schema.

Driven operation by operation with hypothesis (schemathesis' pytest plugin does not load
under pytest 9), on the in-memory broker, as a coordinator and as a requester.
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
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from backbone.auth import Role, issue_token, load_or_create_key
from broker.bootstrap import build_broker
from broker.http.app import create_app
from broker.settings import BrokerSettings

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REQUESTER])
def test_no_input_makes_the_broker_fail_or_break_its_schema(tmp_path: Path, role: Role) -> None:
    broker = build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"))
    key = load_or_create_key(tmp_path / "jwt.key")
    token = issue_token(key, tenant="mine-wakuwaku", role=role, subject=uuid4())
    schema = schemathesis.openapi.from_asgi("/docs/openapi.json", create_app(broker))
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        call()
