"""One catalog per service: its exception handlers and its /problems pages.

Every refusal leaves a service as application/problem+json with a documented `type`, a
fixed `title`, the `status` and a `detail` (ja / en; en / ja when Accept-Language prefers
English); validation problems add `errors`. Domain errors keep their own message as the
detail; what the message lacks (Japanese, for English-only messages) comes from the kind.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from eventsourcing.persistence import IntegrityError
from litestar import Request, Response, get
from litestar.enums import MediaType
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.types import ExceptionHandlersMap

from backbone.problems.kinds import (
    COMMON,
    INTERNAL,
    INVALID_INPUT,
    NOT_FOUND,
    PROBLEM_JSON,
    PROBLEMS_PATH,
    UNREADABLE_BODY,
    FieldError,
    Problem,
    ProblemKind,
    Words,
    kind_of_status,
    prefers_english,
    problem_body,
)
from backbone.problems.validation import Formats, TypeAt, field_errors, type_at_path

AnyRequest = Request[Any, Any, Any]
Extension = Callable[[Exception], Mapping[str, object]]
log = logging.getLogger(__name__)
FOREIGN: tuple[type[Exception], ...] = (IntegrityError,)
"""Errors a library raises in its own words (a store's UNIQUE constraint): their text never
reaches the caller; the kind's explanation is the detail."""


@dataclass(frozen=True, kw_only=True)
class ProblemCatalog:
    """What one service's HTTP edge reports: the common kinds and its domain errors' kinds."""

    errors: Mapping[type[Exception], ProblemKind]
    """Domain error class → kind; the most specific class wins, the message is the detail."""
    extensions: Mapping[type[Exception], Extension] = field(default_factory=dict)
    """Extra members for some errors (`broken` for a broken constraint)."""
    formats: Formats = field(default_factory=dict)
    """Words for the service's patterns (see `backbone.problems.validation`)."""

    @property
    def kinds(self) -> tuple[ProblemKind, ...]:
        """Every kind this service reports, common ones first, each once."""
        return tuple(dict.fromkeys([*COMMON, *self.errors.values()]))

    def problem_of(self, request: AnyRequest, error: Exception) -> Problem:
        """The problem an exception stands for."""
        if isinstance(error, Problem):
            return error
        if isinstance(error, ValidationException):
            return self.invalid(request, error)
        if isinstance(error, HTTPException):
            return plain(error)
        for cls in type(error).__mro__:
            if cls in self.errors:
                found = self.errors[cls]
                if isinstance(error, FOREIGN):  # a library's words: the kind's explanation
                    log.info("%s %s: %s", request.method, request.url.path, found.slug)
                    return Problem(found, found.explanation)
                return Problem(
                    found,
                    Words.of(str(error), ja=found.explanation.ja),
                    extensions=self.extension_of(error),
                )
        log.error("%s %s failed", request.method, request.url.path, exc_info=error)
        return Problem(INTERNAL)

    def extension_of(self, error: Exception) -> Mapping[str, object]:
        """The extra members for `error`, if its class has any."""
        for cls in type(error).__mro__:
            if cls in self.extensions:
                return self.extensions[cls](error)
        return {}

    def invalid(self, request: AnyRequest, error: ValidationException) -> Problem:
        """A validation problem with its `errors` in words."""
        errors = field_errors(error, type_lookup(request), self.formats)
        if not errors:
            return Problem(INVALID_INPUT, custom(error, INVALID_INPUT))
        return Problem(INVALID_INPUT, summary(errors), errors=errors)

    def respond(self, request: AnyRequest, error: Exception) -> Response[Any]:
        """The problem+json response for any exception (the handler of every kind)."""
        return problem_response(request, self.problem_of(request, error))

    def handlers(self) -> ExceptionHandlersMap:
        """Exception handlers: problems, Litestar's HTTP errors, domain errors, anything else."""
        mapped: ExceptionHandlersMap = {
            Problem: self.respond,
            HTTPException: self.respond,
            HTTPStatus.INTERNAL_SERVER_ERROR.value: self.respond,
        }
        for cls in self.errors:
            mapped[cls] = self.respond
        return mapped

    def pages(self) -> list[HTTPRouteHandler]:
        """GET /problems and GET /problems/<kind>: what each kind means, ja then en, no token."""
        by_slug = {found.slug: found for found in self.kinds}

        @get(
            PROBLEMS_PATH,
            media_type=MediaType.TEXT,
            sync_to_thread=False,
            tags=["problems"],
            summary="Kinds of problem this service reports",
        )
        def problem_index() -> str:
            """Every kind's type, status and title, ja then en."""
            return index_text(self.kinds)

        @get(
            f"{PROBLEMS_PATH}/{{slug:str}}",
            media_type=MediaType.TEXT,
            sync_to_thread=False,
            tags=["problems"],
            summary="What one kind of problem means",
        )
        def problem_page(slug: FromPath[str]) -> str:
            """The kind's explanation, ja then en."""
            found = by_slug.get(slug)
            if found is None:
                raise Problem(
                    NOT_FOUND,
                    Words(
                        f"「{slug}」と いう 種類は ありません。一覧は {PROBLEMS_PATH} です。",
                        f"No kind of problem is called {slug!r}; {PROBLEMS_PATH} lists them.",
                    ),
                )
            return page_text(found)

        return [problem_index, problem_page]


def problem_response(request: AnyRequest, problem: Problem) -> Response[Any]:
    """The problem as application/problem+json, in the order the reader prefers."""
    english = prefers_english(request.headers.get("accept-language", ""))
    return Response(
        problem_body(problem, english=english),
        status_code=problem.kind.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def plain(error: HTTPException) -> Problem:
    """A problem for Litestar's own HTTP exceptions (and those routes raise)."""
    cause = error.__cause__
    if isinstance(cause, SerializationException) and error.status_code == HTTPStatus.BAD_REQUEST:
        reason = str(cause).rstrip(".")
        detail = Words(
            UNREADABLE_BODY.explanation.ja,
            f"{UNREADABLE_BODY.explanation.en} ({reason})" if reason else "",
        )
        return Problem(UNREADABLE_BODY, detail, headers=error.headers)
    found = kind_of_status(error.status_code)
    if error.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:  # its text is for the log only
        log.error("%s: %s", found.slug or error.status_code, error.detail)
        return Problem(found, headers=error.headers)
    return Problem(found, custom(error, found), headers=error.headers)


def custom(error: HTTPException, found: ProblemKind) -> Words:
    """The exception's own detail when it says more than the status phrase, else the kind's."""
    detail = str(error.detail or "")
    try:
        phrase = HTTPStatus(error.status_code).phrase
    except ValueError:
        phrase = ""
    if not detail or detail == phrase:
        return found.explanation
    return Words.of(detail, ja=found.explanation.ja)


def summary(errors: list[FieldError]) -> Words:
    """A detail naming every field and what it must be."""
    return Words(
        "入力を たしかめて ください。"
        + "、".join(f"{error.field}: {error.message.ja}" for error in errors),
        "Check the input: " + "; ".join(f"{error.field} {error.message.en}" for error in errors),
    )


def type_lookup(request: AnyRequest) -> TypeAt:
    """Where to look up the type expected at a field of this request."""
    parameters = request.route_handler.parsed_fn_signature.parameters  # validation: in a route

    def type_at(source: str, key: str) -> Any:  # noqa: ANN401 - msgspec.inspect types
        if source == "body" or key == "data":
            name, path = "data", "" if key == "data" else key
        else:
            name, _, rest = key.partition(".")
            path = rest
        parameter = parameters.get(name)
        return None if parameter is None else type_at_path(parameter.raw, path)

    return type_at


def index_text(kinds: tuple[ProblemKind, ...]) -> str:
    """The /problems page."""
    lines = [
        "問題の 種類（RFC 9457 problem details） / Kinds of problem (RFC 9457 problem details)",
        "",
        (
            "type は ここの ページです。detail は 日本語、つぎに 英語"
            "（Accept-Language で 英語を 先に した ときは 英語が 先）。"
        ),
        (
            "Each problem's `type` is one of these pages. `detail` is Japanese, then English"
            " (English first when Accept-Language prefers English)."
        ),
        "",
    ]
    lines.extend(
        f"{found.uri}  {found.status}  {found.title.ja} / {found.title.en}" for found in kinds
    )
    return "\n".join(lines) + "\n"


def page_text(found: ProblemKind) -> str:
    """One kind's page."""
    return (
        f"{found.uri}  ({found.status})\n\n"
        f"{found.title.ja}\n{found.explanation.ja}\n\n"
        f"{found.title.en}\n{found.explanation.en}\n"
    )
