"""Tracing across HTTP → NATS → inboxes with OpenTelemetry, exported over OTLP when configured.

A request's server span starts the trace; the flow the request opens takes the trace id
as its correlation id, so every event it causes — and every event those cause in other
services — carries the same trace id in its `traceparent` header. The relay's publish
span and each inbox's consume span are children of that header's context, so one trace
shows a request, the events it published and their handling everywhere.

Spans are exported over OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; otherwise the tracer is OpenTelemetry's
no-op and costs next to nothing.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from uuid import UUID, uuid4

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import DefaultGetter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

PROPAGATOR = TraceContextTextMapPropagator()
SERVER_ERROR = 500


def configure_tracing(service: str, role: str, env: Mapping[str, str] | None = None) -> bool:
    """Export spans over OTLP when an endpoint is configured; return whether it is."""
    env = os.environ if env is None else env
    if not (
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )
    from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": f"conbini-{service}", "service.instance.id": f"{role}-{os.getpid()}"}
        )
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return True


def tracer() -> trace.Tracer:
    """The tracer of the process's provider (no-op unless configured)."""
    return trace.get_tracer("shigoto-conbini")


def context_of(traceparent: str | None) -> Context | None:
    """The remote context a `traceparent` header names (None when absent or malformed)."""
    if not traceparent:
        return None
    return PROPAGATOR.extract({"traceparent": traceparent}, getter=DefaultGetter())


def new_correlation() -> UUID:
    """A new flow's correlation id: the current trace's id when a span records, else random."""
    context = trace.get_current_span().get_span_context()
    return UUID(int=context.trace_id) if context.is_valid else uuid4()


@contextmanager
def span_for(
    name: str, traceparent: str | None, kind: SpanKind, **attributes: str | int
) -> Iterator[Span]:
    """A span under the context of a message's `traceparent`."""
    with tracer().start_as_current_span(
        name, context=context_of(traceparent), kind=kind, attributes=attributes
    ) as span:
        yield span


def tracing_middleware(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: one server span per HTTP request, child of an incoming `traceparent`."""

    async def traced(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        name = f"{scope.get('method', 'GET')} {scope.get('path', '/')}"
        with tracer().start_as_current_span(
            name,
            context=context_of(headers.get("traceparent")),
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": str(scope.get("method", "")),
                "url.path": str(scope.get("path", "")),
            },
        ) as span:

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= SERVER_ERROR:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            await app(scope, receive, sending)

    return traced
