"""OIDC in production: people's tokens are checked against the provider's published keys.

A real HTTP server on a free loopback port publishes the JWKS document (its keys made here
with `cryptography`); the broker's real application, built by its bootstrap with OIDC
settings, answers real requests. Nothing is mocked: rotation, outages and forgeries happen
to the server and the tokens themselves.
"""

import base64
import functools
import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid4, uuid5

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from backbone.clock import FixedClock
from backbone.oidc import OidcSettings, oidc_from
from broker.bootstrap import Broker, build_broker
from broker.http.app import create_app
from broker.settings import BrokerSettings
from tests.support.people import personal_json

ISSUER = "https://id.mine-wakuwaku.example/realms/council"
AUDIENCE = "shigoto-conbini"
TENANT = "mine-wakuwaku"
NOW = datetime(2026, 10, 1, tzinfo=UTC)
"""The broker's business clock; token times are checked against the real clock."""

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@functools.cache
def rsa_key(kid: str) -> rsa.RSAPrivateKey:  # noqa: ARG001 - the cache key
    """A 2048-bit RSA key per key id, made once per run (making them is the slow part)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """An identity provider's key endpoint: a real HTTP server publishing a JWKS document."""

    def __init__(self) -> None:
        self.private: dict[str, PrivateKey] = {}
        self.published: dict[str, dict[str, Any]] = {}
        self.fetches = 0
        provider = self

        class Keys(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                body = json.dumps({"keys": list(provider.published.values())}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/protocol/openid-connect/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def new_key(self, kid: str, *, algorithm: str = "RS256", publish: bool = True) -> None:
        """Make a signing key; publish its public half unless told not to."""
        key: PrivateKey
        if algorithm == "ES256":
            curve = ec.generate_private_key(ec.SECP256R1())
            key, jwk = curve, ECAlgorithm.to_jwk(curve.public_key(), as_dict=True)
        else:
            prime = rsa_key(kid)
            key, jwk = prime, RSAAlgorithm.to_jwk(prime.public_key(), as_dict=True)
        self.private[kid] = key
        if publish:
            self.published[kid] = {**jwk, "kid": kid, "use": "sig", "alg": algorithm}

    def public_pem(self, kid: str) -> bytes:
        """The public key as PEM, as anyone may download it."""
        return (
            self.private[kid]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def sign(self, kid: str, *, algorithm: str = "RS256", **overrides: Any) -> str:
        """A token as the provider issues it (claims overridable; None removes one)."""
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(uuid4()),
            "tenant": TENANT,
            "role": "coordinator",
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()),
        } | overrides
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, self.private[kid], algorithm=algorithm, headers={"kid": kid})

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def provider() -> Iterator[Provider]:
    keys = Provider()
    keys.new_key("k1")
    try:
        yield keys
    finally:
        keys.stop()


def broker_with_oidc(tmp_path: Path, provider: Provider, **settings: Any) -> Broker:
    oidc = OidcSettings(jwks_url=provider.url, issuer=ISSUER, audience=AUDIENCE, **settings)
    base = BrokerSettings.in_memory(tmp_path / "jwt.key")
    return build_broker(replace(base, oidc=oidc), clock=FixedClock(NOW))


@pytest.fixture
def broker(tmp_path: Path, provider: Provider) -> Broker:
    return broker_with_oidc(tmp_path, provider, refetch_cooldown_s=0)


@pytest.fixture
def client(broker: Broker) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(broker)) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def job_request() -> dict[str, object]:
    return {
        "title": "梨の袋かけ",
        "work_type": "harvest",
        "sector": "agriculture_forestry",
        "district": "ofuku",
        "starts_on": "2026-10-19",
        "ends_on": "2026-10-23",
        "window_start": 480,
        "window_end": 960,
        "volume_minutes": 1200,
        "reward_kind": "hourly",
        "reward_yen": 1050,
        "transport_allowance_yen": 300,
    }


