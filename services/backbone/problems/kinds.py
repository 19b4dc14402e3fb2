"""Kinds of problem an HTTP edge reports (RFC 9457), each with a fixed title, ja then en.

A kind is a value: a slug (its `type` is `/problems/<slug>`, a page every service serves),
one status and a short title that never carries an exception's text. What happened this
time goes in the `detail`, Japanese first, then English; a reader whose Accept-Language
prefers English gets English first (nothing is dropped).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from litestar.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEMS_PATH = "/problems"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
LANGUAGE_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?"
)


@dataclass(frozen=True)
class Words:
    """One message in Japanese and English."""

    ja: str
    en: str

    def render(self, *, english: bool = False) -> str:
        """Both languages, Japanese first unless `english`; an empty side is left out."""
        first, second = (self.en, self.ja) if english else (self.ja, self.en)
        return " / ".join(part for part in (first, second) if part)

    @classmethod
    def of(cls, text: str, *, ja: str) -> "Words":
        """A message written `日本語 / English`, as domain errors are; `ja` leads English alone."""
        head, separator, tail = text.partition(" / ")
        if separator and JAPANESE.search(head):
            return cls(ja=head.strip(), en=tail.strip())
        if JAPANESE.search(text):
            return cls(ja=text, en="")
        return cls(ja=ja, en=text)


@dataclass(frozen=True)
class ProblemKind:
    """One kind of problem: its page, status and fixed title."""

    slug: str
    """Names the kind: `type` is `/problems/<slug>` (empty: `about:blank`, the status alone)."""
    status: int
    title: Words
    """A short summary, the same for every occurrence."""
    explanation: Words
    """What it means and what to do: the page's text, and the detail when nothing more is known."""

    @property
    def uri(self) -> str:
        """The problem's `type`: a relative URI each service serves as a page."""
        return f"{PROBLEMS_PATH}/{self.slug}" if self.slug else "about:blank"


@dataclass(frozen=True)
class FieldError:
    """One field of a request that did not validate."""

    field: str
    """Where, as a path: `spec.steps[0]`, `constraints.weekly`."""
    message: Words


