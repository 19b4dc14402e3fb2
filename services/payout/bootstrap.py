"""All of payout's wiring: settings in, a ready application out."""

import functools
from dataclasses import dataclass, field
from datetime import date

import jpholiday

from backbone.auth import TokenVerifier, load_or_create_key
from backbone.clock import Clock, SystemClock
from backbone.oidc import verifier_for
from backbone.personal import PersonalVault, key_store_for
from backbone.runtime import open_store
from payout.application import PayoutApplication
from payout.domain.zengin import Remitter, checked_account
from payout.policies.routes import ROUTES
from payout.settings import PayoutSettings


@functools.lru_cache(maxsize=4096)
def is_bank_holiday(day: date) -> bool:
    """Japanese public holidays and the banks' year-end days (12/31 – 1/3)."""
    year_end = (day.month, day.day) in {(12, 31), (1, 1), (1, 2), (1, 3)}
    return year_end or bool(jpholiday.is_holiday(day))


@dataclass
class Payout:
    """Payout's application, the council's remitter, its signing key and settings."""

    app: PayoutApplication
    settings: PayoutSettings
    jwt_key: str
    verifier: TokenVerifier
    remitter: Remitter
    clock: Clock = field(default_factory=SystemClock)


def build_payout(settings: PayoutSettings, clock: Clock | None = None) -> Payout:
    """Open payout's store and configure it.

    Raises:
        BankDataError: the remitter's account in the settings is not a valid one.
    """
    app = open_store("payout", PayoutApplication, settings.backbone.store, ROUTES)
    app.terms = settings.terms
    app.is_holiday = is_bank_holiday
    app.pay_day_of_next_month = settings.pay_day_of_next_month
    app.vault = PersonalVault(
        load_or_create_key(settings.master_key_file),
        key_store_for("payout", settings.backbone.store),
    )
    app.books.catch_up(app)
    r = settings.remitter
    remitter = Remitter(
        code=r.code,
        name=r.name,
        account=checked_account(
            bank_code=r.bank_code,
            branch_code=r.branch_code,
            account_type=r.account_type,
            number=r.number,
            holder=r.name,
        ),
    )
    key = load_or_create_key(settings.jwt_key_file)
    return Payout(
        app=app,
        settings=settings,
        jwt_key=key,
        verifier=verifier_for(key, settings.oidc),
        remitter=remitter,
        clock=clock or SystemClock(),
    )
