"""Observability shared by every service: JSON logs, readiness, and Prometheus metrics.

* **Logs** are one JSON object per line (time, level, logger, message, and any `extra`
  fields) — `CONBINI_LOG_FORMAT=text` for people reading a terminal.
* **Readiness** (`/ready`) answers 200 only when the service's store answers.
* **Metrics** (`/metrics`, Prometheus text): request latency per route (Litestar's
  Prometheus middleware), and at each scrape: events stored, relay lag (stored events
  not yet published), inbox lag per upstream (messages the durable consumer has not yet
  taken, from JetStream), dead letters per consumer, and whatever the service adds
  (open offers, open call-list entries …).
"""

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import PersistenceError
from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import REGISTRY, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from backbone.nats_users import NatsLogin
from backbone.problems.kinds import PROBLEM_JSON, UNAVAILABLE, Problem, Words, problem_body
from backbone.runtime import BackboneSettings, connect_once
from backbone.stores import ServiceApplication
from contracts.subjects import dead_letter_subject, durable_name, producer_of, stream_name

STANDARD_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per log record."""

    def __init__(self, service: str, role: str) -> None:
        """Stamp every line with the service and role."""
        super().__init__()
        self.service, self.role = service, role

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON, with its extra fields and any exception."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "role": self.role,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {
            key: value
            for key, value in vars(record).items()
            if key not in STANDARD_RECORD_FIELDS and not key.startswith("_")
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(service: str, role: str, env: Mapping[str, str] | None = None) -> None:
    """JSON lines on stderr (or plain text with `CONBINI_LOG_FORMAT=text`)."""
    env = os.environ if env is None else env
    handler = logging.StreamHandler(sys.stderr)
    if env.get("CONBINI_LOG_FORMAT", "json") == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(JsonFormatter(service, role))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(env.get("CONBINI_LOG_LEVEL", "INFO").upper())


async def jetstream_lags(
    urls: Sequence[str], service: str, upstreams: Sequence[str], login: NatsLogin | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """(pending messages per durable, dead letters per durable); empty when NATS is away."""
    pending: dict[str, int] = {}
    dead: dict[str, int] = {}
    nc = await connect_once(urls, timeout_s=2, login=login)
    if nc is None:
        return pending, dead
    try:
        js = nc.jetstream()
        for producer in upstreams:
            durable = durable_name(service, producer)
            with contextlib.suppress(Exception):
                info = await js.consumer_info(stream_name(producer), durable)
                pending[durable] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
            with contextlib.suppress(Exception):
                subject = dead_letter_subject(service, producer)
                stream = await js.stream_info("DEADLETTER", subjects_filter=subject)
                dead[durable] = int((stream.state.subjects or {}).get(subject, 0))
    finally:
        await nc.close()
    return pending, dead


class ServiceCollector(Collector):
    """Gauges computed at each scrape from the store and JetStream."""

    def __init__(
        self,
        service: str,
        app: ServiceApplication,
        nats: BackboneSettings,
        extra: Mapping[str, tuple[str, Callable[[], float]]] | None = None,
    ) -> None:
        """Watch one service, asking NATS as the service's own user."""
        self.service, self.app, self.nats = service, app, nats
        self.extra = dict(extra or {})

    def collect(self) -> Iterator[Metric]:
        """The gauges."""
        labels = ["service"]
        stored = int(self.app.recorder.max_notification_id() or 0)
        published = int(self.app.recorder.max_tracking_id(f"{self.service}-relay") or 0)
        events = GaugeMetricFamily("conbini_events_stored", "Events in the store", labels=labels)
        events.add_metric([self.service], stored)
        yield events
        relay = GaugeMetricFamily(
            "conbini_relay_lag_events", "Stored events not yet published", labels=labels
        )
        relay.add_metric([self.service], max(0, stored - published))
        yield relay
        producers = sorted({producer_of(kind) for kind in self.app.routes})
        with ThreadPoolExecutor(max_workers=1) as pool:  # scrapes may come from an event loop
            future = pool.submit(
                asyncio.run,
                jetstream_lags(self.nats.nats_urls, self.service, producers, self.nats.nats_login),
            )
            try:
                pending, dead = future.result(timeout=10)
            except TimeoutError:
                pending, dead = {}, {}
        inbox = GaugeMetricFamily(
            "conbini_inbox_lag_messages",
            "Upstream messages the inbox has not yet taken",
            labels=["service", "durable"],
        )
        letters = GaugeMetricFamily(
            "conbini_dead_letters",
            "Messages parked in the dead-letter stream",
            labels=["service", "durable"],
        )
        for durable, count in sorted(pending.items()):
            inbox.add_metric([self.service, durable], count)
        for durable, count in sorted(dead.items()):
            letters.add_metric([self.service, durable], count)
        yield inbox
        yield letters
        for name, (text, read) in sorted(self.extra.items()):
            gauge = GaugeMetricFamily(name, text, labels=labels)
            gauge.add_metric([self.service], float(read()))
            yield gauge


def observability(
    service: str,
    app: ServiceApplication,
    nats: BackboneSettings,
    extra: Mapping[str, tuple[str, Callable[[], float]]] | None = None,
) -> tuple[PrometheusConfig, list[Any]]:
    """The Prometheus middleware config and the route handlers (`/metrics`, `/ready`)."""
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(ServiceCollector(service, app, nats, extra))
    config = PrometheusConfig(
        app_name=service, prefix="conbini", group_path=True, exclude=["^/metrics"]
    )

    @get(
        "/metrics",
        summary="Prometheus metrics",
        include_in_schema=False,
        sync_to_thread=True,
        media_type=CONTENT_TYPE_LATEST,
    )
    def metrics() -> Response[bytes]:
        """Request latency per route, and the service's gauges."""
        return Response(
            generate_latest(REGISTRY) + generate_latest(gauges), media_type=CONTENT_TYPE_LATEST
        )

    @get("/ready", summary="Readiness: the store answers", tags=["health"], sync_to_thread=True)
    def ready() -> Response[dict[str, Any]]:
        """200 when the store answers; 503 otherwise."""
        try:
            app.recorder.max_notification_id()
        except (PersistenceError, OSError) as error:
            not_ready = Problem(
                UNAVAILABLE,
                Words(UNAVAILABLE.explanation.ja, "Not ready: the store does not answer."),
                extensions={"reason": type(error).__name__},
            )
            return Response(problem_body(not_ready), status_code=503, media_type=PROBLEM_JSON)
        return Response({"status": "ready"})

    return config, [metrics, ready]
