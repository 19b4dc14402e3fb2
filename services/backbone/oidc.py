"""Production identity: people's bearer tokens come from an OIDC provider, checked on its JWKS.

`CONBINI_OIDC_JWKS_URL`, `CONBINI_OIDC_ISSUER` and `CONBINI_OIDC_AUDIENCE` turn it on (all
three or none). Tokens must then be RS256 or ES256, signed by a key the provider publishes
(looked up by `kid`; an unknown `kid` refetches the key set, so rotation needs no restart),
with this issuer and audience and an `exp`. The deployment's local HS256 key still signs
service-to-service calls (notify asking the broker for contacts), and only those: a local
token of any other role is refused, so people sign in only through the provider.

The algorithm comes from the key, never from the token alone: an HS256 token is checked with
the local secret only (a provider's public key used as an HMAC secret fails), and an RS256 or
ES256 token only with a published key of that very algorithm.
"""

import ipaddress
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse
from uuid import NAMESPACE_URL, UUID, uuid5

import jwt

from backbone.auth import (
    ALGORITHM,
    LocalKeyVerifier,
    Principal,
    Role,
    TokenVerifier,
    reason_of,
    unauthenticated,
    valid_tenant,
)
from backbone.threads import run_sync

log = logging.getLogger(__name__)

PROVIDER_ALGORITHMS = frozenset({"RS256", "ES256"})
REQUIRED = ("CONBINI_OIDC_JWKS_URL", "CONBINI_OIDC_ISSUER", "CONBINI_OIDC_AUDIENCE")


@dataclass(frozen=True, kw_only=True)
class OidcSettings:
    """Where the provider publishes its keys, and what its tokens must say."""

    jwks_url: str
    issuer: str
    audience: str
    tenant_claim: str = "tenant"
    """Claim naming the council; a dotted path reaches into objects (`org.tenant`)."""
    role_claim: str = "role"
    """Claim naming the role: a string, or a list holding exactly one of conbini's roles."""
    keys_lifespan_s: float = 300.0
    """How long a fetched key set is used before it is fetched again."""
    refetch_cooldown_s: float = 30.0
    """At most one refetch for unknown `kid`s in this long (tokens naming made-up keys)."""
    fetch_timeout_s: float = 5.0
    leeway_s: float = 30.0
    """Clock skew allowed on `exp`, `nbf` and `iat`."""


def oidc_from(env: Mapping[str, str]) -> OidcSettings | None:
    """The OIDC settings, or None when none of the three required variables is set.

    Raises:
        ValueError: only some are set, or the key URL is not https (plain http is allowed
            on loopback only, for a provider on the same machine).
    """
    given = {name: env.get(name, "").strip() for name in REQUIRED}
    if not any(given.values()):
        return None
    missing = [name for name, value in given.items() if not value]
    if missing:
        msg = f"OIDC needs all of {', '.join(REQUIRED)}; missing: {', '.join(missing)}"
        raise ValueError(msg)
    url = given["CONBINI_OIDC_JWKS_URL"]
    if not secure_url(url):
        msg = f"CONBINI_OIDC_JWKS_URL must be https (http only on loopback), not {url!r}"
        raise ValueError(msg)
    return OidcSettings(
        jwks_url=url,
        issuer=given["CONBINI_OIDC_ISSUER"],
        audience=given["CONBINI_OIDC_AUDIENCE"],
        tenant_claim=env.get("CONBINI_OIDC_TENANT_CLAIM", "").strip() or "tenant",
        role_claim=env.get("CONBINI_OIDC_ROLE_CLAIM", "").strip() or "role",
    )


