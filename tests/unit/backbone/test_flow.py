"""Envelopes: stable ids, the flow an event was written in, and its trace context."""

import re
from uuid import uuid4

from backbone.flow import FLOW_KEY, Flow, envelope_of, event_id_of, traceparent, within_flow
from backbone.stores import StoreSettings
from bench.pipeline import TENANT, Shift, open_source, translate


def test_envelope_starts_a_flow_when_the_event_was_stored_outside_any() -> None:
    shift = Shift(number=1, title="shift 1")
    [carved] = shift.collect_events()

    envelope = envelope_of(carved, default_tenant="mine-wakuwaku")

    assert envelope["event_id"] == event_id_of(carved)
    assert envelope["correlation_id"] == envelope["event_id"]
    assert envelope["causation_id"] is None
    assert envelope["tenant"] == "mine-wakuwaku"
    assert envelope["occurred_at"].tzinfo is not None


def test_event_id_is_the_same_when_the_stored_event_is_read_twice() -> None:
    app = open_source(StoreSettings())
    app.save(Shift(number=1, title="shift 1"))
    [note] = app.recorder.select_notifications(1, 10)

    first = app.mapper.to_domain_event(note)
    second = app.mapper.to_domain_event(note)
    app.close()

    assert event_id_of(first) == event_id_of(second)
    assert translate(first, envelope_of(first, default_tenant=TENANT)) == translate(
        second, envelope_of(second, default_tenant=TENANT)
    )


def test_flow_is_stored_with_the_event_when_written_inside_within_flow() -> None:
    app = open_source(StoreSettings())
    flow = Flow(tenant="hagi", correlation_id=uuid4(), causation_id=uuid4())
    shift = Shift(number=2, title="shift 2")
    [pending] = shift.collect_events()
    with within_flow(flow):
        app.save(pending)
    [note] = app.recorder.select_notifications(1, 10)

    stored = app.mapper.to_domain_event(note)
    envelope = envelope_of(stored, default_tenant=TENANT)
    replayed: Shift = app.repository.get(shift.id)
    app.close()

    assert envelope["tenant"] == "hagi"
    assert envelope["correlation_id"] == flow.correlation_id
    assert envelope["causation_id"] == flow.causation_id
    assert FLOW_KEY not in vars(pending), "the mapper must not change the event it stores"
    assert replayed.number == 2


def test_traceparent_is_w3c_shaped_when_built_from_a_flow() -> None:
    header = traceparent(uuid4(), uuid4())

    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", header)
