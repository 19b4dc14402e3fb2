"""Traces across HTTP → stored events → published messages → inboxes, with the real SDK."""

from pathlib import Path
from uuid import UUID, uuid4

import pytest
from litestar.testing import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from backbone.auth import Role, issue_token, load_or_create_key
from backbone.flow import traceparent
from backbone.tracing import configure_tracing, span_for
from broker.bootstrap import build_broker
from broker.domain.job_request import JobRequest
from broker.http.app import create_app
from broker.settings import BrokerSettings

EXPORTER = InMemorySpanExporter()


@pytest.fixture(autouse=True)
def spans() -> InMemorySpanExporter:
    """One SDK provider for the process (OpenTelemetry allows setting it once)."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        trace.set_tracer_provider(provider)
    EXPORTER.clear()
    return EXPORTER


def test_a_request_starts_the_trace_and_its_events_carry_the_trace_id(
    tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    broker = build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"))
    key = load_or_create_key(tmp_path / "jwt.key")
    token = issue_token(key, tenant="mine-wakuwaku", role=Role.REQUESTER, subject=uuid4())
    incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    body = {
        "title": "梨の袋かけ",
        "work_type": "harvest",
        "sector": "agriculture_forestry",
        "district": "ofuku",
        "starts_on": "2027-10-19",
        "ends_on": "2027-10-23",
        "window_start": 480,
        "window_end": 960,
        "volume_minutes": 600,
        "reward_kind": "hourly",
        "reward_yen": 1050,
    }
    with TestClient(app=create_app(broker)) as client:
        response = client.post(
            "/job-requests",
            json=body,
            headers={"Authorization": f"Bearer {token}", "traceparent": incoming},
        )

    assert response.status_code == 201
    [server] = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert server.context is not None
    assert f"{server.context.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    assert server.parent is not None
    assert f"{server.parent.span_id:016x}" == "b7ad6b7169203331"
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 201
    [note] = broker.app.recorder.select_notifications(1, 1)
    event = broker.app.mapper.to_domain_event(note)
    assert isinstance(event, JobRequest.Submitted)
    flow = vars(event)["_flow"]
    assert UUID(flow["correlation_id"]) == UUID(int=server.context.trace_id)


def test_a_consumer_span_continues_the_trace_of_the_message_it_handles(
    spans: InMemorySpanExporter,
) -> None:
    correlation, event_id = uuid4(), uuid4()
    header = traceparent(correlation, event_id)

    with span_for("consume broker.task_offered.v1.x", header, SpanKind.CONSUMER):
        pass

    [span] = spans.get_finished_spans()
    assert span.context is not None
    assert span.context.trace_id == correlation.int
    assert span.parent is not None
    assert f"{span.parent.span_id:016x}" == header.split("-")[2]


def test_spans_are_exported_only_when_an_endpoint_is_configured() -> None:
    assert configure_tracing("broker", "api", {}) is False
