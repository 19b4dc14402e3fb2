"""All the broker's wiring: settings in, a ready application out."""

from dataclasses import dataclass, field

from backbone.auth import TokenVerifier, load_or_create_key
from backbone.clock import Clock, SystemClock
from backbone.oidc import verifier_for
from backbone.personal import PersonalVault, key_store_for
from backbone.runtime import open_store
from broker.application import BrokerApplication
from broker.policies.routes import ROUTES
from broker.settings import BrokerSettings


@dataclass
class Broker:
    """The broker's application with its clock, signing key, token verifier and settings."""

    app: BrokerApplication
    settings: BrokerSettings
    jwt_key: str
    verifier: TokenVerifier
    clock: Clock = field(default_factory=SystemClock)


def build_broker(settings: BrokerSettings, clock: Clock | None = None) -> Broker:
    """Open the broker's store and configure it."""
    app = open_store("broker", BrokerApplication, settings.backbone.store, ROUTES)
    app.places = settings.places
    app.offer_fanout = settings.offer_fanout
    app.answer_within = settings.answer_within
    app.vault = PersonalVault(
        load_or_create_key(settings.master_key_file),
        key_store_for("broker", settings.backbone.store),
    )
    key = load_or_create_key(settings.jwt_key_file)
    return Broker(
        app=app,
        settings=settings,
        jwt_key=key,
        verifier=verifier_for(key, settings.oidc),
        clock=clock or SystemClock(),
    )
