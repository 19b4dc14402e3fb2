"""Every golden sample, old ones included, decodes with today's classes."""

import json
from pathlib import Path

import msgspec
import pytest

from contracts.base import IntegrationEvent
from contracts.catalog import DECODERS, ROUTES

SAMPLES = Path(__file__).parent / "samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.json"))


def producer_of_sample(path: Path) -> str:
    return path.name.split(".", 1)[0]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_sample_decodes_with_todays_classes_when_read_from_its_stream(path: Path) -> None:
    event = DECODERS[producer_of_sample(path)].decode(path.read_bytes())

    assert isinstance(event, IntegrationEvent)
    assert f"{event.type_tag()}.json" == path.name
    assert event.occurred_at.tzinfo is not None


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_no_sample_field_is_lost_when_decoded_with_todays_classes(path: Path) -> None:
    original = json.loads(path.read_bytes())
    event = DECODERS[producer_of_sample(path)].decode(path.read_bytes())

    known = {"type", *event.__struct_fields__}

    assert set(original) - known == set(), "a field was removed or renamed in place"
    assert DECODERS[producer_of_sample(path)].decode(msgspec.json.encode(event)) == event


def test_every_live_tag_has_a_golden_sample_when_the_catalog_is_read() -> None:
    live = {route.event.type_tag() for route in ROUTES}
    sampled = {path.name.removesuffix(".json") for path in SAMPLE_FILES}

    assert live - sampled == set()
