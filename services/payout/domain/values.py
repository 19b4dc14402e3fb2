"""Small shared values of payout's domain."""

from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
