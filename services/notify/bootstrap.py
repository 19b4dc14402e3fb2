"""All of notify's wiring: settings in, a ready application and dispatcher out."""

from dataclasses import dataclass, field
from uuid import UUID

from backbone.auth import TokenVerifier, load_or_create_key
from backbone.clock import Clock, SystemClock
from backbone.oidc import verifier_for
from backbone.runtime import open_store
from notify.application import NotifyApplication
from notify.channels.base import Sender
from notify.channels.contacts import BrokerContacts, ContactBook
from notify.channels.email import EmailSender
from notify.channels.line import LineSender
from notify.channels.sms import SmsSender
from notify.dispatch import Dispatcher, Links
from notify.links import make_link_token
from notify.policies.routes import ROUTES
from notify.settings import NotifySettings


@dataclass
class Notify:
    """Notify's application, dispatcher, links, signing key and settings."""

    app: NotifyApplication
    settings: NotifySettings
    jwt_key: str
    verifier: TokenVerifier
    links: Links
    dispatcher: Dispatcher
    clock: Clock = field(default_factory=SystemClock)

    def link_token(self, worker_id: UUID, tenant: str) -> str:
        """A fresh signed link to a worker's page."""
        return self.links.sign(worker_id, tenant)


def build_notify(
    settings: NotifySettings,
    clock: Clock | None = None,
    senders: dict[str, Sender] | None = None,
    contacts: ContactBook | None = None,
) -> Notify:
    """Open notify's store and wire its channels."""
    clock = clock or SystemClock()
    app = open_store("notify", NotifyApplication, settings.backbone.store, ROUTES)
    app.board.catch_up(app)
    key = load_or_create_key(settings.jwt_key_file)
    if senders is None:
        senders = {
            "email": EmailSender(settings.smtp),
            "line": LineSender(settings.line, signing_secret=key),
            "sms": SmsSender(settings.sms),
        }

    def sign(worker_id: UUID, tenant: str) -> str:
        return make_link_token(
            key,
            worker_id=worker_id,
            tenant=tenant,
            now=clock.now(),
            lifetime=settings.link_lifetime,
        )

    links = Links(settings.public_url, sign)
    dispatcher = Dispatcher(
        app,
        senders=senders,
        contacts=contacts or BrokerContacts(settings.broker_url, key),
        links=links,
        clock=clock,
        escalation=settings.escalation,
    )
    return Notify(
        app=app,
        settings=settings,
        jwt_key=key,
        verifier=verifier_for(key, settings.oidc),
        links=links,
        dispatcher=dispatcher,
        clock=clock,
    )
