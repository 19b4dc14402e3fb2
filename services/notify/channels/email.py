"""Email over SMTP (secondary channel: weak for people who live on their phones)."""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from notify.channels.base import Contact, Delivery, Message
from notify.domain.offer import Outcome

PERMANENT_SMTP_CODES = range(500, 600)


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    """Where to hand mail over."""

    host: str
    port: int = 25
    sender: str = "shigoto-conbini@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_s: float = 10.0


class EmailSender:
    """Sends each message as a plain-text email, Japanese first."""

    name = "email"

    def __init__(self, settings: SmtpSettings | None) -> None:
        """No settings: every email is recorded undeliverable (and escalation goes on)."""
        self.settings = settings

    def render(self, message: Message, to: str) -> EmailMessage:
        """The email for one message."""
        mail = EmailMessage()
        mail["From"] = self.settings.sender if self.settings else "shigoto-conbini@localhost"
        mail["To"] = to
        mail["Subject"] = f"{message.subject_ja} / {message.subject_en}"
        mail["Message-ID"] = make_msgid(idstring=str(message.key), domain="shigoto-conbini")
        lines = [message.body_ja, ""]
        if message.accept_url:
            lines += ["▼ うける（Accept）", message.accept_url, ""]
        if message.decline_url:
            lines += ["▼ ことわる（Decline）", message.decline_url, ""]
        lines += ["▼ あなたのページ（Your page）", message.page_url, "", "----", message.body_en]
        mail.set_content("\n".join(lines), charset="utf-8")
        return mail

    def send(self, message: Message, contact: Contact) -> Delivery:
        """Hand the email to the SMTP server."""
        if self.settings is None:
            return Delivery(Outcome.UNDELIVERABLE, "no SMTP server configured")
        if not contact.email:
            return Delivery(Outcome.UNDELIVERABLE, "no email address")
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.username and s.password:
                    smtp.login(s.username, s.password)
                smtp.send_message(self.render(message, contact.email))
        except smtplib.SMTPRecipientsRefused as error:
            return Delivery(Outcome.UNDELIVERABLE, f"recipient refused: {error.recipients}")
        except smtplib.SMTPResponseException as error:
            outcome = (
                Outcome.UNDELIVERABLE if error.smtp_code in PERMANENT_SMTP_CODES else Outcome.FAILED
            )
            return Delivery(outcome, f"SMTP {error.smtp_code}")
        except (OSError, smtplib.SMTPException) as error:
            return Delivery(Outcome.FAILED, f"SMTP unreachable: {type(error).__name__}")
        return Delivery(Outcome.SENT, "handed to SMTP")
