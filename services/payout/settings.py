"""Payout's settings: the only reader of its environment."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from backbone.oidc import OidcSettings, oidc_from
from backbone.runtime import BackboneSettings
from backbone.settings import backbone_from_env, body_limits_from, jwt_key_file, master_key_file
from backbone.stores import StoreSettings
from backbone.web import BodyLimits
from payout.domain.money import Terms
from payout.domain.zengin import LineEnding


@dataclass(frozen=True, kw_only=True)
class RemitterSettings:
    """The council's own account, as the bank knows it (振込依頼人)."""

    code: str = "0000000000"
    name: str = "ｼｺﾞﾄｺﾝﾋﾞﾆ"
    bank_code: str = "0001"
    branch_code: str = "001"
    account_type: int = 1
    number: str = "0000000"


@dataclass(frozen=True, kw_only=True)
class PayoutSettings:
    """Everything payout's roles need."""

    backbone: BackboneSettings
    jwt_key_file: Path
    master_key_file: Path
    host: str = "127.0.0.1"
    port: int = 8003
    body_limits: BodyLimits = field(default_factory=BodyLimits)
    """The largest request bodies the API reads."""
    terms: Terms = field(default_factory=Terms)
    pay_day_of_next_month: int = 0
    """Day of the month after the period to pay on; 0 = its last day (月末締め翌月末払い)."""
    remitter: RemitterSettings = field(default_factory=RemitterSettings)
    line_ending: LineEnding = "crlf"
    oidc: OidcSettings | None = None
    """People's tokens from an OIDC provider (`CONBINI_OIDC_*`); None: the local key only."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "PayoutSettings":
        """Read `CONBINI_*` variables (see deploy/env/conbini.env.example)."""
        env = os.environ if env is None else env
        ending = env.get("CONBINI_ZENGIN_LINE_ENDING", "crlf")
        if ending not in ("crlf", "lf", "none"):
            msg = f"CONBINI_ZENGIN_LINE_ENDING must be crlf, lf or none, not {ending!r}"
            raise ValueError(msg)
        return cls(
            backbone=backbone_from_env(env),
            body_limits=body_limits_from(env),
            jwt_key_file=jwt_key_file(env),
            master_key_file=master_key_file(env),
            host=env.get("CONBINI_PAYOUT_HOST", "127.0.0.1"),
            port=int(env.get("CONBINI_PAYOUT_PORT", "8003")),
            terms=Terms(
                fee_bp=int(env.get("CONBINI_FEE_BASIS_POINTS", "1000")),
                consumption_tax_percent=int(env.get("CONBINI_CONSUMPTION_TAX_PERCENT", "10")),
                compensation_notice_hours=int(env.get("CONBINI_COMPENSATION_NOTICE_HOURS", "24")),
                compensation_percent=int(env.get("CONBINI_COMPENSATION_PERCENT", "60")),
            ),
            pay_day_of_next_month=int(env.get("CONBINI_PAY_DAY", "0")),
            remitter=RemitterSettings(
                code=env.get("CONBINI_REMITTER_CODE", "0000000000"),
                name=env.get("CONBINI_REMITTER_NAME", "ｼｺﾞﾄｺﾝﾋﾞﾆ"),
                bank_code=env.get("CONBINI_REMITTER_BANK", "0001"),
                branch_code=env.get("CONBINI_REMITTER_BRANCH", "001"),
                account_type=int(env.get("CONBINI_REMITTER_ACCOUNT_TYPE", "1")),
                number=env.get("CONBINI_REMITTER_ACCOUNT", "0000000"),
            ),
            line_ending="crlf" if ending == "crlf" else "lf" if ending == "lf" else "none",
            oidc=oidc_from(env),
        )

    @classmethod
    def in_memory(cls, jwt_key_file: Path) -> "PayoutSettings":
        """For tests: an in-memory store, the given signing key."""
        return cls(
            backbone=BackboneSettings(store=StoreSettings(kind="memory")),
            jwt_key_file=jwt_key_file,
            master_key_file=jwt_key_file.with_name("master.key"),
        )
