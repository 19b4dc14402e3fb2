"""The committed JSON Schemas and AsyncAPI document match the code and are well formed."""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conbini.contracts_docs import stale_documents, write_documents
from contracts.catalog import ROUTES
from contracts.documents import ASYNCAPI_PATH, render_documents

ROOT = Path(__file__).parents[3]
HERE = Path(__file__).parent
SAMPLE_FILES = sorted((HERE / "samples").glob("*.json"))
ASYNCAPI_SCHEMA = json.loads((HERE / "asyncapi-3.0.0.schema.json").read_text(encoding="utf-8"))


def committed(path: str) -> Any:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))


def test_committed_documents_match_the_code_when_rendered_again() -> None:
    assert stale_documents(ROOT) == [], "run `conbini contracts generate` and commit"


def test_drift_is_reported_when_a_document_is_edited_or_orphaned(tmp_path: Path) -> None:
    write_documents(tmp_path)
    edited = tmp_path / ASYNCAPI_PATH
    edited.write_text(edited.read_text(encoding="utf-8").replace("3.0.0", "3.0.1"))
    orphan = tmp_path / "contracts/schemas/broker.retired_event.v1.json"
    orphan.write_text("{}")

    assert stale_documents(tmp_path) == [ASYNCAPI_PATH, str(orphan.relative_to(tmp_path))]
    write_documents(tmp_path)
    assert stale_documents(tmp_path) == []
    assert not orphan.exists()


def test_asyncapi_document_is_valid_when_checked_against_the_asyncapi_3_schema() -> None:
    jsonschema.Draft7Validator(ASYNCAPI_SCHEMA).validate(committed(ASYNCAPI_PATH))


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in all_refs(value)]
    return []


def test_every_reference_resolves_when_the_asyncapi_document_is_walked() -> None:
    document = committed(ASYNCAPI_PATH)

    for ref in all_refs(document):
        assert resolve(document, ref) is not None, ref


def test_asyncapi_lists_one_channel_and_its_publisher_and_consumers_per_event() -> None:
    document = committed(ASYNCAPI_PATH)
    operations = document["operations"].values()

    for route in ROUTES:
        key = route.event.type_tag().replace(".", "_")
        channel = document["channels"][key]
        assert channel["address"] == f"{route.event.type_tag()}.{{tenant}}"
        senders = [
            op
            for op in operations
            if op["channel"]["$ref"] == f"#/channels/{key}" and op["action"] == "send"
        ]
        receivers = {
            op["tags"][0]["name"]
            for op in operations
            if op["channel"]["$ref"] == f"#/channels/{key}" and op["action"] == "receive"
        }
        assert [op["tags"][0]["name"] for op in senders] == [route.producer]
        assert receivers == set(route.consumers)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_golden_sample_is_valid_when_checked_against_its_json_schema(path: Path) -> None:
    schema = committed(f"contracts/schemas/{path.name}")
    jsonschema.Draft202012Validator.check_schema(schema)

    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(json.loads(path.read_bytes()))


def test_every_field_is_described_when_schemas_are_rendered() -> None:
    for path, text in render_documents().items():
        if path == ASYNCAPI_PATH:
            continue
        schema = json.loads(text)
        event = schema["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
        undocumented = [
            name
            for name, prop in event["properties"].items()
            if name != "type" and "description" not in prop
        ]
        assert undocumented == [], path
