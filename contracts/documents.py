"""Render the contracts as JSON Schemas and one AsyncAPI 3.0 document (pure, no I/O).

`conbini contracts generate` writes what this returns; a test renders again and fails on
any difference from the committed files, so documents never drift from the code.
"""

import ast
import inspect
import itertools
import json
from functools import cache
from typing import Any

import msgspec

from contracts.base import IntegrationEvent
from contracts.catalog import ROUTES, SERVICES, Route
from contracts.subjects import durable_name, stream_name

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID_BASE = "https://shigoto-conbini.example/contracts/schemas/"
ASYNCAPI_PATH = "contracts/asyncapi.json"

Document = dict[str, Any]


@cache
def field_docs(cls: type) -> dict[str, str]:
    """Return the attribute docstrings of a class and its bases, read from the source."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not issubclass(klass, msgspec.Struct) or klass is msgspec.Struct:
            continue
        tree = ast.parse(inspect.getsource(klass))
        [class_def] = [node for node in tree.body if isinstance(node, ast.ClassDef)]
        body = class_def.body
        for node, following in itertools.pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def cleaned(node: Any) -> Any:  # noqa: ANN401 - any JSON value
    """Return `node` with every `description` normalised by `inspect.cleandoc`.

    msgspec copies class docstrings as it finds them: 0.22 kept their indentation, 0.23
    dedents them, and Python 3.13 dedents at compile time. Cleaning them here makes the
    documents the same whichever msgspec or Python renders them.
    """
    if isinstance(node, dict):
        return {
            key: inspect.cleandoc(value)
            if key == "description" and isinstance(value, str)
            else cleaned(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [cleaned(item) for item in node]
    return node


def with_field_docs(schemas: dict[str, Document], types: list[type]) -> dict[str, Document]:
    """Copy each field's docstring into its schema property as `description`.

    Every description (msgspec's class docstrings included) is normalised by `cleaned`.
    """
    schemas.update(cleaned(schemas))
    by_name = {t.__name__: t for t in types}
    for name, schema in schemas.items():
        cls = by_name.get(name)
        if cls is None:
            continue
        for field, doc in field_docs(cls).items():
            prop = schema.get("properties", {}).get(field)
            if prop is not None and "description" not in prop:
                prop["description"] = doc
    return schemas


def dumps(document: Document) -> str:
    """Serialise a document the way it is committed: sorted, indented, UTF-8, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def event_schema(event: type[IntegrationEvent]) -> Document:
    """Return the standalone JSON Schema (2020-12) of one event type."""
    (ref,), defs = msgspec.json.schema_components([event], ref_template="#/$defs/{name}")
    with_field_docs(defs, [event])
    tag = event.type_tag()
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{SCHEMA_ID_BASE}{tag}.json",
        "title": tag,
        **ref,
        "$defs": defs,
    }


def channel_key(route: Route) -> str:
    """Return the AsyncAPI channel id of an event type (AsyncAPI keys allow no dots)."""
    return route.event.type_tag().replace(".", "_")


def message_headers() -> Document:
    """Return the schema of the NATS headers every published event carries."""
    return {
        "type": "object",
        "properties": {
            "Nats-Msg-Id": {
                "type": "string",
                "description": (
                    "`<producer>:<notification id>`: JetStream drops a republished copy."
                ),
            },
            "traceparent": {
                "type": "string",
                "description": "W3C trace context of the flow that produced the event.",
            },
        },
        "required": ["Nats-Msg-Id"],
    }


def asyncapi_document() -> Document:
    """Return the AsyncAPI 3.0 document: channels are subjects, one per event type."""
    events = [route.event for route in ROUTES]
    refs, schemas = msgspec.json.schema_components(
        events, ref_template="#/components/schemas/{name}"
    )
    with_field_docs(schemas, events)
    channels: Document = {}
    operations: Document = {}
    messages: Document = {}
    for route, ref in zip(ROUTES, refs, strict=True):
        name = route.event.__name__
        key = channel_key(route)
        tag = route.event.type_tag()
        messages[name] = {
            "name": name,
            "title": tag,
            "summary": inspect.getdoc(route.event) or name,
            "contentType": "application/json",
            "headers": message_headers(),
            "payload": ref,
        }
        channels[key] = {
            "address": f"{tag}.{{tenant}}",
            "title": name,
            "description": (
                f"{inspect.getdoc(route.event)}\n\nStream `{stream_name(route.producer)}`; "
                f"published by {route.producer}; consumed by "
                f"{', '.join(route.consumers) or 'no service yet (kept for audit)'}."
            ),
            "parameters": {"tenant": {"description": "The council's tenant id."}},
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        channel_ref = {"$ref": f"#/channels/{key}"}
        message_ref = {"$ref": f"#/channels/{key}/messages/{name}"}
        operations[f"{route.producer}_sends_{key}"] = {
            "action": "send",
            "channel": channel_ref,
            "messages": [message_ref],
            "summary": f"{route.producer} publishes {name}.",
            "tags": [{"name": route.producer}],
        }
        for consumer in route.consumers:
            durable = durable_name(consumer, route.producer)
            operations[f"{consumer}_receives_{key}"] = {
                "action": "receive",
                "channel": channel_ref,
                "messages": [message_ref],
                "summary": f"{consumer} consumes {name} (durable {durable}).",
                "tags": [{"name": consumer}],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "shigoto-conbini integration events",
            "version": "1.0.0",
            "description": (
                "Facts the broker, notify and payout services publish to each other over "
                "NATS JetStream. Subjects are `<producer>.<event>.v<N>.<tenant>`; each "
                "producer has one stream. Additive changes only within a version."
            ),
            "tags": [{"name": service} for service in SERVICES],
        },
        "defaultContentType": "application/json",
        "servers": {
            "embedded": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "The nats-server `conbini up` starts with JetStream.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render_documents() -> dict[str, str]:
    """Return every generated document, keyed by its path relative to the repository root."""
    documents = {
        f"contracts/schemas/{route.event.type_tag()}.json": dumps(event_schema(route.event))
        for route in ROUTES
    }
    documents[ASYNCAPI_PATH] = dumps(asyncapi_document())
    return documents
