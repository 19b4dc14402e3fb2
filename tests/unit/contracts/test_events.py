"""The envelope, tags, subjects and catalog rules every contract event follows."""

import inspect
from datetime import UTC, datetime
from uuid import uuid4

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import contracts
from contracts import broker, notify, payout
from contracts.base import IntegrationEvent, encode
from contracts.catalog import DECODERS, ROUTES, routes_to, upstreams_of
from contracts.subjects import (
    durable_name,
    producer_of,
    stream_name,
    subject_filter,
    subject_of,
)
from tests.support.strategies import struct_strategy

EVENT_TYPES = [route.event for route in ROUTES]
CARD_EVENTS = ("TaskCarvedOut", "TaskOffered", "TaskAccepted", "WorkCompleted", "RewardPaid")


def defined_events() -> set[type[IntegrationEvent]]:
    return {
        value
        for module in (broker, notify, payout)
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, IntegrationEvent)
        and value is not IntegrationEvent
    }


def test_tags_are_unique_when_every_event_is_listed() -> None:
    tags = [event.type_tag() for event in EVENT_TYPES]

    assert len(tags) == len(set(tags))


def test_every_defined_event_is_routed_when_the_catalog_is_read() -> None:
    assert defined_events() == set(EVENT_TYPES)


@pytest.mark.parametrize("event", EVENT_TYPES, ids=lambda e: e.__name__)
def test_tag_names_producer_event_and_version_when_read(event: type[IntegrationEvent]) -> None:
    producer, name, version = event.type_tag().split(".")

    assert event.__module__ == f"contracts.{producer}"
    assert name.replace("_", "") == event.__name__.lower()
    assert version == f"v{event.__struct_defaults__[-1]}"  # schema_version's default
    assert event.__struct_config__.frozen
    assert event.__doc__


@pytest.mark.parametrize("event", EVENT_TYPES, ids=lambda e: e.__name__)
def test_money_is_integer_yen_when_a_field_names_an_amount(event: type[IntegrationEvent]) -> None:
    info = msgspec.inspect.type_info(event)
    assert isinstance(info, msgspec.inspect.StructType)
    for field in info.fields:
        if field.name.endswith(("_yen", "_minutes")):
            assert isinstance(field.type, msgspec.inspect.IntType), field.name
            assert field.type.ge == 0, field.name


@pytest.mark.parametrize("event", EVENT_TYPES, ids=lambda e: e.__name__)
@given(data=st.data())
def test_event_round_trips_through_json_when_any_valid_value_is_given(
    event: type[IntegrationEvent], data: st.DataObject
) -> None:
    original = data.draw(struct_strategy(event))

    decoded = DECODERS[producer_of(event)].decode(encode(original))

    assert decoded == original
    assert type(decoded) is event


@pytest.mark.parametrize("name", CARD_EVENTS)
@given(data=st.data())
def test_card_event_round_trips_through_json_when_imported_from_contracts(
    name: str, data: st.DataObject
) -> None:
    cls = getattr(contracts, name)
    assert issubclass(cls, msgspec.Struct)
    original = data.draw(struct_strategy(cls))

    assert msgspec.json.decode(msgspec.json.encode(original), type=cls) == original


def test_contracts_package_exposes_every_routed_event_when_imported() -> None:
    assert {getattr(contracts, event.__name__) for event in EVENT_TYPES} == set(EVENT_TYPES)


def a_task_offered(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "type": "broker.task_offered.v1",
        "event_id": str(uuid4()),
        "occurred_at": "2026-10-14T00:30:00Z",
        "tenant": "mine-wakuwaku",
        "correlation_id": str(uuid4()),
        "offer_id": str(uuid4()),
        "task_id": str(uuid4()),
        "worker_id": str(uuid4()),
        "expires_at": "2026-10-18T08:00:00Z",
        "title": "梨の袋かけ",
        "district": None,
        "home_based": True,
        "starts_at": "2026-10-20T00:00:00Z",
        "ends_at": "2026-10-20T03:00:00Z",
        "reward_kind": "fixed",
        "reward_yen": 2500,
        "transport_allowance_yen": 0,
    }
    return fields | overrides


def test_decoding_succeeds_when_unknown_fields_are_added_by_a_newer_producer() -> None:
    event = broker.broker_decoder.decode(msgspec.json.encode(a_task_offered(added_later=1)))

    assert isinstance(event, broker.TaskOffered)


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"occurred_at": "2026-10-14T00:30:00"}, "timezone"),
        ({"reward_yen": -1}, ">= 0"),
        ({"reward_yen": 10.5}, "int"),
        ({"tenant": "Mine City"}, "tenant"),
        ({"schema_version": 2}, "schema_version"),
        ({"type": "broker.task_offered.v9"}, "type"),
    ],
)
def test_decoding_is_refused_when_a_field_breaks_the_contract(
    overrides: dict[str, object], complaint: str
) -> None:
    with pytest.raises(msgspec.ValidationError, match=complaint):
        broker.broker_decoder.decode(msgspec.json.encode(a_task_offered(**overrides)))


def test_subject_is_tag_then_tenant_when_an_event_is_published() -> None:
    event = broker.broker_decoder.decode(msgspec.json.encode(a_task_offered()))

    assert subject_of(event) == "broker.task_offered.v1.mine-wakuwaku"
    assert subject_filter(broker.TaskOffered) == "broker.task_offered.v1.*"
    assert stream_name("broker") == "BROKER"
    assert durable_name("notify", "broker") == "notify-from-broker"


def test_notify_reads_the_broker_and_nobody_reads_payout_yet() -> None:
    assert upstreams_of("notify") == ("broker",)
    assert upstreams_of("broker") == ("notify",)
    assert {route.event for route in routes_to("payout")} >= {broker.WorkCompleted}


def test_occurred_at_keeps_its_instant_when_encoded() -> None:
    at = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    event = payout.RewardPaid(
        event_id=uuid4(),
        occurred_at=at,
        tenant="mine-wakuwaku",
        correlation_id=uuid4(),
        reward_id=uuid4(),
        payout_run_id=uuid4(),
        task_id=uuid4(),
        worker_id=uuid4(),
        net_paid_yen=3537,
        paid_on=at.date(),
    )

    assert payout.payout_decoder.decode(encode(event)).occurred_at == at