def secure_url(url: str) -> bool:
    """Whether keys fetched from `url` can be trusted: https, or http to this machine."""
    parts = urlparse(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def verifier_for(local_key: str, oidc: OidcSettings | None) -> TokenVerifier:
    """The service's token verifier: the provider's when configured, else the local key's."""
    return OidcVerifier(oidc, local_key) if oidc else LocalKeyVerifier(local_key)


class OidcVerifier:
    """Provider tokens for people; the local key for service-to-service calls only."""

    def __init__(self, settings: OidcSettings, local_key: str) -> None:
        """Prepare the key client (nothing is fetched until the first token)."""
        self.settings = settings
        self.local = LocalKeyVerifier(local_key)
        self.keys = jwt.PyJWKClient(
            settings.jwks_url,
            lifespan=settings.keys_lifespan_s,
            timeout=settings.fetch_timeout_s,
            cooldown_duration=settings.refetch_cooldown_s,
        )

    async def verify(self, token: str) -> Principal:
        """The token's caller.

        Raises:
            Problem: 401, refused, or the provider's keys could not be fetched.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise unauthenticated(str(error)) from error
        algorithm = header.get("alg")
        if algorithm == ALGORITHM:
            principal = await self.local.verify(token)
            if principal.role is not Role.SERVICE:
                msg = (
                    "tokens signed with this deployment's own key are accepted only for "
                    "service-to-service calls (role service); people sign in through the "
                    "identity provider"
                )
                raise unauthenticated(msg)
            return principal
        if not isinstance(algorithm, str) or algorithm not in PROVIDER_ALGORITHMS:
            names = ", ".join(sorted(PROVIDER_ALGORITHMS))
            msg = f"algorithm {algorithm!r} is not accepted ({names} from the provider)"
            raise unauthenticated(msg)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            msg = "the token names no signing key (kid)"
            raise unauthenticated(msg)
        key = self.cached_key(kid)
        if key is None:
            key = await run_sync(self.fetched_key, kid)
        if key.algorithm_name != algorithm:
            msg = f"key {kid!r} is for {key.algorithm_name}, the token says {algorithm}"
            raise unauthenticated(msg)
        return self.decoded(token, key)

    def cached_key(self, kid: str) -> jwt.PyJWK | None:
        """The key from the key set already fetched and still fresh, without any I/O."""
        cache = self.keys.jwk_set_cache
        fresh = cache.get() if cache is not None else None
        if fresh is None:
            return None
        for key in fresh.keys:
            if key.key_id == kid and key.public_key_use in ("sig", None):
                return key
        return None

    def fetched_key(self, kid: str) -> jwt.PyJWK:
        """The key, fetching the provider's key set as needed (blocking: call in a thread).

        Raises:
            Problem: 401, the key set could not be fetched or has no such key.
        """
        try:
            return self.keys.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as error:
            log.warning("OIDC keys unreachable at %s: %s", self.settings.jwks_url, error)
            msg = f"the identity provider's signing keys could not be fetched ({error})"
            raise unauthenticated(msg) from error
        except (jwt.PyJWKClientError, jwt.PyJWKSetError, ValueError) as error:
            log.warning("OIDC key %r not usable from %s: %s", kid, self.settings.jwks_url, error)
            msg = f"no usable signing key {kid!r} at the identity provider"
            raise unauthenticated(msg) from error

    def decoded(self, token: str, key: jwt.PyJWK) -> Principal:
        """Check signature, issuer, audience and times, and read the caller.

        Raises:
            Problem: 401, any check fails, or a claim is missing or malformed.
        """
        s = self.settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm_name],
                audience=s.audience,
                issuer=s.issuer,
                leeway=s.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
            return Principal(
                subject=subject_of(s.issuer, str(claims["sub"])),
                tenant=valid_tenant(str(claim(claims, s.tenant_claim))),
                role=role_of(claim(claims, s.role_claim)),
            )
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
            raise unauthenticated(reason_of(error)) from error


def claim(claims: Mapping[str, Any], path: str) -> Any:  # noqa: ANN401 - a JSON value
    """The claim at a dotted path.

    Raises:
        KeyError: it is missing.
    """
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            msg = f"claim {path!r} is missing"
            raise KeyError(msg)
        value = value[part]
    return value


def role_of(value: object) -> Role:
    """The role a claim names: a string, or a list holding exactly one known role.

    Raises:
        ValueError: no known role, or more than one.
    """
    if isinstance(value, str):
        return Role(value)
    if isinstance(value, list):
        names = {role.value for role in Role}
        known = {Role(item) for item in value if isinstance(item, str) and item in names}
        if len(known) == 1:
            return known.pop()
    msg = f"the role claim must name exactly one of conbini's roles, not {value!r}"
    raise ValueError(msg)


def subject_of(issuer: str, sub: str) -> UUID:
    """The caller's id: `sub` itself when it is a UUID, else a stable UUID derived from it.

    Providers whose subjects are not UUIDs (`auth0|5f3c…`) still give each person one
    lasting id, scoped by the issuer so two providers never collide.

    Raises:
        ValueError: `sub` is empty.
    """
    if not sub.strip():
        msg = "the token's sub is empty"
        raise ValueError(msg)
    try:
        return UUID(sub)
    except ValueError:
        return uuid5(NAMESPACE_URL, f"{issuer}#{sub}")
