"""What the broker's facts about a job do to the worker's page: one card, one true state."""

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from backbone.flow import envelope_of
from contracts.broker import TaskOffered
from contracts.notify import WorkerCheckedIn
from contracts.values import WithdrawalReason
from notify.bootstrap import Notify
from notify.domain.job import Job, JobState, job_id
from notify.domain.offer import Closing, Offer
from notify.http.app import create_app
from notify.messages import TOKYO
from notify.messaging.translate import to_contract
from tests.unit.notify.support import (
    NOW,
    TENANT,
    accepted,
    assigned_directly,
    completed,
    disputed,
    in_memory_notify,
    no_show,
    offered,
    react,
    resolved,
    started,
    withdrawn,
)

WORKER = uuid4()


@pytest.fixture
def notify(tmp_path: Path) -> Notify:
    return in_memory_notify(tmp_path)


@pytest.fixture
def client(notify: Notify) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(notify)) as test_client:
        yield test_client


def soon(**overrides: Any) -> TaskOffered:
    """An offer of a shift that starts in 30 minutes: its check-in window is open."""
    starts = NOW + timedelta(minutes=30)
    return offered(WORKER, starts_at=starts, ends_at=starts + timedelta(hours=3), **overrides)


def page_of(notify: Notify) -> str:
    return f"/w/{notify.link_token(WORKER, TENANT)}"


def section(html: str, heading_id: str) -> str:
    """The HTML of one section of the page, found by its heading's id ("" when absent)."""
    found = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.DOTALL)
    return found.group(1) if found else ""


def published(notify: Notify) -> list[object]:
    notes = notify.app.recorder.select_notifications(1, 10_000)
    events = [notify.app.mapper.to_domain_event(n) for n in notes]
    found = [to_contract(e, envelope_of(e, default_tenant="?")) for e in events]
    return [f for f in found if f is not None]


