"""JSON logs, readiness and Prometheus metrics, on the in-memory services."""

import json
import logging
from pathlib import Path
from typing import Any
from uuid import uuid4

from litestar.testing import TestClient

from backbone.observability import JsonFormatter
from broker.bootstrap import build_broker
from broker.http.app import create_app as broker_app
from broker.settings import BrokerSettings
from notify.http.app import create_app as notify_app
from tests.unit.notify.support import in_memory_notify, offered, react


def test_a_log_record_is_one_json_object_with_its_extra_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "broker.inbox", "levelno": 20, "levelname": "INFO", "msg": "took %s", "args": (3,)}
    )
    record.durable = "broker-from-notify"

    line = json.loads(JsonFormatter("broker", "inbox").format(record))

    assert line["message"] == "took 3"
    assert line["level"] == "info"
    assert line["service"] == "broker"
    assert line["role"] == "inbox"
    assert line["durable"] == "broker-from-notify"
    assert line["time"].endswith("+00:00")


def test_broker_is_ready_and_exposes_its_gauges_and_request_latency(tmp_path: Path) -> None:
    broker = build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"))
    with TestClient(app=broker_app(broker)) as client:
        ready = client.get("/ready")
        client.get("/health")
        metrics = client.get("/metrics")

    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}
    assert metrics.status_code == 200
    text = metrics.text
    assert 'conbini_events_stored{service="broker"} 0.0' in text
    assert 'conbini_relay_lag_events{service="broker"} 0.0' in text
    assert 'conbini_open_offers{service="broker"} 0.0' in text
    assert "conbini_request_duration_seconds" in text
    assert 'path="/health"' in text


def test_notify_counts_its_open_offers(tmp_path: Path) -> None:
    notify = in_memory_notify(tmp_path)
    react(notify, offered(uuid4()))
    client: TestClient[Any]
    with TestClient(app=notify_app(notify)) as client:
        text = client.get("/metrics").text

    assert 'conbini_open_offers{service="notify"} 1.0' in text
    assert 'conbini_events_stored{service="notify"} 2.0' in text
    assert 'conbini_relay_lag_events{service="notify"} 2.0' in text
