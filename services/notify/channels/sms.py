"""SMS through a provider adapter chosen by settings.

With no provider configured, every SMS is recorded undeliverable on that channel and
escalation continues: an offer is never silently dropped. The one adapter here speaks the
widely copied Twilio-style REST form (`POST {base}/Accounts/{account}/Messages.json`
with basic auth and `To`, `From`, `Body`), which several Japanese resellers also accept.
"""

import base64
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from notify.channels.base import Contact, Delivery, Message
from notify.domain.offer import Outcome

SMS_MAX_CHARS = 70  # one domestic message


@dataclass(frozen=True, kw_only=True)
class SmsSettings:
    """A Twilio-style provider."""

    base_url: str
    account: str
    token: str
    sender: str
    timeout_s: float = 10.0


def to_e164(phone: str) -> str:
    """090-1234-5678 → +819012345678."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("+"):
        return digits
    return "+81" + digits.removeprefix("0")


class SmsSender:
    """Sends a short text with the page link; the worker answers on the page."""

    name = "sms"

    def __init__(self, settings: SmsSettings | None) -> None:
        """No settings: recorded undeliverable."""
        self.settings = settings

    def send(self, message: Message, contact: Contact) -> Delivery:
        """Post the text to the provider."""
        if self.settings is None:
            return Delivery(Outcome.UNDELIVERABLE, "no SMS provider configured")
        if not contact.phone:
            return Delivery(Outcome.UNDELIVERABLE, "no phone number")
        s = self.settings
        body = f"{message.subject_ja[: SMS_MAX_CHARS - 1]}\n{message.page_url}"
        form = urllib.parse.urlencode(
            {"To": to_e164(contact.phone), "From": s.sender, "Body": body}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the configured provider's URL
            f"{s.base_url.rstrip('/')}/Accounts/{s.account}/Messages.json",
            data=form,
            headers={
                "Authorization": "Basic "
                + base64.b64encode(f"{s.account}:{s.token}".encode()).decode(),
                "Idempotency-Key": str(message.key),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=s.timeout_s):  # noqa: S310
                return Delivery(Outcome.SENT, "accepted by the SMS provider")
        except urllib.error.HTTPError as error:
            error.close()  # the response's socket
            if error.code == 429 or error.code >= 500:  # noqa: PLR2004 - rate limit
                return Delivery(Outcome.FAILED, f"SMS provider {error.code}")
            return Delivery(Outcome.UNDELIVERABLE, f"SMS provider refused: {error.code}")
        except OSError as error:
            return Delivery(Outcome.FAILED, f"SMS provider unreachable: {type(error).__name__}")
