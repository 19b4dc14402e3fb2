"""Signed, expiring links to a worker's own page: one purpose, one worker, one council.

A link is what an email, an SMS or the LINE details button carries. It is a JWT signed with
the deployment's key whose `purpose` claim is `worker-page`: a bearer token for the API
(no `purpose`) is not accepted as a link, and a link is not accepted by the API.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from backbone.auth import ALGORITHM, valid_tenant

PURPOSE = "worker-page"


class BadLinkError(ValueError):
    """The link is forged, altered, expired, or made for something else."""


@dataclass(frozen=True)
class LinkHolder:
    """The worker a valid link belongs to."""

    worker_id: UUID
    tenant: str


def make_link_token(
    key: str, *, worker_id: UUID, tenant: str, now: datetime, lifetime: timedelta
) -> str:
    """Sign a link for one worker's page."""
    claims = {
        "sub": str(worker_id),
        "tenant": tenant,
        "purpose": PURPOSE,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_link_token(key: str, token: str, now: datetime | None = None) -> LinkHolder:
    """Verify a link.

    Raises:
        BadLinkError: forged, altered, expired or not a worker-page link.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "purpose"], "verify_exp": now is None},
        )
        if now is not None and claims["exp"] < now.astimezone(UTC).timestamp():
            msg = "expired"
            raise BadLinkError(msg)
        if claims["purpose"] != PURPOSE:
            msg = "not a worker-page link"
            raise BadLinkError(msg)
        return LinkHolder(worker_id=UUID(str(claims["sub"])), tenant=valid_tenant(claims["tenant"]))
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise BadLinkError(str(error)) from error