def refused(response: Any, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert reason.lower() in response.json()["detail"].lower(), response.json()["detail"]


def test_a_provider_token_is_accepted_and_names_its_caller(
    client: TestClient[Any], provider: Provider
) -> None:
    requester = uuid4()
    mine = bearer(provider.sign("k1", sub=str(requester), role="requester"))

    created = client.post("/job-requests", json=job_request(), headers=mine)
    seen = client.get(f"/job-requests/{created.json()['id']}", headers=mine)
    same_council = client.get(
        f"/job-requests/{created.json()['id']}", headers=bearer(provider.sign("k1"))
    )
    other_council = client.get(
        f"/job-requests/{created.json()['id']}", headers=bearer(provider.sign("k1", tenant="hagi"))
    )
    as_worker = client.post(
        "/job-requests", json=job_request(), headers=bearer(provider.sign("k1", role="worker"))
    )

    assert created.status_code == 201, created.text
    assert seen.status_code == 200
    assert seen.json()["requester_id"] == str(requester)
    assert same_council.status_code == 200
    assert other_council.status_code == 404
    assert as_worker.status_code == 403


def test_es256_keys_and_subjects_that_are_not_uuids_work(
    client: TestClient[Any], provider: Provider
) -> None:
    provider.new_key("ec-1", algorithm="ES256")
    token = provider.sign("ec-1", algorithm="ES256", sub="auth0|5f3c9a", role="requester")

    first = client.post("/job-requests", json=job_request(), headers=bearer(token))
    again = client.get("/job-requests", headers=bearer(token))

    assert first.status_code == 201, first.text
    expected = str(uuid5(NAMESPACE_URL, f"{ISSUER}#auth0|5f3c9a"))
    assert [r["requester_id"] for r in again.json()] == [expected]


def by_hand(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None = None) -> str:
    """Sign by hand (HS256 with `secret`, or unsigned): PyJWT refuses to forge either way."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    signing_input = f"{part(header)}.{part(claims)}"
    if secret is None:
        return f"{signing_input}."
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def tampered(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps(claims | changes).encode()).rstrip(b"=")
    return f"{header}.{forged.decode()}.{signature}"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong issuer", "issuer"),
        ("wrong audience", "audience"),
        ("expired", "expired"),
        ("no exp", "exp"),
        ("unknown key", "no usable signing key 'nobody'"),
        ("unpublished key under a published kid", "signature does not check out"),
        ("tampered payload", "signature does not check out"),
        ("no tenant", "tenant"),
        ("unknown role", "mayor"),
        ("alg none", "algorithm 'none' is not accepted"),
        ("alg not a string", "is not accepted"),
    ],
)
def test_tokens_that_do_not_check_out_get_401_problems(
    client: TestClient[Any], provider: Provider, case: str, reason: str
) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    provider.new_key("nobody", publish=False)
    provider.new_key("impostor", publish=False)
    impostor = provider.sign("impostor", role="auditor").split(".")
    genuine = provider.sign("k1", role="auditor").split(".")
    impostor_under_k1 = ".".join([genuine[0], impostor[1], impostor[2]])
    unsigned = by_hand(
        {"alg": "none", "typ": "JWT"},
        {"iss": ISSUER, "aud": AUDIENCE, "sub": str(uuid4()), "tenant": TENANT, "role": "auditor"},
    )
    token = {
        "wrong issuer": lambda: provider.sign("k1", iss="https://evil.example/"),
        "wrong audience": lambda: provider.sign("k1", aud="another-app"),
        "expired": lambda: provider.sign(
            "k1", iat=int(past.timestamp()), exp=int((past + timedelta(hours=1)).timestamp())
        ),
        "no exp": lambda: provider.sign("k1", exp=None),
        "unknown key": lambda: provider.sign("nobody"),
        "unpublished key under a published kid": lambda: impostor_under_k1,
        "tampered payload": lambda: tampered(provider.sign("k1"), role="accountant"),
        "no tenant": lambda: provider.sign("k1", tenant=None),
        "unknown role": lambda: provider.sign("k1", role="mayor"),
        "alg none": lambda: unsigned,
        "alg not a string": lambda: by_hand({"alg": ["RS256"], "kid": "k1"}, {"sub": "x"}),
    }[case]()

    refused(client.get("/job-requests", headers=bearer(token)), reason)


def test_a_rotated_key_is_fetched_without_a_restart(
    client: TestClient[Any], provider: Provider
) -> None:
    before = client.get("/job-requests", headers=bearer(provider.sign("k1")))
    provider.new_key("k2", publish=False)
    too_early = client.get("/job-requests", headers=bearer(provider.sign("k2")))
    fetches = provider.fetches
    provider.new_key("k2")  # the provider rotates: k2 now published beside k1
    after = client.get("/job-requests", headers=bearer(provider.sign("k2")))
    cached = client.get("/job-requests", headers=bearer(provider.sign("k2")))

    assert before.status_code == 200
    refused(too_early, "no usable signing key 'k2'")
    assert after.status_code == 200, after.text
    assert cached.status_code == 200
    assert provider.fetches == fetches + 1  # the new kid was fetched once, then cached


def test_made_up_key_ids_do_not_hammer_the_provider(tmp_path: Path, provider: Provider) -> None:
    broker = broker_with_oidc(tmp_path, provider, refetch_cooldown_s=60)
    client: TestClient[Any]
    with TestClient(app=create_app(broker)) as client:
        assert client.get("/job-requests", headers=bearer(provider.sign("k1"))).status_code == 200
        for n in range(5):
            provider.new_key(f"made-up-{n}", publish=False)
            made_up = client.get("/job-requests", headers=bearer(provider.sign(f"made-up-{n}")))
            refused(made_up, f"made-up-{n}")

    assert provider.fetches == 1


@pytest.mark.parametrize("role", ["coordinator", "service"])
def test_hs256_signed_with_the_public_key_is_refused(
    client: TestClient[Any], provider: Provider, role: str
) -> None:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid4()),
        "tenant": TENANT,
        "role": role,
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    pem = provider.public_pem("k1")
    jwk = json.dumps(provider.published["k1"]).encode()

    for secret in (pem, jwk):
        response = client.get(
            "/job-requests", headers=bearer(by_hand({"alg": "HS256", "kid": "k1"}, claims, secret))
        )
        refused(response, "signature does not check out")


def test_local_key_tokens_are_for_services_only_when_oidc_is_on(
    client: TestClient[Any], provider: Provider, broker: Broker
) -> None:
    coordinator = bearer(provider.sign("k1"))
    worker = client.post(
        "/workers",
        json={
            "personal": personal_json(),
            "sex": "female",
            "district": "ofuku",
            "skills": ["harvest"],
            "constraints": {
                "weekly": {str(day): [{"start": 480, "end": 780}] for day in range(5)},
                "home_district": "ofuku",
                "travel": "walk",
                "max_travel_minutes": 60,
            },
        },
        headers=coordinator,
    )
    assert worker.status_code == 201, worker.text
    worker_id = worker.json()["id"]

    service = issue_token(broker.jwt_key, tenant=TENANT, role=Role.SERVICE, subject=uuid4())
    local_coordinator = issue_token(
        broker.jwt_key, tenant=TENANT, role=Role.COORDINATOR, subject=uuid4()
    )
    reach = client.get(f"/workers/{worker_id}/reach", headers=bearer(service))
    as_person = client.get(f"/workers/{worker_id}/reach", headers=bearer(local_coordinator))
    listing = client.get("/job-requests", headers=bearer(local_coordinator))

    assert reach.status_code == 200, reach.text
    assert reach.json()["worker_id"] == worker_id
    refused(as_person, "people sign in through the identity provider")
    refused(listing, "people sign in through the identity provider")


def test_an_unreachable_provider_gives_401_never_500(
    client: TestClient[Any], provider: Provider, broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    known = client.get("/job-requests", headers=bearer(provider.sign("k1")))
    provider.new_key("k2")
    fresh_token = provider.sign("k2")
    provider.stop()
    service = issue_token(broker.jwt_key, tenant=TENANT, role=Role.SERVICE, subject=uuid4())

    with caplog.at_level(logging.WARNING, logger="backbone.oidc"):
        still_cached = client.get("/job-requests", headers=bearer(provider.sign("k1")))
        new_kid = client.get("/job-requests", headers=bearer(fresh_token))
        services_go_on = client.get(f"/workers/{uuid4()}/reach", headers=bearer(service))

    assert known.status_code == 200
    assert still_cached.status_code == 200  # keys already fetched keep working
    refused(new_kid, "signing keys could not be fetched")
    assert services_go_on.status_code == 404  # past authentication: no such worker
    assert any("OIDC keys unreachable" in r.getMessage() for r in caplog.records)


def test_a_provider_that_never_answered_gives_401(tmp_path: Path, provider: Provider) -> None:
    provider.stop()
    broker = broker_with_oidc(tmp_path, provider)
    client: TestClient[Any]
    with TestClient(app=create_app(broker)) as client:
        response = client.get("/job-requests", headers=bearer(provider.sign("k1")))

    refused(response, "signing keys could not be fetched")


def test_claims_can_live_elsewhere_in_the_token(tmp_path: Path, provider: Provider) -> None:
    broker = broker_with_oidc(
        tmp_path, provider, tenant_claim="org.council", role_claim="realm_access.roles"
    )
    token = provider.sign(
        "k1",
        tenant=None,
        role=None,
        org={"council": TENANT},
        realm_access={"roles": ["offline_access", "coordinator", "uma_authorization"]},
    )
    two_roles = provider.sign(
        "k1", org={"council": TENANT}, realm_access={"roles": ["coordinator", "auditor"]}
    )
    client: TestClient[Any]
    with TestClient(app=create_app(broker)) as client:
        accepted = client.get("/job-requests", headers=bearer(token))
        ambiguous = client.get("/job-requests", headers=bearer(two_roles))

    assert accepted.status_code == 200, accepted.text
    refused(ambiguous, "exactly one of conbini's roles")


def test_without_oidc_only_the_local_key_is_accepted(tmp_path: Path, provider: Provider) -> None:
    broker = build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"), clock=FixedClock(NOW))
    local = issue_token(broker.jwt_key, tenant=TENANT, role=Role.COORDINATOR, subject=uuid4())
    client: TestClient[Any]
    with TestClient(app=create_app(broker)) as client:
        development = client.get("/job-requests", headers=bearer(local))
        provider_token = client.get("/job-requests", headers=bearer(provider.sign("k1")))

    assert development.status_code == 200
    refused(provider_token, "algorithm this service does not accept")
    assert provider.fetches == 0


def test_oidc_settings_from_the_environment() -> None:
    env = {
        "CONBINI_OIDC_JWKS_URL": "https://id.example/certs",
        "CONBINI_OIDC_ISSUER": ISSUER,
        "CONBINI_OIDC_AUDIENCE": AUDIENCE,
    }

    assert oidc_from({}) is None
    settings = oidc_from(env)
    assert settings == OidcSettings(
        jwks_url="https://id.example/certs", issuer=ISSUER, audience=AUDIENCE
    )
    assert settings.tenant_claim == "tenant"
    assert settings.role_claim == "role"
    custom = oidc_from(env | {"CONBINI_OIDC_ROLE_CLAIM": "groups"})
    assert custom is not None
    assert custom.role_claim == "groups"
    assert oidc_from(env | {"CONBINI_OIDC_JWKS_URL": "http://127.0.0.1:9000/certs"}) is not None
    with pytest.raises(ValueError, match="CONBINI_OIDC_AUDIENCE"):
        oidc_from({k: v for k, v in env.items() if k != "CONBINI_OIDC_AUDIENCE"})
    with pytest.raises(ValueError, match="https"):
        oidc_from(env | {"CONBINI_OIDC_JWKS_URL": "http://id.example/certs"})
    broker_settings = BrokerSettings.from_env(env | {"CONBINI_STORE": "memory"})
    assert broker_settings.oidc == settings
