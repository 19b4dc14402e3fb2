"""Escalation down each worker's channels: real SMTP, failing SMTP, the call list, reminders."""

from datetime import timedelta
from pathlib import Path
from uuid import uuid4

from backbone.clock import FixedClock
from notify.bootstrap import Notify
from notify.channels.base import Contact, Sender
from notify.channels.email import EmailSender, SmtpSettings
from notify.channels.line import LineSender
from notify.channels.sms import SmsSender
from notify.commands.answer_offer import answer_offer
from notify.domain.offer import Outcome
from tests.support.smtp import smtp_server
from tests.unit.notify.support import (
    Book,
    accepted,
    cancelled,
    in_memory_notify,
    offered,
    react,
    refused,
)

WORKER = uuid4()


def notify_with(tmp_path: Path, book: Book, smtp_port: int | None) -> Notify:
    smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, timeout_s=2) if smtp_port else None
    senders: dict[str, Sender] = {
        "email": EmailSender(smtp),
        "line": LineSender(None, signing_secret="s" * 32),
        "sms": SmsSender(None),
    }
    return in_memory_notify(tmp_path, senders=senders, book=book)


def attempts(notify: Notify, offer_id: object) -> list[tuple[str, Outcome]]:
    card = notify.app.board.offers[offer_id]  # type: ignore[index]
    return [(channel, outcome) for channel, outcome, _ in card.attempts]


def test_an_offer_is_emailed_once_with_its_page_link(tmp_path: Path) -> None:
    book = Book()
    book.contacts[WORKER] = Contact(channels=("email", "web"), email="hanako@example.jp")
    with smtp_server() as (port, mailbox):
        notify = notify_with(tmp_path, book, port)
        offer = offered(WORKER)
        react(notify, offer)

        notify.dispatcher.tick()
        notify.dispatcher.tick()

    assert attempts(notify, offer.offer_id) == [("web", Outcome.SENT), ("email", Outcome.SENT)]
    [mail] = mailbox.messages
    assert mail["To"] == "hanako@example.jp"
    assert "お仕事のお知らせ" in str(mail["Subject"])
    body = mail.get_content()
    assert "梨の袋かけ" in body
    assert f"/offers/{offer.offer_id}" in body


def test_with_email_failing_the_offer_is_retried_then_put_on_the_call_list(
    tmp_path: Path,
) -> None:
    book = Book()
    book.contacts[WORKER] = Contact(channels=("email", "web"), email="hanako@example.jp")
    with smtp_server() as (port, _):
        closed_port = port  # the server stops below: nothing listens there any more
    notify = notify_with(tmp_path, book, closed_port)
    assert isinstance(notify.clock, FixedClock)
    offer = offered(WORKER)
    react(notify, offer)

    for _ in range(notify.settings.escalation.max_attempts + 2):
        notify.dispatcher.tick()
        notify.clock.advance(timedelta(minutes=30))

    tried = attempts(notify, offer.offer_id)
    assert tried.count(("email", Outcome.FAILED)) == notify.settings.escalation.max_attempts
    assert [card.offer_id for card in notify.app.board.call_list(offer.tenant)] == [offer.offer_id]


def test_channels_without_a_provider_are_recorded_undeliverable_and_skipped(
    tmp_path: Path,
) -> None:
    book = Book()
    book.contacts[WORKER] = Contact(
        channels=("line", "sms", "web"), phone="090-1234-5678", line_user_id="U" + "0" * 32
    )
    notify = notify_with(tmp_path, book, None)
    offer = offered(WORKER)
    react(notify, offer)

    for _ in range(4):
        notify.dispatcher.tick()

    assert attempts(notify, offer.offer_id) == [
        ("web", Outcome.SENT),
        ("line", Outcome.UNDELIVERABLE),
        ("sms", Outcome.UNDELIVERABLE),
    ]
    assert notify.app.board.offers[offer.offer_id].on_call_list


def test_a_worker_who_prefers_the_phone_goes_straight_to_the_call_list(tmp_path: Path) -> None:
    book = Book()
    book.contacts[WORKER] = Contact(channels=("phone", "web"), phone="0837-52-0000")
    notify = notify_with(tmp_path, book, None)
    offer = offered(WORKER)
    react(notify, offer)

    notify.dispatcher.tick()

    assert notify.app.board.offers[offer.offer_id].on_call_list


def test_an_offer_already_taken_by_this_worker_is_not_sent_again(tmp_path: Path) -> None:
    book = Book()
    book.contacts[WORKER] = Contact(channels=("email", "web"), email="hanako@example.jp")
    with smtp_server() as (port, mailbox):
        notify = notify_with(tmp_path, book, port)
        offer = offered(WORKER)
        react(notify, offer, accepted(offer))

        notify.dispatcher.tick()

    subjects = [str(m["Subject"]) for m in mailbox.messages]
    assert not [s for s in subjects if "お仕事のお知らせ" in s]  # no offer, only the confirmation
    assert len(subjects) == 1


def test_the_task_is_confirmed_once_then_reminded_the_day_before(tmp_path: Path) -> None:
    book = Book()
    book.contacts[WORKER] = Contact(channels=("email", "web"), email="hanako@example.jp")
    with smtp_server() as (port, mailbox):
        notify = notify_with(tmp_path, book, port)
        assert isinstance(notify.clock, FixedClock)
        offer = offered(WORKER)
        react(notify, offer, accepted(offer))
        notify.dispatcher.tick()
        notify.dispatcher.tick()
        confirmed = list(mailbox.messages)
        notify.clock.at = offer.starts_at - timedelta(hours=20)

        notify.dispatcher.tick()
        notify.dispatcher.tick()

    [confirmation] = confirmed
    assert "お仕事が決まりました" in str(confirmation["Subject"])
    assert "時給 1,050円" in confirmation.get_content()
    assert "軍手、長靴" in confirmation.get_content()
    [_, reminder] = mailbox.messages
    assert "お仕事の日のお知らせ" in str(reminder["Subject"])


def test_a_cancellation_after_acceptance_is_told_to_the_worker(tmp_path: Path) -> None:
    book = Book()
    book.contacts[WORKER] = Contact(channels=("email", "web"), email="hanako@example.jp")
    with smtp_server() as (port, mailbox):
        notify = notify_with(tmp_path, book, port)
        offer = offered(WORKER)
        react(notify, offer, accepted(offer))
        notify.dispatcher.tick()
        react(notify, cancelled(offer))

        notify.dispatcher.tick()
        notify.dispatcher.tick()

    subjects = [str(m["Subject"]) for m in mailbox.messages]
    assert len(subjects) == 2
    assert "お仕事がなくなりました" in subjects[1]


def test_a_yes_that_came_too_late_is_answered_kindly_once(tmp_path: Path) -> None:
    book = Book()
    book.contacts[WORKER] = Contact(channels=("email", "web"), email="hanako@example.jp")
    with smtp_server() as (port, mailbox):
        notify = notify_with(tmp_path, book, port)
        offer = offered(WORKER)
        react(notify, offer)
        notify.dispatcher.tick()  # the offer itself
        answer_offer(
            notify.app,
            offer.offer_id,
            tenant=offer.tenant,
            worker_id=WORKER,
            accept=True,
            channel="email",
            now=notify.clock.now(),
        )
        react(notify, refused(offer))

        notify.dispatcher.tick()
        notify.dispatcher.tick()

    subjects = [str(m["Subject"]) for m in mailbox.messages]
    assert len(subjects) == 2
    assert "ほかの人に決まりました" in subjects[1]
