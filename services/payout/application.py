"""Payout's event-sourced application: its books, vault, terms and calendar."""

import secrets
from collections.abc import Callable, Mapping
from datetime import date
from uuid import UUID

from eventsourcing.persistence import Recording

from backbone.personal import MemoryKeyStore, PersonalVault
from backbone.stores import Policy, ServiceApplication
from contracts.base import IntegrationEvent
from payout.books import Books
from payout.domain.money import Terms


def no_holidays(day: date) -> bool:
    """A calendar without public holidays (bootstrap gives the real one)."""
    del day
    return False


class PayoutApplication(ServiceApplication):
    """Rewards, runs and payees of every tenant, in one event store."""

    name = "Payout"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        routes: Mapping[type[IntegrationEvent], Policy] | None = None,
    ) -> None:
        super().__init__(env, routes=routes)
        self.books = Books()
        self.terms = Terms()
        self.vault = PersonalVault(secrets.token_urlsafe(32), MemoryKeyStore())
        """Seals bank accounts; bootstrap gives it the deployment's keys."""
        self.is_holiday: Callable[[date], bool] = no_holidays
        self.pay_day_of_next_month = 0
        """0: the last day of the month after the period (月末締め翌月末払い)."""

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        """Keep the books current with what this process stores."""
        super()._notify(recordings)
        self.books.absorb(recordings)
