"""The problems each operation can return, written into a service's OpenAPI in one place.

Litestar documents a 400 body of its own for any route with inputs, in a shape the API never
sends. This replaces every 4xx/5xx response of every operation with the statuses the
service really returns there, each as the `Problem` component (or the worker page's HTML),
derived from the route itself and the middleware in front of it:

* 401 where a bearer token is needed, 403 where a guard checks the role;
* 404 for path ids; 400 for any input (and an unreadable body); 413 for writes;
* for writes, the Idempotency-Key's 400, 409 and 422; the catalog's domain kinds for writes
  and for reads of one thing (a path id); 429 where a rate limit applies; 503 on the store;
* whatever the route handler declares with Litestar's `raises=`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    Reference,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.routes import HTTPRoute

from backbone.problems.handlers import ProblemCatalog
from backbone.problems.kinds import (
    BAD_IDEMPOTENCY_KEY,
    BODY_TOO_LARGE,
    FORBIDDEN,
    IDEMPOTENCY_KEY_REUSED,
    INVALID_INPUT,
    NOT_FOUND,
    PROBLEM_JSON,
    PROBLEMS_PATH,
    REQUEST_IN_PROGRESS,
    TOO_MANY_REQUESTS,
    UNAUTHENTICATED,
    UNAVAILABLE,
    UNREADABLE_BODY,
    ProblemKind,
    kind_of_status,
)

HTML = "text/html"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FIRST_ERROR = 400
IDEMPOTENCY = (BAD_IDEMPOTENCY_KEY, REQUEST_IN_PROGRESS, IDEMPOTENCY_KEY_REUSED)
"""What the Idempotency-Key middleware answers on writes."""
FIELD_ERROR = Schema(
    type=OpenAPIType.OBJECT,
    required=["field", "message"],
    properties={
        "field": Schema(
            type=OpenAPIType.STRING,
            description="Where: a path such as `spec.steps[0]`, or a query or path parameter.",
        ),
        "message": Schema(
            type=OpenAPIType.STRING,
            description="What the value must be, in words: Japanese / English.",
        ),
    },
    description="One field that did not validate.",
)
PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status", "detail"],
    properties={
        "type": Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.URI_REFERENCE,
            description=(
                "The kind: `/problems/<kind>`, a page this service serves (GET /problems "
                "lists them); `about:blank` for a bare HTTP status."
            ),
        ),
        "title": Schema(
            type=OpenAPIType.STRING,
            description="A short summary, the same for every problem of this kind: ja / en.",
        ),
        "status": Schema(type=OpenAPIType.INTEGER, minimum=400, maximum=599),
        "detail": Schema(
            type=OpenAPIType.STRING,
            description=(
                "This occurrence: Japanese, then English (English first when "
                "Accept-Language prefers English)."
            ),
        ),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            items=Reference(ref="#/components/schemas/FieldError"),
            description="For invalid input: each field and what it must be.",
        ),
        "max_bytes": Schema(
            type=OpenAPIType.INTEGER, description="For body-too-large: the limit in bytes."
        ),
    },
    description=(
        "RFC 9457 problem details (application/problem+json). Some kinds add members, "
        "such as `broken` (the broker's constraint-broken)."
    ),
)
HTML_PAGE = Schema(type=OpenAPIType.STRING, description="A page for the person holding the link.")


@dataclass(frozen=True, kw_only=True)
class Edge:
    """What stands in front of a service's routes, as far as problems go."""

    public: Sequence[str]
    """Path patterns that need no bearer token (the auth middleware's `exclude`)."""
    not_rate_limited: Sequence[str] | None = None
    """Path patterns the rate limit skips; None when the service has no rate limit."""
    pages: Sequence[str] = ()
    """Path prefixes whose domain errors are HTML pages for people, not problems."""
    without_store: Sequence[str] = field(default=("^/health$",))
    """Path patterns that never touch the store (no 503)."""


