"""`conbini up` runs the embedded NATS with streams, reports health, stops and resumes."""

import json
import os
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from backbone.nats_server import NatsServer, free_port, port_is_open
from backbone.nats_users import OPERATOR, USERS, USERS_DIR
from backbone.runtime import connect_once
from tests.support.processes import RunningCommand
from tests.support.town import connect_as, login_url
from tests.support.waiting import eventually

CONBINI = [sys.executable, "-m", "conbini"]


@pytest.fixture
def up_env(tmp_path: Path) -> dict[str, str]:
    return {
        "CONBINI_DATA_DIR": str(tmp_path / "data"),
        "CONBINI_NATS_PORT": str(free_port()),
        "CONBINI_NATS_MONITOR_PORT": str(free_port()),
        "CONBINI_BROKER_PORT": str(free_port()),
        "CONBINI_NOTIFY_PORT": str(free_port()),
        "CONBINI_PAYOUT_PORT": str(free_port()),
    }


@pytest.fixture
def conbini_up(up_env: dict[str, str], tmp_path: Path) -> Iterator[RunningCommand]:
    command = RunningCommand([*CONBINI, "up"], env=up_env, cwd=tmp_path)
    yield command
    command.kill()


def nats_url(env: dict[str, str], user: str = OPERATOR) -> str:
    plain = f"nats://127.0.0.1:{env['CONBINI_NATS_PORT']}"
    return login_url(plain, Path(env["CONBINI_DATA_DIR"]), user)


def connected_users(env: dict[str, str]) -> set[str]:
    """The NATS user of every client connected to the embedded server (from /connz)."""
    url = f"http://127.0.0.1:{env['CONBINI_NATS_MONITOR_PORT']}/connz?auth=true&limit=1024"
    with urllib.request.urlopen(url, timeout=2) as response:
        return {conn.get("authorized_user", "") for conn in json.load(response)["connections"]}


async def last_seq(url: str, stream: str) -> int:
    client = await nats.connect(servers=[url])
    try:
        info = await client.jetstream().stream_info(stream)
        return int(info.state.last_seq)
    finally:
        await client.close()


async def test_up_reports_health_and_data_survives_when_stopped_and_started_again(
    up_env: dict[str, str], conbini_up: RunningCommand, tmp_path: Path
) -> None:
    conbini_up.wait_for("Press Ctrl-C", timeout=120)
    assert any("JetStream on" in line for line in conbini_up.lines)
    for stream in ("BROKER", "NOTIFY", "PAYOUT", "DEADLETTER"):
        assert any(f"stream     {stream}" in line for line in conbini_up.lines)
    users = Path(up_env["CONBINI_DATA_DIR"]) / USERS_DIR
    assert {path.stem for path in users.iterdir()} == set(USERS)
    assert {path.stat().st_mode & 0o777 for path in users.iterdir()} == {0o600}
    config = Path(up_env["CONBINI_DATA_DIR"]) / "nats" / "nats-server.conf"
    assert config.stat().st_mode & 0o777 == 0o600, "the server's config holds the passwords"
    anonymous = f"nats://127.0.0.1:{up_env['CONBINI_NATS_PORT']}"
    assert await connect_once([anonymous], timeout_s=2) is None, "no anonymous clients"
    await eventually(
        lambda: connected_users(up_env) >= set(USERS), within=60, what="every service connected"
    )
    assert "" not in connected_users(up_env)
    client = await connect_as(nats_url(up_env, "broker"))
    ack = await client.jetstream().publish(
        "broker.task_offered.v1.mine", b"{}", headers={"Nats-Msg-Id": "broker:1"}
    )
    await client.close()

    assert conbini_up.interrupt() == 0
    assert any("stopped" in line for line in conbini_up.lines)
    assert not port_is_open("127.0.0.1", int(up_env["CONBINI_NATS_PORT"]))

    again = RunningCommand([*CONBINI, "up"], env=up_env, cwd=tmp_path)
    try:
        again.wait_for("Press Ctrl-C", timeout=120)
        assert await last_seq(nats_url(up_env), "BROKER") == ack.seq
        assert again.interrupt() == 0
    finally:
        again.kill()


async def test_up_restarts_nats_when_the_embedded_server_is_killed(
    up_env: dict[str, str], conbini_up: RunningCommand
) -> None:
    conbini_up.wait_for("Press Ctrl-C", timeout=120)
    pid_file = Path(up_env["CONBINI_DATA_DIR"]) / "nats" / "nats-server.pid"
    first_pid = int(pid_file.read_text())

    os.kill(first_pid, 9)

    conbini_up.wait_for("restarting it")

    def healthy_again() -> bool:
        url = f"http://127.0.0.1:{up_env['CONBINI_NATS_MONITOR_PORT']}/healthz?js-enabled-only=true"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    await eventually(healthy_again, within=20, what="the embedded NATS to come back")
    assert int(pid_file.read_text()) != first_pid
    assert conbini_up.interrupt() == 0, "\n".join(conbini_up.lines)


async def test_up_uses_the_named_nats_when_given_one(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    env = {
        "CONBINI_DATA_DIR": str(tmp_path / "data"),
        "CONBINI_BROKER_PORT": str(free_port()),
        "CONBINI_NOTIFY_PORT": str(free_port()),
        "CONBINI_PAYOUT_PORT": str(free_port()),
    }
    command = RunningCommand([*CONBINI, "up", "--nats", nats_server.url], env=env, cwd=tmp_path)
    try:
        command.wait_for("Press Ctrl-C", timeout=120)
        assert any(nats_server.url in line for line in command.lines)
        assert not (tmp_path / "data" / "nats").exists()
        assert not (tmp_path / "data" / USERS_DIR).exists(), "nothing generated for it"
        assert await last_seq(nats_server.url, "NOTIFY") >= 0
        assert command.interrupt() == 0
    finally:
        command.kill()
        shutil.rmtree(tmp_path / "data", ignore_errors=True)


def test_up_explains_and_exits_when_the_port_is_taken(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    env = {
        "CONBINI_DATA_DIR": str(tmp_path / "data"),
        "CONBINI_NATS_PORT": str(nats_server.config.port),
        "CONBINI_NATS_MONITOR_PORT": str(free_port()),
    }
    command = RunningCommand([*CONBINI, "up"], env=env, cwd=tmp_path)

    assert command.exit_code() == 2
    assert any("already in use" in line for line in command.lines)
