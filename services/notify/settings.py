"""Notify's settings: the only reader of its environment."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from backbone.clientaddr import trusted_networks
from backbone.oidc import OidcSettings, oidc_from
from backbone.runtime import BackboneSettings
from backbone.settings import backbone_from_env, body_limits_from, jwt_key_file
from backbone.stores import StoreSettings
from backbone.web import BodyLimits
from notify.channels.email import SmtpSettings
from notify.channels.line import LineSettings
from notify.channels.sms import SmsSettings
from notify.dispatch import Escalation


def minutes(env: Mapping[str, str], name: str, default: float) -> timedelta:
    """A duration given in minutes."""
    return timedelta(minutes=float(env.get(name, default)))


@dataclass(frozen=True, kw_only=True)
class NotifySettings:
    """Everything notify's roles need."""

    backbone: BackboneSettings
    jwt_key_file: Path
    host: str = "127.0.0.1"
    port: int = 8002
    body_limits: BodyLimits = field(default_factory=BodyLimits)
    """The largest request bodies the API reads."""
    public_url: str = "http://127.0.0.1:8002"
    """Where workers open their pages (links in email, SMS, LINE)."""
    broker_url: str = "http://127.0.0.1:8001"
    """Where to ask for contacts at sending time."""
    smtp: SmtpSettings | None = None
    line: LineSettings | None = None
    sms: SmsSettings | None = None
    escalation: Escalation = field(default_factory=Escalation)
    link_lifetime: timedelta = timedelta(days=14)
    """How long a worker-page link stays valid (`CONBINI_LINK_DAYS`)."""
    dispatch_every: timedelta = timedelta(seconds=1)
    page_rate_per_minute: int = 120
    """Requests per minute one address may make to worker pages and the LINE webhook."""
    board_poll: timedelta = timedelta(milliseconds=20)
    """How often the API reads what the inbox stored (for live pages)."""
    trusted_proxies: tuple[str, ...] = ()
    """Reverse proxies whose X-Forwarded-For names the client (`CONBINI_TRUSTED_PROXIES`)."""
    oidc: OidcSettings | None = None
    """People's tokens from an OIDC provider (`CONBINI_OIDC_*`); None: the local key only."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "NotifySettings":
        """Read `CONBINI_*` variables (see deploy/env/conbini.env.example)."""
        env = os.environ if env is None else env
        smtp_host = env.get("CONBINI_SMTP_HOST")
        line_token = env.get("CONBINI_LINE_ACCESS_TOKEN")
        sms_url = env.get("CONBINI_SMS_BASE_URL")
        port = int(env.get("CONBINI_NOTIFY_PORT", "8002"))
        return cls(
            backbone=backbone_from_env(env),
            body_limits=body_limits_from(env),
            jwt_key_file=jwt_key_file(env),
            host=env.get("CONBINI_NOTIFY_HOST", "127.0.0.1"),
            port=port,
            public_url=env.get("CONBINI_NOTIFY_PUBLIC_URL", f"http://127.0.0.1:{port}"),
            broker_url=env.get("CONBINI_BROKER_URL", "http://127.0.0.1:8001"),
            smtp=SmtpSettings(
                host=smtp_host,
                port=int(env.get("CONBINI_SMTP_PORT", "25")),
                sender=env.get("CONBINI_SMTP_FROM", "shigoto-conbini@localhost"),
                username=env.get("CONBINI_SMTP_USER"),
                password=env.get("CONBINI_SMTP_PASSWORD"),
                starttls=env.get("CONBINI_SMTP_STARTTLS", "") in ("1", "true", "yes"),
            )
            if smtp_host
            else None,
            line=LineSettings(
                access_token=line_token,
                channel_secret=env.get("CONBINI_LINE_CHANNEL_SECRET", ""),
                api_host=env.get("CONBINI_LINE_API_HOST", "https://api.line.me"),
            )
            if line_token
            else None,
            sms=SmsSettings(
                base_url=sms_url,
                account=env.get("CONBINI_SMS_ACCOUNT", ""),
                token=env.get("CONBINI_SMS_TOKEN", ""),
                sender=env.get("CONBINI_SMS_FROM", ""),
            )
            if sms_url
            else None,
            escalation=Escalation(
                escalate_after=minutes(env, "CONBINI_ESCALATE_AFTER_MINUTES", 120),
                call_after=minutes(env, "CONBINI_CALL_AFTER_MINUTES", 360),
                retry_base=timedelta(seconds=float(env.get("CONBINI_RETRY_BASE_SECONDS", "30"))),
                remind_before=minutes(env, "CONBINI_REMIND_BEFORE_MINUTES", 24 * 60),
            ),
            link_lifetime=timedelta(days=float(env.get("CONBINI_LINK_DAYS", "14"))),
            dispatch_every=timedelta(seconds=float(env.get("CONBINI_DISPATCH_EVERY_SECONDS", "1"))),
            page_rate_per_minute=int(env.get("CONBINI_WORKER_PAGE_RATE_PER_MINUTE", "120")),
            trusted_proxies=tuple(
                str(net) for net in trusted_networks(env.get("CONBINI_TRUSTED_PROXIES", ""))
            ),
            oidc=oidc_from(env),
        )

    @classmethod
    def in_memory(cls, jwt_key_file: Path) -> "NotifySettings":
        """For tests: an in-memory store, the given signing key, no providers."""
        return cls(
            backbone=BackboneSettings(store=StoreSettings(kind="memory")),
            jwt_key_file=jwt_key_file,
        )
