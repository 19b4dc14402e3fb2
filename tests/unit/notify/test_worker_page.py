"""The worker page over HTTP: offers, answers exactly once, late answers, check-in and out."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.testing import TestClient

from backbone.auth import Role, issue_token
from backbone.clock import FixedClock
from backbone.flow import envelope_of
from contracts.notify import OfferAccepted, OfferDeclined, WorkerCheckedIn, WorkerCheckedOut
from contracts.values import Channel, WithdrawalReason
from notify.bootstrap import Notify
from notify.domain.job import job_id
from notify.http.app import create_app
from notify.links import make_link_token
from notify.messaging.translate import to_contract
from tests.unit.notify.support import (
    NOW,
    TENANT,
    accepted,
    in_memory_notify,
    offered,
    react,
    refused,
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


def published(notify: Notify) -> list[object]:
    notes = notify.app.recorder.select_notifications(1, 10_000)
    events = [notify.app.mapper.to_domain_event(n) for n in notes]
    found = [to_contract(e, envelope_of(e, default_tenant="?")) for e in events]
    return [f for f in found if f is not None]


def page_of(notify: Notify, worker: UUID = WORKER) -> str:
    return f"/w/{notify.link_token(worker, TENANT)}"


def test_the_page_shows_an_offer_with_furigana_and_big_buttons(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer)

    page = client.get(page_of(notify))

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "梨の袋かけ" in html
    assert "<ruby>仕事<rp>（</rp><rt>しごと</rt><rp>）</rp></ruby>" in html
    assert f"/offers/{offer.offer_id}/accept" in html
    assert "軍手、長靴" in html
    assert "1月19日（火） 9:00〜12:00" in html
    assert '<html lang="ja">' in html
    english = client.get(page_of(notify) + "?lang=en").text
    assert '<html lang="en">' in english
    assert "Accept" in english


def test_pressing_accept_twice_publishes_one_answer(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer)
    base = page_of(notify)

    first = client.post(f"{base}/offers/{offer.offer_id}/accept", follow_redirects=False)
    second = client.post(f"{base}/offers/{offer.offer_id}/accept")
    third = client.post(f"{base}/offers/{offer.offer_id}/decline")

    assert first.status_code == 303
    assert second.status_code == 200
    assert "うける" in second.text
    assert third.status_code == 200
    answers = [e for e in published(notify) if isinstance(e, OfferAccepted | OfferDeclined)]
    assert len(answers) == 1
    assert isinstance(answers[0], OfferAccepted)
    assert answers[0].channel is Channel.WEB
    assert answers[0].tenant == TENANT
    assert answers[0].task_id == offer.task_id


def test_a_late_yes_gets_a_kind_already_taken_page_and_publishes_nothing(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer, withdrawn(offer, WithdrawalReason.TASK_TAKEN))

    response = client.post(f"{page_of(notify)}/offers/{offer.offer_id}/accept")

    assert response.status_code == 200
    assert "ほかの" in response.text
    assert 'data-state="taken"' in response.text
    assert not [e for e in published(notify) if isinstance(e, OfferAccepted)]


def test_a_refused_yes_turns_the_offer_to_already_taken(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer)
    client.post(f"{page_of(notify)}/offers/{offer.offer_id}/accept")
    react(notify, refused(offer))

    response = client.get(f"{page_of(notify)}/offers/{offer.offer_id}")

    assert 'data-state="taken"' in response.text


def test_check_in_and_out_are_published_once_each(client: TestClient[Any], notify: Notify) -> None:
    starts = NOW + timedelta(minutes=30)  # inside the check-in window: an hour before the start
    offer = offered(WORKER, starts_at=starts, ends_at=starts + timedelta(hours=3))
    react(notify, offer)
    client.post(f"{page_of(notify)}/offers/{offer.offer_id}/accept")
    react(notify, accepted(offer))
    job = job_id(offer.task_id, WORKER)
    base = page_of(notify)
    assert isinstance(notify.clock, FixedClock)

    client.post(f"{base}/jobs/{job}/check-in")
    client.post(f"{base}/jobs/{job}/check-in")
    notify.clock.advance(timedelta(minutes=175))
    out = client.post(f"{base}/jobs/{job}/check-out", data={"minutes": "178"})
    client.post(f"{base}/jobs/{job}/check-out", data={"minutes": "200"})

    assert out.status_code == 200
    facts = published(notify)
    ins = [e for e in facts if isinstance(e, WorkerCheckedIn)]
    outs = [e for e in facts if isinstance(e, WorkerCheckedOut)]
    assert len(ins) == 1
    assert len(outs) == 1
    assert outs[0].reported_minutes == 178
    assert ins[0].checked_in_at == NOW


def test_another_workers_link_cannot_answer_this_offer(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer)

    response = client.post(f"{page_of(notify, uuid4())}/offers/{offer.offer_id}/accept")

    assert response.status_code == 404
    assert not [e for e in published(notify) if isinstance(e, OfferAccepted)]


@pytest.mark.parametrize("kind", ["forged", "expired", "api-token"])
def test_bad_links_get_a_403_page(client: TestClient[Any], notify: Notify, kind: str) -> None:
    if kind == "forged":
        token = make_link_token(
            "an entirely different signing key",
            worker_id=WORKER,
            tenant=TENANT,
            now=NOW,
            lifetime=timedelta(days=1),
        )
    elif kind == "expired":
        token = make_link_token(
            notify.jwt_key,
            worker_id=WORKER,
            tenant=TENANT,
            now=NOW - timedelta(days=30),
            lifetime=timedelta(days=1),
        )
    else:
        token = issue_token(notify.jwt_key, tenant=TENANT, role=Role.WORKER, subject=WORKER)

    response = client.get(f"/w/{token}")

    assert response.status_code == 403
    assert "リンク" in response.text


def test_a_coordinator_records_a_phone_answer_as_the_workers(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer)
    coordinator = uuid4()
    token = issue_token(notify.jwt_key, tenant=TENANT, role=Role.COORDINATOR, subject=coordinator)

    response = client.post(
        f"/offers/{offer.offer_id}/phone-answer",
        json={"accept": True},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200
    assert response.json()["result"] == "recorded"
    [answer] = [e for e in published(notify) if isinstance(e, OfferAccepted)]
    assert answer.channel is Channel.PHONE
    assert answer.recorded_by == coordinator


def test_phone_answers_need_a_coordinator_and_valid_input(
    client: TestClient[Any], notify: Notify
) -> None:
    offer = offered(WORKER)
    react(notify, offer)
    worker = issue_token(notify.jwt_key, tenant=TENANT, role=Role.WORKER, subject=WORKER)
    coordinator = issue_token(notify.jwt_key, tenant=TENANT, role=Role.COORDINATOR, subject=uuid4())
    url = f"/offers/{offer.offer_id}/phone-answer"

    as_worker = client.post(
        url, json={"accept": True}, headers={"Authorization": f"Bearer {worker}"}
    )
    bad = client.post(
        url, json={"accept": "yes"}, headers={"Authorization": f"Bearer {coordinator}"}
    )
    future = client.post(
        url,
        json={"accept": True, "answered_at": (NOW + timedelta(days=1)).isoformat()},
        headers={"Authorization": f"Bearer {coordinator}"},
    )
    unknown = client.post(
        f"/offers/{uuid4()}/phone-answer",
        json={"accept": True},
        headers={"Authorization": f"Bearer {coordinator}"},
    )

    assert as_worker.status_code == 403
    assert bad.status_code == 400
    assert future.status_code == 422
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
