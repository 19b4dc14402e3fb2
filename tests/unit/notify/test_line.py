"""The LINE webhook: postbacks count once with a valid signature; anything else is a 401."""

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from backbone.clock import FixedClock
from backbone.flow import envelope_of
from contracts.notify import OfferAccepted, OfferDeclined
from contracts.values import Channel
from notify.bootstrap import Notify, build_notify
from notify.channels.line import LineSettings, postback_data
from notify.http.app import create_app
from notify.messaging.translate import to_contract
from notify.settings import NotifySettings
from tests.unit.notify.support import NOW, Book, offered, react

SECRET = "line-channel-secret-for-tests"
WORKER = uuid4()


@pytest.fixture
def notify(tmp_path: Path) -> Notify:
    settings = replace(
        NotifySettings.in_memory(tmp_path / "jwt.key"),
        line=LineSettings(access_token="token", channel_secret=SECRET),
    )
    return build_notify(settings, clock=FixedClock(NOW), senders={}, contacts=Book())


@pytest.fixture
def client(notify: Notify) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(notify)) as test_client:
        yield test_client


def webhook_body(data: str, *, redelivery: bool = False) -> str:
    return json.dumps(
        {
            "destination": "U" + "f" * 32,
            "events": [
                {
                    "type": "postback",
                    "mode": "active",
                    "timestamp": 1760000000000,
                    "webhookEventId": "01H" + "A" * 23,
                    "deliveryContext": {"isRedelivery": redelivery},
                    "replyToken": "r" * 32,
                    "source": {"type": "user", "userId": "U" + "1" * 32},
                    "postback": {"data": data},
                }
            ],
        }
    )


def sign(body: str, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def answers(notify: Notify) -> list[object]:
    notes = notify.app.recorder.select_notifications(1, 10_000)
    events = [notify.app.mapper.to_domain_event(n) for n in notes]
    found = [to_contract(e, envelope_of(e, default_tenant="?")) for e in events]
    return [f for f in found if isinstance(f, OfferAccepted | OfferDeclined)]


def test_a_signed_postback_accepts_once_even_when_redelivered(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer)
    body = webhook_body(postback_data(notify.jwt_key, offer.offer_id, accept=True))
    again = webhook_body(
        postback_data(notify.jwt_key, offer.offer_id, accept=True), redelivery=True
    )

    first = client.post("/line/webhook", content=body, headers={"x-line-signature": sign(body)})
    second = client.post("/line/webhook", content=again, headers={"x-line-signature": sign(again)})

    assert first.status_code == 200
    assert first.json() == {"recorded": 1}
    assert second.json() == {"recorded": 0}
    [answer] = answers(notify)
    assert isinstance(answer, OfferAccepted)
    assert answer.channel is Channel.LINE


@pytest.mark.parametrize("how", ["wrong secret", "missing", "altered body"])
def test_an_unsigned_or_badly_signed_call_is_a_401_and_records_nothing(
    client: TestClient[Any], notify: Notify, how: str
) -> None:
    offer = offered(WORKER)
    react(notify, offer)
    body = webhook_body(postback_data(notify.jwt_key, offer.offer_id, accept=True))
    headers = {
        "wrong secret": {"x-line-signature": sign(body, "not the secret")},
        "missing": {},
        "altered body": {"x-line-signature": sign(body.replace("postback", "postback "))},
    }[how]

    response = client.post("/line/webhook", content=body, headers=headers)

    assert response.status_code == 401
    assert answers(notify) == []


def test_a_postback_whose_data_we_did_not_sign_is_a_401(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer)
    forged = postback_data("someone else's secret key, long enough", offer.offer_id, accept=True)
    body = webhook_body(forged)

    response = client.post("/line/webhook", content=body, headers={"x-line-signature": sign(body)})

    assert response.status_code == 401
    assert answers(notify) == []


def test_a_decline_button_declines(client: TestClient[Any], notify: Notify) -> None:
    offer = offered(WORKER)
    react(notify, offer)
    body = webhook_body(postback_data(notify.jwt_key, offer.offer_id, accept=False))

    client.post("/line/webhook", content=body, headers={"x-line-signature": sign(body)})

    [answer] = answers(notify)
    assert isinstance(answer, OfferDeclined)