def test_confirmed_work_moves_to_finished_work_with_its_time_and_pay(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = soon()
    react(notify, offer, accepted(offer), completed(offer, 175))
    job = job_id(offer.task_id, WORKER)

    html = client.get(page_of(notify)).text

    finished = section(html, "h-done")
    assert f'id="job-{job}"' in finished
    assert 'data-state="completed"' in finished
    assert "3,363円" in finished  # ¥1,050 × 175 min rounded up, plus ¥300 travel
    assert "300円 を ふくみます" in finished
    assert "よていの" not in finished  # no withholding on this kind of work
    assert f"/jobs/{job}/check-in" not in html
    assert f'id="job-{job}"' not in section(html, "h-jobs")
    assert html.count(f'id="job-{job}"') == 1
    assert f'id="offer-{offer.offer_id}"' not in html  # the job's card tells the story


def test_pay_that_may_have_tax_withheld_is_called_the_expected_amount(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = soon()
    react(notify, offer, accepted(offer), completed(offer, 180, withholding_applies=True))

    finished = section(client.get(page_of(notify)).text, "h-done")

    assert "よていの" in finished
    assert "3,450円" in finished


def test_a_disputed_job_says_its_pay_is_on_hold_and_its_settlement_shows_the_pay(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = soon()
    react(notify, offer, accepted(offer), completed(offer, 180), disputed(offer))
    on_hold = section(client.get(page_of(notify)).text, "h-done")

    react(notify, resolved(offer, 120))
    settled = section(client.get(page_of(notify)).text, "h-done")

    assert 'data-state="disputed"' in on_hold
    assert "円" not in on_hold  # no amount while it is on hold
    assert 'data-state="completed"' in settled
    assert "2,400円" in settled  # 120 minutes at ¥1,050, plus ¥300 travel


def test_a_no_show_takes_the_job_off_upcoming_work_with_one_kind_line(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = soon()
    react(notify, offer, accepted(offer), no_show(offer))
    job = job_id(offer.task_id, WORKER)

    html = client.get(page_of(notify)).text

    assert f'id="job-{job}"' not in section(html, "h-jobs")
    past = section(html, "h-past")
    assert 'data-state="no_show"' in past
    assert "とりけしに なりました" in past
    assert f"/jobs/{job}/check-in" not in html
    assert html.count(f'id="job-{job}"') == 1
    assert "ほかの" not in html
    due = notify.app.board.jobs_due_notice(NOW, timedelta(hours=24))
    assert [kind for kind, card in due if card.job_id == job] == []  # nor any notice


def test_a_direct_assignment_shows_title_place_and_times_and_never_taken(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = soon()  # the worker had an offer too; the coordinator assigned them by phone
    react(notify, offer, assigned_directly(offer), withdrawn(offer, WithdrawalReason.TASK_TAKEN))
    job = job_id(offer.task_id, WORKER)

    html = client.get(page_of(notify)).text

    upcoming = section(html, "h-jobs")
    assert f'id="job-{job}"' in upcoming
    assert "梨の袋かけ" in upcoming
    assert "於福町" in upcoming
    assert "軍手、長靴" in upcoming
    start = offer.starts_at.astimezone(TOKYO)
    assert f"{start.hour}:{start:%M}〜" in upcoming
    assert "ほかの" not in html
    assert f'id="offer-{offer.offer_id}"' not in html
    closed: object = notify.app.repository.get(offer.offer_id)
    assert isinstance(closed, Offer)
    assert closed.closing is Closing.ASSIGNED  # so no "it went to someone else" notice


def test_a_direct_assignment_notify_never_offered_still_gets_its_card(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = soon()
    react(notify, assigned_directly(offer))

    stored: object = notify.app.repository.get(job_id(offer.task_id, WORKER))

    assert isinstance(stored, Job)
    assert stored.shown["title"] == "梨の袋かけ"
    assert stored.shown["reward_yen"] == 1050
    assert stored.ends_at == offer.ends_at
    assert 'data-state="assigned"' in client.get(page_of(notify)).text


def test_a_coordinators_check_in_shows_the_job_started_and_the_page_publishes_nothing_more(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = soon()
    react(notify, offer, accepted(offer), started(offer, NOW))
    job = job_id(offer.task_id, WORKER)

    html = client.get(page_of(notify)).text
    pressed = client.post(f"{page_of(notify)}/jobs/{job}/check-in")

    assert 'data-state="checked_in"' in html
    assert pressed.status_code == 200
    assert not [e for e in published(notify) if isinstance(e, WorkerCheckedIn)]


def test_a_check_in_days_early_shows_no_button_and_is_refused_kindly(
    client: TestClient[Any], notify: Notify
) -> None:
    starts = NOW + timedelta(days=6)
    offer = offered(WORKER, starts_at=starts, ends_at=starts + timedelta(hours=3))
    react(notify, offer, accepted(offer))
    job = job_id(offer.task_id, WORKER)

    html = client.get(page_of(notify)).text
    refused = client.post(f"{page_of(notify)}/jobs/{job}/check-in")
    english = client.post(f"{page_of(notify)}/jobs/{job}/check-in?lang=en")

    assert f"/jobs/{job}/check-in" not in html
    assert "から おせます" in html
    assert refused.status_code == 422
    assert "<ruby>早<rp>（</rp><rt>はや</rt>" in refused.text
    assert "It is too early" in english.text
    assert not [e for e in published(notify) if isinstance(e, WorkerCheckedIn)]
    stored: object = notify.app.repository.get(job)
    assert isinstance(stored, Job)
    assert stored.state is JobState.ASSIGNED


def test_a_check_in_after_the_shift_ended_is_refused_and_says_to_call(
    client: TestClient[Any], notify: Notify
) -> None:
    starts = NOW - timedelta(hours=4)
    offer = offered(WORKER, starts_at=starts, ends_at=starts + timedelta(hours=3))
    react(notify, offer, accepted(offer))
    job = job_id(offer.task_id, WORKER)

    html = client.get(page_of(notify)).text
    refused = client.post(f"{page_of(notify)}/jobs/{job}/check-in")

    assert f"/jobs/{job}/check-in" not in html
    assert "<rt>じむきょく</rt>" in html
    assert refused.status_code == 422
    assert not [e for e in published(notify) if isinstance(e, WorkerCheckedIn)]


def test_pressing_check_in_on_a_confirmed_job_says_it_changed_and_records_nothing(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = soon()
    react(notify, offer, accepted(offer), completed(offer, 180))
    job = job_id(offer.task_id, WORKER)

    pressed = client.post(f"{page_of(notify)}/jobs/{job}/check-in")

    assert pressed.status_code == 409
    assert 'data-state="completed"' in pressed.text
    assert "はじめました" not in pressed.text
    assert not [e for e in published(notify) if isinstance(e, WorkerCheckedIn)]
