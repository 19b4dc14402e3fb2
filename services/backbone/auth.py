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
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.plugins.problem_details import ProblemDetailsException

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


def unauthenticated(reason: str) -> ProblemDetailsException:
    """The 401 problem for a refused or missing token, with the reason as its detail."""
    return ProblemDetailsException(
        status_code=401,
        title="Invalid bearer token",
        detail=reason,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def read_token(key: str, token: str) -> Principal:
    """Verify a token and return its caller.

    Raises:
        ProblemDetailsException: 401, bad signature, expired, or missing or malformed claims.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
        return Principal(
            subject=UUID(str(claims["sub"])),
            tenant=valid_tenant(str(claims["tenant"])),
            role=Role(str(claims["role"])),
        )
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise unauthenticated(str(error)) from error


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
            ProblemDetailsException: 401, the token is not accepted (the reason is its detail).
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
                msg = "a bearer token is required"
                raise unauthenticated(msg)
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
            raise PermissionDeniedException(detail=f"this needs one of the roles: {names}")

    return guard
