"""LINE push and the SMS adapter against local HTTP servers speaking the providers' APIs.

The providers' own services cannot be reached from tests; these servers check what notify
sends (paths, headers, bodies) and answer as the providers document, success or refusal.
"""

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from uuid import uuid4

import pytest

from notify.channels.base import Contact, Message
from notify.channels.line import LineSender, LineSettings, read_postback
from notify.channels.sms import SmsSender, SmsSettings
from notify.domain.offer import Outcome

SIGNING = "a signing secret long enough for HMAC-SHA256"


@dataclass
class Provider:
    """What a provider received, and the status it answers with."""

    status: int = 200
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@contextmanager
def provider(status: int = 200) -> Iterator[tuple[str, Provider]]:
    state = Provider(status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.requests.append((self.path, dict(self.headers.items()), body))
            payload = b'{"sentMessages": [{"id": "1", "quoteToken": "q"}]}'
            self.send_response(state.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            del args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def a_message() -> Message:
    offer = uuid4()
    return Message(
        key=uuid4(),
        subject_ja="お仕事のお知らせ",
        subject_en="A job offer",
        body_ja="お仕事のお知らせです。「梨の袋かけ」",
        body_en="A job for you.",
        page_url="http://127.0.0.1:8002/w/token",
        postback={"offer_id": str(offer)},
    )


CONTACT = Contact(
    channels=("line", "sms", "web"), phone="090-1234-5678", line_user_id="U" + "a" * 32
)


def test_line_push_carries_the_retry_key_and_our_signed_buttons() -> None:
    message = a_message()
    with provider() as (url, line):
        sender = LineSender(
            LineSettings(access_token="t0ken", channel_secret="s", api_host=url), SIGNING
        )
        delivery = sender.send(message, CONTACT)

    assert delivery.outcome is Outcome.SENT
    [(path, headers, body)] = line.requests
    assert path == "/v2/bot/message/push"
    assert headers["X-Line-Retry-Key"] == str(message.key)
    assert headers["Authorization"] == "Bearer t0ken"
    pushed = json.loads(body)
    assert pushed["to"] == CONTACT.line_user_id
    actions = pushed["messages"][0]["template"]["actions"]
    answers = [read_postback(SIGNING, a["data"]) for a in actions if a["type"] == "postback"]
    assert [accept for _, accept in answers] == [True, False]
    assert actions[-1]["uri"] == message.page_url


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (409, Outcome.SENT),
        (429, Outcome.FAILED),
        (500, Outcome.FAILED),
        (400, Outcome.UNDELIVERABLE),
    ],
)
def test_line_answers_map_to_sent_retry_or_give_up(status: int, outcome: Outcome) -> None:
    with provider(status) as (url, _):
        sender = LineSender(
            LineSettings(access_token="t", channel_secret="s", api_host=url), SIGNING
        )
        assert sender.send(a_message(), CONTACT).outcome is outcome


def test_sms_posts_a_short_text_with_the_page_link() -> None:
    message = a_message()
    settings = SmsSettings(base_url="", account="AC1", token="tok", sender="+815000000000")
    with provider(201) as (url, sms):
        delivery = SmsSender(SmsSettings(**{**settings.__dict__, "base_url": url})).send(
            message, CONTACT
        )

    assert delivery.outcome is Outcome.SENT
    [(path, headers, body)] = sms.requests
    assert path == "/Accounts/AC1/Messages.json"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"AC1:tok").decode()
    assert headers["Idempotency-Key"] == str(message.key)
    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert form["To"] == "+819012345678"
    assert message.page_url in form["Body"]


def test_without_a_provider_or_a_number_sms_is_undeliverable() -> None:
    assert SmsSender(None).send(a_message(), CONTACT).outcome is Outcome.UNDELIVERABLE
    settings = SmsSettings(base_url="http://127.0.0.1:9", account="a", token="t", sender="s")
    no_phone = Contact(channels=("sms",))
    assert SmsSender(settings).send(a_message(), no_phone).outcome is Outcome.UNDELIVERABLE
