"""Notify's settings from `CONBINI_*` variables: the link lifetime a council chooses."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from notify.links import BadLinkError, make_link_token, read_link_token
from notify.settings import NotifySettings

KEY = "k" * 32
ISSUED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_links_last_fourteen_days_unless_the_council_says_otherwise() -> None:
    assert NotifySettings.from_env({}).link_lifetime == timedelta(days=14)
    assert NotifySettings.from_env({"CONBINI_LINK_DAYS": "62"}).link_lifetime == timedelta(days=62)


def test_a_link_made_with_the_councils_lifetime_opens_until_it_ends() -> None:
    lifetime = NotifySettings.from_env({"CONBINI_LINK_DAYS": "62"}).link_lifetime
    worker = uuid4()
    token = make_link_token(
        KEY, worker_id=worker, tenant="mine-wakuwaku", now=ISSUED, lifetime=lifetime
    )

    assert read_link_token(KEY, token, now=ISSUED + timedelta(days=30)).worker_id == worker
    with pytest.raises(BadLinkError, match="expired"):
        read_link_token(KEY, token, now=ISSUED + timedelta(days=63))