def document_problems(app: Litestar, catalog: ProblemCatalog, edge: Edge) -> None:
    """Rewrite the error responses of every operation in the app's OpenAPI document."""
    openapi = app.openapi_schema
    schemas = dict(openapi.components.schemas or {})
    schemas["Problem"], schemas["FieldError"] = PROBLEM, FIELD_ERROR
    openapi.components.schemas = schemas
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or openapi.paths is None:
            continue
        item = openapi.paths.get(route.path_format or "/")
        if item is None:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation = getattr(item, method.lower(), None)
            if isinstance(operation, Operation):
                rewrite(operation, route.path, method, handler, catalog, edge)


def rewrite(
    operation: Operation,
    path: str,
    method: str,
    handler: HTTPRouteHandler,
    catalog: ProblemCatalog,
    edge: Edge,
) -> None:
    """Replace one operation's error responses with those it really has."""
    statuses = expected(operation, path, method, handler, catalog, edge)
    responses = {
        code: response
        for code, response in (operation.responses or {}).items()
        if int(code) < FIRST_ERROR
    }
    for status in sorted(statuses):
        media = statuses[status]
        kinds = list(dict.fromkeys(found for listed in media.values() for found in listed))
        responses[str(status)] = OpenAPIResponse(
            description="; ".join(f"{k.title.ja} / {k.title.en} ({k.uri})" for k in kinds),
            content={
                name: OpenAPIMediaType(
                    schema=HTML_PAGE
                    if name == HTML
                    else Reference(ref="#/components/schemas/Problem")
                )
                for name in media
            },
        )
    operation.responses = responses
    if matches(edge.public, path):
        operation.security = []  # no bearer token here, whatever the document's default


def expected(
    operation: Operation,
    path: str,
    method: str,
    handler: HTTPRouteHandler,
    catalog: ProblemCatalog,
    edge: Edge,
) -> dict[int, dict[str, list[ProblemKind]]]:
    """Status → media type → the kinds this operation can answer with."""
    parameters = [p for p in operation.parameters or [] if isinstance(p, Parameter)]
    has_path = any(p.param_in == "path" for p in parameters)
    has_body = operation.request_body is not None
    write = method.upper() in WRITES
    limited = edge.not_rate_limited is not None and not matches(edge.not_rate_limited, path)
    rules: list[tuple[bool, tuple[ProblemKind, ...]]]
    if path.startswith(PROBLEMS_PATH):
        rules = [(limited, (TOO_MANY_REQUESTS,)), (has_path, (NOT_FOUND,))]
    else:
        rules = [
            (limited, (TOO_MANY_REQUESTS,)),
            (not matches(edge.public, path), (UNAUTHENTICATED,)),
            (bool(handler.resolve_guards()), (FORBIDDEN,)),
            (has_path, (NOT_FOUND,)),
            (bool(parameters) or has_body, (INVALID_INPUT,)),
            (has_body, (UNREADABLE_BODY,)),
            (write, (*IDEMPOTENCY, BODY_TOO_LARGE)),
            (not matches(edge.without_store, path), (UNAVAILABLE,)),
        ]
    declared = tuple(kind_of_status(raised.status_code) for raised in handler.raises or ())
    rules.append((True, declared))  # what the route itself says it raises (`raises=`)
    found: dict[int, dict[str, list[ProblemKind]]] = {}
    for applies, kinds in rules:
        for kind in kinds if applies else ():
            add(found, kind, PROBLEM_JSON)
    if (write or has_path) and not path.startswith(PROBLEMS_PATH):
        media = HTML if any(path.startswith(prefix) for prefix in edge.pages) else PROBLEM_JSON
        for kind in catalog.errors.values():
            add(found, kind, media)
    return found


def add(found: dict[int, dict[str, list[ProblemKind]]], kind: ProblemKind, media: str) -> None:
    """Note that `kind` can come back as `media`."""
    listed = found.setdefault(kind.status, {}).setdefault(media, [])
    if kind not in listed:
        listed.append(kind)


def matches(patterns: Sequence[str], path: str) -> bool:
    """True when any pattern matches the path (as Litestar's middleware `exclude` does)."""
    return any(re.search(pattern, path) for pattern in patterns)
