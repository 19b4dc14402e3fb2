"""Integer-yen arithmetic: every amount payout computes, each rule with its rounding.

Rates are integers (basis points, percent); there are no floats anywhere. Each amount is
rounded once, where its rule says:

* **Hourly reward** = rate × worked minutes ÷ 60, fractions of a yen rounded **up** (in
  the worker's favour: ¥1,050 × 175 min = ¥3,062.5 → ¥3,063). Fixed reward: as agreed.
* **Withholding** (所得税法204条, only for tasks flagged for it), on the reward alone
  (transport and compensation are outside its base), fractions **dropped**:
  up to ¥1,000,000: reward × 10.21 %; above: (reward − ¥1,000,000) × 20.42 % + ¥102,100.
* **Council fee** = reward × fee rate (basis points), fractions **dropped**; it is charged
  to the requester on top, never taken from the worker.
* **Consumption tax on the fee** = fee × tax rate (percent), fractions **dropped**.
* **Cancellation compensation** (a requester cancelling after acceptance): when fewer than
  `notice_hours` remain before the start, `percent` of the planned reward (on the model of
  休業手当's 60 %), fractions **dropped**; with more notice, nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

WITHHOLDING_LOW_BP = 1021  # 10.21 %
WITHHOLDING_HIGH_BP = 2042  # 20.42 %
WITHHOLDING_THRESHOLD_YEN = 1_000_000
WITHHOLDING_AT_THRESHOLD_YEN = 102_100
BASIS = 10_000


def hourly_reward(rate_yen: int, minutes: int) -> int:
    """Rate × minutes ÷ 60, rounded up to the yen.

    Raises:
        ValueError: a negative rate or minutes.
    """
    if rate_yen < 0 or minutes < 0:
        msg = "rate and minutes cannot be negative"
        raise ValueError(msg)
    return -(-rate_yen * minutes // 60)


def withholding(reward_yen: int) -> int:
    """Income tax withheld from one payment (所得税法204条), fractions dropped."""
    if reward_yen <= WITHHOLDING_THRESHOLD_YEN:
        return reward_yen * WITHHOLDING_LOW_BP // BASIS
    over = reward_yen - WITHHOLDING_THRESHOLD_YEN
    return over * WITHHOLDING_HIGH_BP // BASIS + WITHHOLDING_AT_THRESHOLD_YEN


def fee(reward_yen: int, fee_bp: int) -> int:
    """The council's fee on a reward, fractions dropped."""
    return reward_yen * fee_bp // BASIS


def consumption_tax(amount_yen: int, rate_percent: int) -> int:
    """Consumption tax on an amount, fractions dropped."""
    return amount_yen * rate_percent // 100


def compensation(
    planned_reward_yen: int,
    *,
    cancelled_at: datetime,
    starts_at: datetime,
    notice_hours: int,
    percent: int,
) -> int:
    """What a late cancellation after acceptance owes the worker (0 with enough notice)."""
    if starts_at - cancelled_at >= timedelta(hours=notice_hours):
        return 0
    return planned_reward_yen * percent // 100


@dataclass(frozen=True, kw_only=True)
class Terms:
    """How a tenant charges and compensates (per-tenant settings)."""

    fee_bp: int = 1000
    """Council fee in basis points of the reward (10 %)."""
    consumption_tax_percent: int = 10
    compensation_notice_hours: int = 24
    compensation_percent: int = 60


@dataclass(frozen=True, kw_only=True)
class Amounts:
    """Everything one reward is worth, in yen."""

    reward: int
    transport: int
    compensation: int
    withholding: int
    fee: int
    fee_tax: int

    @property
    def net(self) -> int:
        """What the worker receives."""
        return self.reward + self.transport + self.compensation - self.withholding

    @property
    def charged(self) -> int:
        """What the requester is charged."""
        return self.reward + self.transport + self.compensation + self.fee + self.fee_tax

    def as_state(self) -> dict[str, int]:
        """Plain values for an event."""
        return {
            "reward": self.reward,
            "transport": self.transport,
            "compensation": self.compensation,
            "withholding": self.withholding,
            "fee": self.fee,
            "fee_tax": self.fee_tax,
        }

    @classmethod
    def from_state(cls, state: dict[str, int]) -> "Amounts":
        """The inverse of `as_state`."""
        return cls(**state)


def for_work(
    *,
    kind: str,
    rate_yen: int,
    minutes: int,
    transport_yen: int,
    withholding_applies: bool,
    terms: Terms,
) -> Amounts:
    """The amounts of a completed task."""
    reward = hourly_reward(rate_yen, minutes) if kind == "hourly" else rate_yen
    if kind != "hourly" and minutes == 0:
        reward = 0  # a dispute settled at nothing owed
    charged_fee = fee(reward, terms.fee_bp)
    return Amounts(
        reward=reward,
        transport=transport_yen if reward else 0,
        compensation=0,
        withholding=withholding(reward) if withholding_applies else 0,
        fee=charged_fee,
        fee_tax=consumption_tax(charged_fee, terms.consumption_tax_percent),
    )


def for_cancellation(
    *, planned_reward_yen: int, cancelled_at: datetime, starts_at: datetime, terms: Terms
) -> Amounts:
    """The amounts owed for a late cancellation (zero everywhere with enough notice)."""
    owed = compensation(
        planned_reward_yen,
        cancelled_at=cancelled_at,
        starts_at=starts_at,
        notice_hours=terms.compensation_notice_hours,
        percent=terms.compensation_percent,
    )
    charged_fee = fee(owed, terms.fee_bp)
    return Amounts(
        reward=0,
        transport=0,
        compensation=owed,
        withholding=0,
        fee=charged_fee,
        fee_tax=consumption_tax(charged_fee, terms.consumption_tax_percent),
    )
