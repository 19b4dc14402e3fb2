"""Problem details as RFC 9457 means them: type, a fixed title, ja-first detail, errors in words."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
import pytest
from eventsourcing.persistence import IntegrityError
from litestar import Litestar, get
from litestar.exceptions import InternalServerException
from litestar.testing import TestClient

from backbone.auth import ALGORITHM, Role, issue_token, load_or_create_key
from backbone.clock import FixedClock
from backbone.problems.handlers import ProblemCatalog
from backbone.problems.kinds import CHANGED_MEANWHILE, NOT_FOUND, prefers_english
from broker.bootstrap import Broker, build_broker
from broker.http.app import create_app as broker_app
from broker.http.problems import PROBLEMS as BROKER_PROBLEMS
from broker.settings import BrokerSettings
from notify.http.problems import PROBLEMS as NOTIFY_PROBLEMS
from notify.links import make_link_token
from payout.http.app import create_app as payout_app
from payout.http.problems import PROBLEMS as PAYOUT_PROBLEMS
from tests.support.api_bodies import bearer, job_request_json
from tests.support.people import personal_json
from tests.unit.payout.support import in_memory_payout

TENANT = "mine-wakuwaku"
NOW = datetime(2026, 10, 1, tzinfo=UTC)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
REGEX_BITS = ("regex", "^", "$", "\\d", "[a-z", "{0,", "(?:", "|")
DOCS = Path(__file__).resolve().parents[3] / "docs" / "problems.md"


@pytest.fixture
def broker(tmp_path: Path) -> Broker:
    return build_broker(BrokerSettings.in_memory(tmp_path / "jwt.key"), clock=FixedClock(NOW))


@pytest.fixture
def client(broker: Broker) -> Iterator[TestClient[Any]]:
    with TestClient(app=broker_app(broker)) as test_client:
        yield test_client


def auth(broker: Broker, role: Role = Role.REQUESTER) -> dict[str, str]:
    return bearer(load_or_create_key(broker.settings.jwt_key_file), role)


def japanese_first(text: str) -> bool:
    """The text opens in Japanese and has English after the ` / `."""
    head, _, tail = text.partition(" / ")
    return bool(JAPANESE.search(head)) and bool(re.search(r"[A-Za-z]{3}", tail))


def assert_problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{kind}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def test_a_missing_task_is_a_not_found_problem_with_the_domain_message_as_detail(
    client: TestClient[Any], broker: Broker
) -> None:
    task = uuid4()

    body = assert_problem(
        client.get(f"/tasks/{task}", headers=auth(broker, Role.COORDINATOR)), 404, "not-found"
    )

    assert body["title"] == "見つかりません / Not found"
    assert japanese_first(body["detail"])
    assert body["detail"].endswith(f"no task {task}")


def test_the_title_is_fixed_per_kind_and_never_the_exception_text(
    client: TestClient[Any], broker: Broker
) -> None:
    headers = auth(broker)
    window = client.post(
        "/job-requests", json=job_request_json(window_start=900, window_end=600), headers=headers
    )
    days = client.post(
        "/job-requests", json=job_request_json(ends_on="2026-10-01"), headers=headers
    )

    first = assert_problem(window, 422, "impossible-request")
    second = assert_problem(days, 422, "impossible-request")

    assert first["title"] == second["title"] == "できない 依頼です / Impossible request"
    assert first["detail"] != second["detail"]
    assert japanese_first(first["detail"])
    assert japanese_first(second["detail"])


def test_english_comes_first_when_accept_language_prefers_it(
    client: TestClient[Any], broker: Broker
) -> None:
    url = f"/tasks/{uuid4()}"
    coordinator = auth(broker, Role.COORDINATOR)

    default = client.get(url, headers=coordinator).json()
    english = client.get(url, headers=coordinator | {"Accept-Language": "en-GB,en;q=0.9"}).json()
    japanese = client.get(url, headers=coordinator | {"Accept-Language": "ja,en;q=0.8"}).json()

    assert english["title"] == "Not found / 見つかりません"
    assert english["detail"].startswith("no task")
    assert JAPANESE.search(english["detail"])  # English first, nothing dropped
    assert japanese == default
    assert japanese_first(default["detail"])


@pytest.mark.parametrize(
    ("header", "leads"),
    [
        ("", "ja"),
        ("ja", "ja"),
        ("en", "en"),
        ("en-US,en;q=0.9,ja;q=0.8", "en"),
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("en;q=0.5,ja;q=0.9", "ja"),
        ("fr,en;q=0.3", "en"),
        ("en;q=0", "ja"),
        ("*", "ja"),
    ],
)
def test_accept_language_decides_which_language_leads(header: str, leads: str) -> None:
    assert prefers_english(header) is (leads == "en")


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (job_request_json(starts_on="2026-13-45"), "starts_on", ["YYYY-MM-DD", "2026-12-14"]),
        (job_request_json(work_type="Harvest!"), "work_type", ["英小文字", "lowercase letters"]),
        (
            job_request_json(sector="mining"),
            "sector",
            ["agriculture_forestry", "tourism", "other", "one of"],
        ),
        (job_request_json(reward_kind="daily"), "reward_kind", ["hourly", "one of"]),
        (job_request_json(reward_yen="a lot"), "reward_yen", ["整数", "a whole number, not text"]),
        (job_request_json(reward_yen=-5), "reward_yen", ["1 以上", "at least 1"]),
        (job_request_json(title=""), "title", ["1 文字 以上", "at least 1 character"]),
        (job_request_json(spec={"steps": ["a", ""]}), "spec.steps[1]", ["at least 1 character"]),
        (job_request_json(surprise=1), "surprise", ["not a field"]),
        (
            {k: v for k, v in job_request_json().items() if k != "title"},
            "title",
            ["必須", "required"],
        ),
    ],
)
def test_invalid_input_lists_each_field_in_words_without_regular_expressions(
    client: TestClient[Any], broker: Broker, body: dict[str, object], field: str, words: list[str]
) -> None:
    problem = assert_problem(
        client.post("/job-requests", json=body, headers=auth(broker)), 400, "invalid-input"
    )

    [error] = problem["errors"]
    assert error["field"] == field
    assert japanese_first(error["message"])
    for word in words:
        assert word in error["message"], error["message"]
    for bit in REGEX_BITS:
        assert bit not in error["message"]
        assert bit not in problem["detail"].replace(" / ", " ")
    assert field in problem["detail"]


def test_a_choice_pattern_lists_its_values_and_nested_fields_get_their_path(
    client: TestClient[Any], broker: Broker
) -> None:
    body = {
        "personal": personal_json(),
        "sex": "alien",
        "constraints": {"weekly": {}},
    }
    nested = body | {"sex": "female", "personal": personal_json(phone="call me")}
    coordinator = auth(broker, Role.COORDINATOR)

    choice = client.post("/workers", json=body, headers=coordinator)
    phone = client.post("/workers", json=nested, headers=coordinator)

    [sex] = assert_problem(choice, 400, "invalid-input")["errors"]
    [number] = assert_problem(phone, 400, "invalid-input")["errors"]
    assert sex["field"] == "sex"
    assert "female, male, other, unstated" in sex["message"]
    assert number["field"] == "personal.phone"
    assert "090-1234-5678" in number["message"]
    assert not any(bit in number["message"] for bit in REGEX_BITS)


def test_a_month_pattern_in_a_query_or_path_is_described_in_words(tmp_path: Path) -> None:
    payout = in_memory_payout(tmp_path)
    token = issue_token(payout.jwt_key, tenant=TENANT, role=Role.ACCOUNTANT, subject=uuid4())
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app=payout_app(payout)) as payout_client:
        bad_id = payout_client.get("/rewards?worker_id=someone", headers=headers)
        bad_month = payout_client.post("/runs", json={"period": "March"}, headers=headers)

    [worker] = assert_problem(bad_id, 400, "invalid-input")["errors"]
    [period] = assert_problem(bad_month, 400, "invalid-input")["errors"]
    assert worker["field"] == "worker_id"
    assert "UUID" in worker["message"]
    assert period["field"] == "period"
    assert "YYYY-MM" in period["message"]
    assert "2026-12" in period["message"]
    assert not any(bit in period["message"] for bit in REGEX_BITS)


def test_an_unreadable_body_is_its_own_kind(client: TestClient[Any], broker: Broker) -> None:
    headers = auth(broker) | {"content-type": "application/json"}

    body = assert_problem(
        client.post("/job-requests", content=b'{"title": ', headers=headers),
        400,
        "unreadable-body",
    )

    assert japanese_first(body["detail"])


def test_a_worker_page_link_used_as_a_bearer_token_is_a_401_in_words(
    client: TestClient[Any], broker: Broker
) -> None:
    key = load_or_create_key(broker.settings.jwt_key_file)
    link = make_link_token(
        key,
        worker_id=uuid4(),
        tenant=TENANT,
        now=datetime.now(UTC),
        lifetime=timedelta(days=3),
    )

    response = client.get("/job-requests", headers={"Authorization": f"Bearer {link}"})

    body = assert_problem(response, 401, "unauthenticated")
    assert "'role'" not in response.text
    assert "KeyError" not in response.text
    assert japanese_first(body["detail"])
    assert "worker-page link" in body["detail"]
    assert "リンク" in body["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("missing", ["role", "tenant"])
def test_a_token_without_a_claim_is_refused_in_words_not_a_key_error(
    client: TestClient[Any], broker: Broker, missing: str
) -> None:
    key = load_or_create_key(broker.settings.jwt_key_file)
    claims = {"sub": str(uuid4()), "tenant": TENANT, "role": "coordinator", "exp": 4102444800}
    del claims[missing]
    token = jwt.encode(claims, key, algorithm=ALGORITHM)

    response = client.get("/job-requests", headers={"Authorization": f"Bearer {token}"})

    body = assert_problem(response, 401, "unauthenticated")
    assert f"'{missing}'" not in response.text
    assert f"names no {missing}" in body["detail"]


def test_a_wrong_role_is_a_403_naming_the_roles_that_may(
    client: TestClient[Any], broker: Broker
) -> None:
    response = client.post(
        "/job-requests", json=job_request_json(), headers=auth(broker, Role.WORKER)
    )

    body = assert_problem(response, 403, "forbidden")
    assert japanese_first(body["detail"])
    assert "requester" in body["detail"]


def test_idempotency_and_size_refusals_are_problems_too(
    client: TestClient[Any], broker: Broker
) -> None:
    headers = auth(broker)
    bad_key = client.post(
        "/job-requests", json=job_request_json(), headers=headers | {"Idempotency-Key": "k" * 201}
    )
    client.post(
        "/job-requests", json=job_request_json(), headers=headers | {"Idempotency-Key": "a"}
    )
    reused = client.post(
        "/job-requests",
        json=job_request_json(title="栗の収穫"),
        headers=headers | {"Idempotency-Key": "a", "Accept-Language": "en"},
    )
    huge = client.post(
        "/job-requests", json=job_request_json(description="x" * (1024 * 1024 + 1)), headers=headers
    )

    assert japanese_first(assert_problem(bad_key, 400, "bad-idempotency-key")["detail"])
    assert assert_problem(reused, 422, "idempotency-key-reused")["title"].startswith("Idempotency")
    too_large = assert_problem(huge, 413, "body-too-large")
    assert too_large["max_bytes"] == 1024 * 1024
    assert japanese_first(too_large["detail"])


def test_an_unknown_path_and_method_are_problems(client: TestClient[Any], broker: Broker) -> None:
    assert_problem(client.get("/nothing-here", headers=auth(broker)), 404, "not-found")
    assert_problem(client.delete("/job-requests", headers=auth(broker)), 405, "method-not-allowed")


def test_an_unexpected_failure_is_a_500_problem_that_leaks_nothing() -> None:
    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        claim = "role"
        raise KeyError(claim)

    catalog = ProblemCatalog(errors={})
    app = Litestar(route_handlers=[boom], exception_handlers=catalog.handlers())
    with TestClient(app=app) as test_client:
        response = test_client.get("/boom")

    body = assert_problem(response, 500, "internal")
    assert "role" not in response.text
    assert japanese_first(body["detail"])


def test_a_server_errors_own_text_stays_in_the_log() -> None:
    @get("/down", sync_to_thread=False)
    def down() -> None:
        raise InternalServerException(detail="password=hunter2 at db.internal")

    app = Litestar(route_handlers=[down], exception_handlers=ProblemCatalog(errors={}).handlers())
    with TestClient(app=app) as test_client:
        response = test_client.get("/down")

    assert_problem(response, 500, "internal")
    assert "hunter2" not in response.text


def test_a_stores_conflict_is_explained_without_the_databases_words() -> None:
    @get("/write", sync_to_thread=False)
    def write() -> None:
        msg = "UNIQUE constraint failed: stored_events.originator_id"
        raise IntegrityError(msg)

    catalog = ProblemCatalog(errors={IntegrityError: CHANGED_MEANWHILE})
    app = Litestar(route_handlers=[write], exception_handlers=catalog.handlers())
    with TestClient(app=app) as test_client:
        response = test_client.get("/write")

    body = assert_problem(response, 409, "changed-meanwhile")
    assert "UNIQUE" not in response.text
    assert "stored_events" not in response.text
    assert japanese_first(body["detail"])


def test_each_service_serves_its_problem_pages_without_a_token(
    client: TestClient[Any],
) -> None:
    index = client.get("/problems")
    page = client.get("/problems/constraint-broken")
    unknown = client.get("/problems/no-such-kind")

    assert index.status_code == 200
    for kind in BROKER_PROBLEMS.kinds:
        assert kind.uri in index.text
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    assert page.text.index("条件") < page.text.index("The task breaks")
    assert_problem(unknown, 404, "not-found")


def test_docs_list_every_kind_every_service_reports() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for catalog in (BROKER_PROBLEMS, NOTIFY_PROBLEMS, PAYOUT_PROBLEMS):
        for kind in catalog.kinds:
            row = next((line for line in text.splitlines() if f"`{kind.uri}`" in line), "")
            assert f"| {kind.status} |" in row, kind.uri
            assert f"{kind.title.ja} / {kind.title.en}" in row, kind.uri


def test_kinds_are_unique_and_the_not_found_kind_is_shared() -> None:
    for catalog in (BROKER_PROBLEMS, NOTIFY_PROBLEMS, PAYOUT_PROBLEMS):
        slugs = [kind.slug for kind in catalog.kinds]
        assert len(slugs) == len(set(slugs))
        assert NOT_FOUND in catalog.kinds


def a_token(broker: Broker, kind: str) -> str:
    """A token that is refused for the reason `kind` names."""
    key = load_or_create_key(broker.settings.jwt_key_file)
    claims = {"sub": str(uuid4()), "tenant": TENANT, "role": "coordinator"}
    if kind == "expired":
        return jwt.encode(claims | {"exp": 1}, key, algorithm=ALGORITHM)
    if kind == "foreign key":
        return jwt.encode(claims | {"exp": 4_000_000_000}, "other" * 8, algorithm=ALGORITHM)
    if kind == "unknown role":
        return jwt.encode(
            claims | {"exp": 4_000_000_000, "role": "mayor"}, key, algorithm=ALGORITHM
        )
    return kind


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("abc", "it is not a token"),
        ("a.b.c", "it is not a token"),
        ("expired", "it has expired"),
        ("foreign key", "signature does not check out"),
        ("unknown role", "its role is none of"),
    ],
)
def test_a_refused_token_is_explained_in_words_not_in_the_librarys(
    client: TestClient[Any], broker: Broker, kind: str, words: str
) -> None:
    token = a_token(broker, kind)

    response = client.get(f"/tasks/{uuid4()}", headers={"Authorization": f"Bearer {token}"})

    problem = assert_problem(response, 401, "unauthenticated")
    assert words in problem["detail"]
    for library_text in ("segments", "Signature has expired", "Signature verification failed"):
        assert library_text not in problem["detail"]
