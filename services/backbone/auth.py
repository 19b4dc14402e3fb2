"""Bearer JWTs for every service's HTTP API: who is calling, for which council, in what role.

Development signs with a local HS256 key (`conbini token`); production verifies people's
tokens from an OIDC provider (RS256/ES256 against its JWKS, `backbone.oidc`). Claims: `sub`
(the caller's id: a requester, a coordinator, a worker), `tenant` (the council) and `role`.
The middleware asks a `TokenVerifier`, built once in each service's bootstrap.
"""

import contextlib
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import jwt
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from backbone.problems.kinds import FORBIDDEN, UNAUTHENTICATED, Problem, Words

ALGORITHM = "HS256"
TENANT_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class Role(StrEnum):
    """What a caller may do."""

    REQUESTER = "requester"  # 依頼主
    COORDINATOR = "coordinator"  # 事務局 staff
    WORKER = "worker"  # 登録者
    ACCOUNTANT = "accountant"
    AUDITOR = "auditor"
    SERVICE = "service"  # another service of this deployment (notify asking for contacts)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    subject: UUID
    tenant: str
    role: Role


def load_or_create_key(path: Path) -> str:
    """Return the local signing key, creating it (0600) on first use.

    Several processes may start at once: the key is written to a private temporary file
    and linked into place, so exactly one key wins and everyone reads that one.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(48))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text(encoding="utf-8").strip()


def issue_token(
    key: str,
    *,
    tenant: str,
    role: Role,
    subject: UUID,
    now: datetime | None = None,
    lifetime: timedelta = timedelta(hours=12),
) -> str:
    """Sign a development token."""
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(subject),
        "tenant": tenant,
        "role": role.value,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


REFUSED_JA = "この トークンは 受け付けられません。ログインし なおして ください。"
LINK_AS_API_CALL = (
    "the token has no role claim: it is a worker-page link (purpose worker-page), which "
    "opens the worker's page, not the API; call the API with a bearer token that names a "
    "tenant and a role"
)
LINK_AS_API_CALL_JA = (
    "これは はたらく人の ページへの リンクです。API には つかえません"
    "（tenant と role が 入った トークンが 必要です）。"
)


def unauthenticated(reason: str, *, ja: str = REFUSED_JA) -> Problem:
    """The 401 problem for a refused or missing token; `reason` (English) says why."""
    return Problem(
        UNAUTHENTICATED,
        Words(ja, f"The bearer token was refused: {reason.rstrip('.')}."),
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


TOKEN_REFUSALS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "it has expired; sign in again for a new one"),
    (jwt.ImmatureSignatureError, "it is not valid yet (check the computer's clock)"),
    (
        jwt.InvalidSignatureError,
        "its signature does not check out (not signed with a key this service trusts)",
    ),
    (jwt.InvalidAlgorithmError, "it is signed with an algorithm this service does not accept"),
    (jwt.InvalidAudienceError, "it was made for another application (audience)"),
    (jwt.InvalidIssuerError, "it comes from another identity provider (issuer)"),
    (jwt.DecodeError, "it is not a token (it cannot be read)"),
)
"""What each of PyJWT's refusals means, in words (its own texts are for programmers)."""


def reason_of(error: Exception) -> str:
    """Why a token was refused, in words: never a library's exception text."""
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"it names no {error.claim}"
    if isinstance(error, jwt.PyJWTError):
        return next(
            (words for kind, words in TOKEN_REFUSALS if isinstance(error, kind)),
            "it is not a valid token",
        )
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])  # our own words: which claim is missing
    if isinstance(error, ValueError | TypeError):
        return str(error)  # our own words: a claim's value we do not accept
    return "it is not a valid token"


def read_token(key: str, token: str) -> Principal:
    """Verify a token and return its caller.

    Raises:
        Problem: 401, bad signature, expired, or missing or malformed claims.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError as error:
        raise unauthenticated(reason_of(error)) from error
    if "role" not in claims and "purpose" in claims:
        raise unauthenticated(LINK_AS_API_CALL, ja=LINK_AS_API_CALL_JA)
    missing = [name for name in ("tenant", "role") if name not in claims]
    if missing:
        names = " and ".join(missing)
        msg = f"the token names no {names} (the API needs both a tenant and a role claim)"
        raise unauthenticated(msg)
    try:
        subject = UUID(str(claims["sub"]))
    except ValueError as error:
        msg = "its subject (sub) is not an id"
        raise unauthenticated(msg) from error
    try:
        tenant = valid_tenant(str(claims["tenant"]))
    except ValueError as error:
        msg = "its tenant is not a council's id"
        raise unauthenticated(msg) from error
    try:
        role = Role(str(claims["role"]))
    except ValueError as error:
        roles = ", ".join(r.value for r in Role)
        msg = f"its role is none of {roles}"
        raise unauthenticated(msg) from error
    return Principal(subject=subject, tenant=tenant, role=role)


def valid_tenant(tenant: str) -> str:
    """Return the tenant id if it is a valid subject token.

    Raises:
        ValueError: it is not.
    """
    if not re.fullmatch(TENANT_PATTERN, tenant):
        msg = f"invalid tenant {tenant!r}"
        raise ValueError(msg)
    return tenant


class TokenVerifier(Protocol):
    """Turns a bearer token into its caller, or refuses it."""

    async def verify(self, token: str) -> Principal:
        """The token's caller.

        Raises:
            Problem: 401, the token is not accepted (the reason is in its detail).
        """
        ...


@dataclass(frozen=True)
class LocalKeyVerifier:
    """Development identity: HS256 tokens signed with the deployment's local key."""

    key: str

    async def verify(self, token: str) -> Principal:
        """The token's caller (see `read_token`)."""
        return read_token(self.key, token)


def bearer_middleware(verifier: TokenVerifier) -> type[AbstractAuthenticationMiddleware]:
    """Return the authentication middleware class asking `verifier` about each token."""

    class BearerAuthentication(AbstractAuthenticationMiddleware):
        """Turns `Authorization: Bearer <jwt>` into `request.user` (a Principal)."""

        async def authenticate_request(
            self, connection: ASGIConnection[Any, Any, Any, Any]
        ) -> AuthenticationResult:
            header = connection.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token:
                msg = "a bearer token is required (Authorization: Bearer <token>)"
                raise unauthenticated(msg, ja=UNAUTHENTICATED.explanation.ja)
            principal = await verifier.verify(token.strip())
            return AuthenticationResult(user=principal, auth=token)

    return BearerAuthentication


def requires(
    *roles: Role,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard admitting only the given roles."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = connection.user
        if not isinstance(principal, Principal) or principal.role not in allowed:
            names = ", ".join(sorted(role.value for role in allowed))
            raise Problem(
                FORBIDDEN,
                Words(
                    f"この 操作が できるのは 次の 役割の 人だけです: {names}",
                    f"This needs one of the roles: {names}.",
                ),
            )

    return guard
