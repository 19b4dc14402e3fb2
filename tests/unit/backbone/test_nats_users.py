"""The NATS users and their permissions, derived from the catalog; logins read from settings."""

from pathlib import Path

import pytest

from backbone.nats_users import (
    OPERATOR,
    USERS,
    USERS_DIR,
    ensure_passwords,
    permissions_of,
    service_permissions,
)
from backbone.settings import nats_login_from
from conbini.settings import operator_login_env
from contracts.catalog import SERVICES, upstreams_of
from contracts.subjects import durable_name


def test_a_service_publishes_only_its_own_events_and_its_own_dead_letters() -> None:
    for service in SERVICES:
        allowed = service_permissions(service).publish
        events = [subject for subject in allowed if not subject.startswith("$JS.")]

        assert events[0] == f"{service}.>"
        assert all(s.startswith(f"deadletter.{service}-from-") for s in events[1:]), service


def test_a_service_reaches_only_its_own_durables_when_it_touches_consumers() -> None:
    for service in SERVICES:
        consumers = [s for s in service_permissions(service).publish if ".CONSUMER." in s]
        own = {durable_name(service, producer) for producer in upstreams_of(service)}

        assert consumers, service
        assert all(any(f".{durable}" in s for durable in own) for s in consumers), service
        assert not any(s.endswith((".*", ".>")) and ".CONSUMER.CREATE." not in s for s in consumers)


def test_no_service_may_create_update_or_delete_a_stream() -> None:
    for service in SERVICES:
        verbs = {s.split(".")[3] for s in service_permissions(service).publish if ".STREAM." in s}

        assert verbs <= {"INFO", "MSG"}, service


def test_the_operator_may_not_delete_streams_nor_publish_events() -> None:
    operator = permissions_of(OPERATOR)

    assert "$JS.API.STREAM.DELETE.>" in operator.publish_deny
    assert all(s.startswith("$JS.") for s in operator.publish)


def test_unknown_users_have_no_permissions() -> None:
    with pytest.raises(ValueError, match="no such service"):
        permissions_of("intruder")


def test_passwords_are_generated_once_private_and_kept(tmp_path: Path) -> None:
    first = ensure_passwords(tmp_path / USERS_DIR)
    again = ensure_passwords(tmp_path / USERS_DIR)

    assert first == again
    assert set(first) == set(USERS)
    assert len(set(first.values())) == len(USERS)
    assert (tmp_path / USERS_DIR).stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / USERS_DIR).iterdir()} == {0o600}


def test_no_user_means_an_anonymous_connection_when_nothing_is_set() -> None:
    assert nats_login_from({}) is None


def test_a_login_reads_its_password_from_env_then_file_then_the_data_dir(tmp_path: Path) -> None:
    passwords = ensure_passwords(tmp_path / USERS_DIR)
    secret = tmp_path / "mounted"
    secret.write_text("from-a-secret\n")
    data = {"CONBINI_DATA_DIR": str(tmp_path)}

    given = nats_login_from(
        {**data, "CONBINI_NATS_USER": "broker", "CONBINI_NATS_PASSWORD": "s3cret-word"}
    )
    mounted = nats_login_from(
        {"CONBINI_NATS_USER": "notify", "CONBINI_NATS_PASSWORD_FILE": str(secret)}
    )
    generated = nats_login_from({**data, "CONBINI_NATS_USER": "payout"})

    assert given is not None
    assert given.password == "s3cret-word"
    assert mounted is not None
    assert mounted.password == "from-a-secret"
    assert generated is not None
    assert generated.password == passwords["payout"]
    assert "s3cret-word" not in repr(given), "passwords stay out of logs"
    assert generated.inbox_prefix == "_INBOX.payout"


def test_a_named_user_without_any_password_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no password"):
        nats_login_from({"CONBINI_DATA_DIR": str(tmp_path), "CONBINI_NATS_USER": "broker"})


def test_commands_act_as_the_operator_only_of_a_town_conbini_up_secured(tmp_path: Path) -> None:
    data = {"CONBINI_DATA_DIR": str(tmp_path)}
    before = operator_login_env(data)
    ensure_passwords(tmp_path / USERS_DIR)

    assert before == {}
    assert operator_login_env(data) == {"CONBINI_NATS_USER": OPERATOR}
    assert operator_login_env({**data, "CONBINI_NATS_USER": "auditor-bot"}) == {}
