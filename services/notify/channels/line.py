"""LINE Messaging API: push with postback buttons, and the webhook that takes the answers.

Pushes carry `X-Line-Retry-Key` (stable per offer and attempt), so a retry after a timeout
never sends twice (LINE answers 409 to a duplicate). Each postback's data names the offer
and the answer and is signed by notify, so the webhook needs no contact lookup: LINE's own
signature proves the request came from LINE, ours that we made the button.
"""

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode
from uuid import UUID

from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    ButtonsTemplate,
    Configuration,
    MessagingApi,
    PostbackAction,
    PushMessageRequest,
    TemplateMessage,
    URIAction,
)
from linebot.v3.webhooks import PostbackEvent

from notify.channels.base import Contact, Delivery, Message
from notify.domain.offer import Outcome

HTTP_CONFLICT = 409
HTTP_TOO_MANY = 429
HTTP_SERVER_ERROR = 500


@dataclass(frozen=True, kw_only=True)
class LineSettings:
    """A LINE official account's Messaging API channel."""

    access_token: str
    channel_secret: str
    api_host: str = "https://api.line.me"


@dataclass(frozen=True)
class PostbackAnswer:
    """An answer carried by a verified postback."""

    offer_id: UUID
    accept: bool
    redelivered: bool


class BadPostbackError(ValueError):
    """The postback's data was not made by notify."""


def postback_data(secret: str, offer_id: UUID, *, accept: bool) -> str:
    """The data of one button: offer, answer, and our signature (well under 300 chars)."""
    answer = "accept" if accept else "decline"
    mac = hmac.new(secret.encode(), f"{offer_id}:{answer}".encode(), hashlib.sha256)
    return urlencode({"o": str(offer_id), "a": answer, "s": mac.hexdigest()[:32]})


def read_postback(secret: str, data: str) -> tuple[UUID, bool]:
    """The offer and answer of a button we made.

    Raises:
        BadPostbackError: not ours, or altered.
    """
    fields = {k: v[0] for k, v in parse_qs(data).items()}
    try:
        offer_id, answer, signature = UUID(fields["o"]), fields["a"], fields["s"]
    except (KeyError, ValueError) as error:
        msg = "malformed postback data"
        raise BadPostbackError(msg) from error
    expected = postback_data(secret, offer_id, accept=answer == "accept")
    if answer not in ("accept", "decline") or not hmac.compare_digest(
        parse_qs(expected)["s"][0], signature
    ):
        msg = "postback data not signed by notify"
        raise BadPostbackError(msg)
    return offer_id, answer == "accept"


class LineSender:
    """Pushes an offer with 「うける」 and 「ことわる」 postback buttons."""

    name = "line"

    def __init__(self, settings: LineSettings | None, signing_secret: str) -> None:
        """No settings: recorded undeliverable."""
        self.settings = settings
        self.signing_secret = signing_secret

    def send(self, message: Message, contact: Contact) -> Delivery:
        """Push once with the retry key."""
        if self.settings is None:
            return Delivery(Outcome.UNDELIVERABLE, "no LINE channel configured")
        if not contact.line_user_id:
            return Delivery(Outcome.UNDELIVERABLE, "no LINE user id")
        actions: list[PostbackAction | URIAction] = []
        offer = message.postback.get("offer_id")
        if offer:
            for accept, label in ((True, "うける（Accept）"), (False, "ことわる（Decline）")):
                actions.append(
                    PostbackAction(
                        label=label,
                        data=postback_data(self.signing_secret, UUID(offer), accept=accept),
                        displayText=label,
                    )
                )
        actions.append(URIAction(label="くわしく（Details）", uri=message.page_url))
        template = ButtonsTemplate(
            title=message.subject_ja[:40], text=message.body_ja[:160], actions=actions
        )
        push = PushMessageRequest(
            to=contact.line_user_id,
            messages=[TemplateMessage(altText=message.subject_ja[:400], template=template)],
        )
        configuration = Configuration(
            host=self.settings.api_host, access_token=self.settings.access_token
        )
        client = ApiClient(configuration)
        try:
            MessagingApi(client).push_message(push, x_line_retry_key=str(message.key))
        except ApiException as error:
            return delivery_for_status(int(error.status or 0))
        except OSError as error:
            return Delivery(Outcome.FAILED, f"LINE unreachable: {type(error).__name__}")
        finally:
            client.rest_client.pool_manager.clear()  # the SDK leaves its sockets open
            client.close()
        return Delivery(Outcome.SENT, "pushed to LINE")


def delivery_for_status(status: int) -> Delivery:
    """What a LINE error status means for this attempt."""
    if status == HTTP_CONFLICT:
        return Delivery(Outcome.SENT, "already accepted by LINE (retry key)")
    if status in (0, HTTP_TOO_MANY) or status >= HTTP_SERVER_ERROR:
        return Delivery(Outcome.FAILED, f"LINE {status}")
    return Delivery(Outcome.UNDELIVERABLE, f"LINE refused: {status}")


def postback_answers(
    channel_secret: str, signing_secret: str, body: str, signature: str
) -> list[PostbackAnswer]:
    """The answers in one webhook call.

    Raises:
        InvalidSignatureError: the call did not come from LINE.
        BadPostbackError: a postback's data was not made by notify.
    """
    events = WebhookParser(channel_secret).parse(body, signature)
    answers = []
    for event in events if isinstance(events, list) else []:
        if isinstance(event, PostbackEvent):
            offer_id, accept = read_postback(signing_secret, event.postback.data)
            redelivered = bool(event.delivery_context and event.delivery_context.is_redelivery)
            answers.append(PostbackAnswer(offer_id, accept, redelivered))
    return answers


__all__ = [
    "BadPostbackError",
    "InvalidSignatureError",
    "LineSender",
    "LineSettings",
    "PostbackAnswer",
    "postback_answers",
    "postback_data",
]
