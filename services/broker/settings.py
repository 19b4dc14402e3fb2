"""The broker's settings: the only reader of its environment."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from backbone.oidc import OidcSettings, oidc_from
from backbone.runtime import BackboneSettings
from backbone.settings import backbone_from_env, body_limits_from, jwt_key_file, master_key_file
from backbone.stores import StoreSettings
from backbone.web import BodyLimits
from broker.districts import mine_city_places, places_from_file
from broker.domain.constraints import Places


@dataclass(frozen=True, kw_only=True)
class BrokerSettings:
    """Everything the broker's roles need."""

    backbone: BackboneSettings
    jwt_key_file: Path
    master_key_file: Path
    """The secret that wraps every person's data key (keep it out of backups of the data)."""
    host: str = "127.0.0.1"
    port: int = 8001
    body_limits: BodyLimits = field(default_factory=BodyLimits)
    """The largest request bodies the API reads."""
    offer_fanout: int = 3
    """How many workers hold an open offer of one task at once."""
    answer_within: timedelta = timedelta(hours=24)
    places: Places = field(default_factory=mine_city_places)
    expire_every: timedelta = timedelta(seconds=30)
    oidc: OidcSettings | None = None
    """People's tokens from an OIDC provider (`CONBINI_OIDC_*`); None: the local key only."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "BrokerSettings":
        """Read `CONBINI_*` variables (see deploy/env/conbini.env.example)."""
        env = os.environ if env is None else env
        districts = env.get("CONBINI_DISTRICTS_FILE")
        return cls(
            backbone=backbone_from_env(env),
            body_limits=body_limits_from(env),
            jwt_key_file=jwt_key_file(env),
            master_key_file=master_key_file(env),
            host=env.get("CONBINI_BROKER_HOST", "127.0.0.1"),
            port=int(env.get("CONBINI_BROKER_PORT", "8001")),
            offer_fanout=int(env.get("CONBINI_OFFER_FANOUT", "3")),
            answer_within=timedelta(hours=float(env.get("CONBINI_ANSWER_HOURS", "24"))),
            places=places_from_file(Path(districts)) if districts else mine_city_places(),
            oidc=oidc_from(env),
        )

    @classmethod
    def in_memory(cls, jwt_key_file: Path) -> "BrokerSettings":
        """For tests: an in-memory store, the given signing key."""
        return cls(
            backbone=BackboneSettings(store=StoreSettings(kind="memory")),
            jwt_key_file=jwt_key_file,
            master_key_file=jwt_key_file.with_name("master.key"),
        )
