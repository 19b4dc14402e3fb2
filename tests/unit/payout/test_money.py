"""Worked examples of every money rule (integer yen, one rounding each)."""

from datetime import UTC, datetime, timedelta

import pytest

from payout.domain import money
from payout.domain.money import Amounts, Terms

START = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rate", "minutes", "expected"),
    [
        (1050, 180, 3150),  # three hours exactly
        (1050, 175, 3063),  # ¥3,062.5 rounds up, in the worker's favour
        (1000, 1, 17),  # ¥16.67 → ¥17
        (1200, 0, 0),
        (985, 61, 1002),  # ¥1,001.4 → ¥1,002
    ],
)
def test_an_hourly_reward_is_paid_by_the_minute_rounded_up(
    rate: int, minutes: int, expected: int
) -> None:
    assert money.hourly_reward(rate, minutes) == expected


@pytest.mark.parametrize(
    ("reward", "withheld"),
    [
        (50_000, 5_105),  # 10.21 %
        (1_000_000, 102_100),  # the top of the lower band
        (1_500_000, 204_200),  # (1,500,000 − 1,000,000) × 20.42 % + 102,100
        (3_063, 312),  # ¥312.73 → ¥312: fractions dropped
        (0, 0),
    ],
)
def test_withholding_follows_article_204_with_fractions_dropped(reward: int, withheld: int) -> None:
    assert money.withholding(reward) == withheld


def test_the_fee_and_its_consumption_tax_are_charged_to_the_requester_not_the_worker() -> None:
    amounts = money.for_work(
        kind="hourly",
        rate_yen=1050,
        minutes=175,
        transport_yen=300,
        withholding_applies=False,
        terms=Terms(fee_bp=1000, consumption_tax_percent=10),
    )

    assert amounts == Amounts(
        reward=3063, transport=300, compensation=0, withholding=0, fee=306, fee_tax=30
    )
    assert amounts.net == 3363  # reward + transport
    assert amounts.charged == 3699  # reward + transport + fee + tax


def test_withholding_applies_only_to_article_204_work_and_not_to_transport() -> None:
    amounts = money.for_work(
        kind="fixed",
        rate_yen=50_000,
        minutes=120,
        transport_yen=1_000,
        withholding_applies=True,
        terms=Terms(),
    )

    assert amounts.withholding == 5_105
    assert amounts.net == 50_000 + 1_000 - 5_105


@pytest.mark.parametrize(
    ("notice", "owed"),
    [
        (timedelta(hours=48), 0),  # plenty of notice
        (timedelta(hours=24), 0),  # exactly the cut-off: free
        (timedelta(hours=23, minutes=59), 1890),  # 60 % of ¥3,150
        (timedelta(hours=2), 1890),
        (timedelta(hours=-1), 1890),  # after the start
    ],
)
def test_a_late_cancellation_after_acceptance_owes_sixty_percent(
    notice: timedelta, owed: int
) -> None:
    amounts = money.for_cancellation(
        planned_reward_yen=3150, cancelled_at=START - notice, starts_at=START, terms=Terms()
    )

    assert amounts.compensation == owed
    assert amounts.net == owed
    assert amounts.fee == owed * 1000 // 10_000


def test_a_fixed_reward_settled_at_nothing_owes_nothing() -> None:
    amounts = money.for_work(
        kind="fixed",
        rate_yen=8000,
        minutes=0,
        transport_yen=500,
        withholding_applies=False,
        terms=Terms(),
    )

    assert amounts.net == 0
    assert amounts.charged == 0


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        money.hourly_reward(-1, 60)