class Problem(HTTPException):
    """A refusal of a known kind; every service's handlers render it as problem+json."""

    def __init__(
        self,
        kind: ProblemKind,
        detail: Words | None = None,
        *,
        errors: Sequence[FieldError] = (),
        extensions: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A problem of `kind`; the detail defaults to the kind's explanation."""
        self.kind = kind
        self.words = detail or kind.explanation
        self.errors = tuple(errors)
        self.extensions = dict(extensions or {})
        super().__init__(
            detail=self.words.en or self.words.ja,
            status_code=kind.status,
            headers=dict(headers) if headers else None,
        )


def problem_body(problem: Problem, *, english: bool = False) -> dict[str, Any]:
    """The JSON members: type, title, status, detail, errors (when any), then extensions."""
    kind = problem.kind
    body: dict[str, Any] = {
        "type": kind.uri,
        "title": kind.title.render(english=english),
        "status": kind.status,
        "detail": problem.words.render(english=english),
    }
    if problem.errors:
        body["errors"] = [
            {"field": error.field, "message": error.message.render(english=english)}
            for error in problem.errors
        ]
    return {**problem.extensions, **body}


def prefers_english(accept_language: str) -> bool:
    """True when Accept-Language ranks English above Japanese (the first wins a tie)."""
    best: tuple[float, str] | None = None
    for item in accept_language.split(","):
        found = LANGUAGE_RANGE.match(item)
        if found is None:
            continue
        language = found.group(1).lower().split("-")[0]
        try:
            weight = float(found.group(2)) if found.group(2) else 1.0
        except ValueError:
            continue
        if language in {"en", "ja"} and weight > 0 and (best is None or weight > best[0]):
            best = (weight, language)
    return best is not None and best[1] == "en"


def kind(
    slug: str, status: int, title: tuple[str, str], explanation: tuple[str, str]
) -> ProblemKind:
    """A kind from its words (ja, en)."""
    return ProblemKind(slug, status, Words(*title), Words(*explanation))


INVALID_INPUT = kind(
    "invalid-input",
    400,
    ("入力が 正しく ありません", "Invalid input"),
    (
        "決まりに 合わない 値が あります。errors に 項目ごとの 理由が あります。",
        "Some values do not fit the API's rules; `errors` names each field and why.",
    ),
)
UNREADABLE_BODY = kind(
    "unreadable-body",
    400,
    ("本文を 読めません", "Unreadable body"),
    (
        "おくられた 本文を 読めません。JSON（または フォーム）の 書き方を たしかめて ください。",
        "The request body cannot be read: check that it is well-formed JSON (or form data).",
    ),
)
BAD_REQUEST = kind(
    "bad-request",
    400,
    ("リクエストが 正しく ありません", "Bad request"),
    (
        "リクエストの 形が 正しく ありません。",
        "The request is malformed.",
    ),
)
BAD_IDEMPOTENCY_KEY = kind(
    "bad-idempotency-key",
    400,
    ("Idempotency-Key が 正しく ありません", "Bad Idempotency-Key"),
    (
        "Idempotency-Key は 1〜200 文字で 書いて ください。",
        "An Idempotency-Key has 1 to 200 characters.",
    ),
)
UNAUTHENTICATED = kind(
    "unauthenticated",
    401,
    ("ログインが 必要です", "Authentication needed"),
    (
        (
            "この API には ログインの トークンが 必要です"
            "（Authorization: Bearer <token>、tenant と role が 入った もの）。"
        ),
        (
            "This API needs `Authorization: Bearer <token>` with a valid token naming a tenant"
            " and a role; worker-page links are not API tokens."
        ),
    ),
)
FORBIDDEN = kind(
    "forbidden",
    403,
    ("この 操作は できません", "Not allowed for this role"),
    (
        "あなたの 役割では この 操作は できません。",
        "The caller's role may not do this.",
    ),
)
NOT_FOUND = kind(
    "not-found",
    404,
    ("見つかりません", "Not found"),
    (
        "見つかりません。id と 自治体を たしかめて ください。",
        "Nothing is there for this caller: check the path and the id.",
    ),
)
METHOD_NOT_ALLOWED = kind(
    "method-not-allowed",
    405,
    ("この 方法は 使えません", "Method not allowed"),
    (
        "この アドレスでは この 方法（メソッド）は 使えません。Allow に 使える 方法が あります。",
        "This path does not take this method; `Allow` lists those it takes.",
    ),
)
STATE_CONFLICT = kind(
    "state-conflict",
    409,
    ("いまの 状態では できません", "Not possible in this state"),
    (
        "いまの 状態では この 操作は できません。状態を たしかめて から もう いちど どうぞ。",
        "What this asks is not possible in the current state; read the state and try again.",
    ),
)
CHANGED_MEANWHILE = kind(
    "changed-meanwhile",
    409,
    ("同時に 変わりました", "Changed meanwhile"),
    (
        "ほかの 操作で 同時に 変わりました。もう いちど おくって ください。",
        "Someone changed the same thing at the same moment; send the request again.",
    ),
)
CONFLICT = kind(
    "conflict",
    409,
    ("できません", "Conflict"),
    (
        "この 操作は いま できません。",
        "The request conflicts with what is recorded.",
    ),
)
REQUEST_IN_PROGRESS = kind(
    "request-in-progress",
    409,
    ("まだ 処理中です", "Still in progress"),
    (
        "同じ Idempotency-Key の リクエストが まだ 処理中です。すこし まって ください。",
        "A request with this Idempotency-Key is still running; send it again shortly.",
    ),
)
ERASED = kind(
    "erased",
    410,
    ("個人の 情報は 消されました", "Personal data erased"),
    (
        "この 人の 個人情報は 消されました。もう 読むことも 変えることも できません。",
        "This person's personal data was erased; it can no longer be read or changed.",
    ),
)
BODY_TOO_LARGE = kind(
    "body-too-large",
    413,
    ("データが 大きすぎます", "Request body too large"),
    (
        "おくる データが 大きすぎます。",
        "The request body is larger than this service accepts.",
    ),
)
IDEMPOTENCY_KEY_REUSED = kind(
    "idempotency-key-reused",
    422,
    ("Idempotency-Key が ほかの 本文に 使われました", "Idempotency-Key reused"),
    (
        "この Idempotency-Key は ちがう 本文で 使われました。新しい キーを 使って ください。",
        "This Idempotency-Key was sent with another body; use a new key for a new request.",
    ),
)
IMPOSSIBLE_REQUEST = kind(
    "impossible-request",
    422,
    ("できない 依頼です", "Impossible request"),
    (
        "内容が 決まりに 合わないので 受け付けられません。detail に 理由が あります。",
        "The request is well-formed but cannot be true or carried out; the detail says why.",
    ),
)
TOO_MANY_REQUESTS = kind(
    "too-many-requests",
    429,
    ("リクエストが 多すぎます", "Too many requests"),
    (
        "みじかい 時間に リクエストが 多すぎます。すこし まって ください。",
        "Too many requests in a short time; wait a little (see `Retry-After`).",
    ),
)
INTERNAL = kind(
    "internal",
    500,
    ("サービスの 中の エラーです", "Internal error"),
    (
        "サービスの 中で エラーが おきました。なおらない ときは 事務局に 知らせて ください。",
        "Something failed inside the service; tell the council's office if it persists.",
    ),
)
UNAVAILABLE = kind(
    "unavailable",
    503,
    ("いま つかえません", "Temporarily unavailable"),
    (
        "いま つかえません。すこし まって、もう いちど おくって ください。",
        (
            "The service's store is restarting; send the same request again shortly"
            " (with the same Idempotency-Key)."
        ),
    ),
)

COMMON: tuple[ProblemKind, ...] = (
    INVALID_INPUT,
    UNREADABLE_BODY,
    BAD_REQUEST,
    BAD_IDEMPOTENCY_KEY,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    REQUEST_IN_PROGRESS,
    CHANGED_MEANWHILE,
    STATE_CONFLICT,
    CONFLICT,
    ERASED,
    BODY_TOO_LARGE,
    IDEMPOTENCY_KEY_REUSED,
    IMPOSSIBLE_REQUEST,
    TOO_MANY_REQUESTS,
    INTERNAL,
    UNAVAILABLE,
)
"""The kinds every service can report."""

BY_STATUS: Mapping[int, ProblemKind] = {
    400: BAD_REQUEST,
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    409: CONFLICT,
    413: BODY_TOO_LARGE,
    429: TOO_MANY_REQUESTS,
    500: INTERNAL,
    503: UNAVAILABLE,
}
"""The kind of a plain HTTP exception (Litestar's own, or a route's), by status."""


def kind_of_status(status: int) -> ProblemKind:
    """The kind for a plain HTTP status; any other status is `about:blank` with its phrase."""
    found = BY_STATUS.get(status)
    if found is not None:
        return found
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return kind("", status, (phrase, phrase), ("", phrase))
