"""The whole product under `conbini up` as real processes, and the calls people make to it."""

import json
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import nats
from nats.aio.client import Client

from backbone.auth import Role, issue_token, load_or_create_key
from backbone.clock import FileClock
from backbone.nats_server import free_port
from backbone.nats_users import OPERATOR, USERS_DIR, inbox_prefix, password_file
from conbini.settings import clock_file
from contracts.broker import BrokerEvent, broker_decoder
from tests.support.people import personal_json
from tests.support.processes import RunningCommand

TENANT = "mine-wakuwaku"
CONBINI = [sys.executable, "-m", "conbini"]
TOKYO = ZoneInfo("Asia/Tokyo")


class Town:
    """A running `conbini up --rehearsal` and the calls a requester and a coordinator make.

    The town runs on a rehearsal clock, so a test lives through a shift and a month's end
    the way people do: carve for the days ahead, move the clock past the shift, confirm.
    """

    def __init__(self, env: dict[str, str], command: RunningCommand) -> None:
        self.env = env
        self.command = command
        self.base = f"http://127.0.0.1:{env['CONBINI_BROKER_PORT']}"
        self.notify = f"http://127.0.0.1:{env['CONBINI_NOTIFY_PORT']}"
        self.payout = f"http://127.0.0.1:{env['CONBINI_PAYOUT_PORT']}"
        self.plain_nats_url = f"nats://127.0.0.1:{env['CONBINI_NATS_PORT']}"
        self.nats_url = self.nats_url_as(OPERATOR)
        """The embedded NATS as its operator (it reads every stream, publishes no event)."""
        key = load_or_create_key(Path(env["CONBINI_DATA_DIR"]) / "jwt.key")
        self.requester_id = uuid4()
        self.requester = issue_token(
            key, tenant=TENANT, role=Role.REQUESTER, subject=self.requester_id
        )
        self.coordinator = issue_token(key, tenant=TENANT, role=Role.COORDINATOR, subject=uuid4())
        self.accountant = issue_token(key, tenant=TENANT, role=Role.ACCOUNTANT, subject=uuid4())
        self.auditor = issue_token(key, tenant=TENANT, role=Role.AUDITOR, subject=uuid4())
        self.clock = FileClock(clock_file(Path(env["CONBINI_DATA_DIR"])))
        """The town's rehearsal clock: every process of the town reads it."""

    def now(self) -> datetime:
        """The town's now (the rehearsal clock)."""
        return self.clock.now()

    def move_clock_past(self, at: datetime) -> None:
        """Move the town's clock to just after `at` (never back)."""
        target = at + timedelta(minutes=1)
        if self.now() < target:
            self.clock.move_to(target)

    def confirm(self, task: dict[str, Any], worked_minutes: int) -> Any:
        """The shift ends; the requester confirms it (検収), finished at its end."""
        ends_at = datetime.fromisoformat(task["ends_at"])
        self.move_clock_past(ends_at)
        completion = {
            "completions": [
                {
                    "task_id": task["id"],
                    "worked_minutes": worked_minutes,
                    "finished_at": ends_at.isoformat(),
                }
            ]
        }
        return self.call("POST", "/completions", self.requester, completion)

    def month_ends(self, task: dict[str, Any]) -> str:
        """Move the clock into the month after the task's shift; return the shift's month."""
        ends = datetime.fromisoformat(task["ends_at"]).astimezone(TOKYO)
        first_of_next = (ends.replace(day=28) + timedelta(days=4)).replace(
            day=1, hour=10, minute=0, second=0, microsecond=0
        )
        self.move_clock_past(first_of_next)
        return f"{ends:%Y-%m}"

    def env_for_commands(self) -> dict[str, str]:
        """What a `conbini …` command needs to find this town's stores and NATS."""
        return {
            **os.environ,
            "CONBINI_DATA_DIR": self.env["CONBINI_DATA_DIR"],
            "CONBINI_NATS_URL": self.plain_nats_url,  # commands act as the operator
        }

    def nats_url_as(self, user: str) -> str:
        """The embedded NATS URL with one of its users' credentials (`conbini up` made them)."""
        return login_url(self.plain_nats_url, Path(self.env["CONBINI_DATA_DIR"]), user)

    def call(
        self, method: str, path: str, token: str, body: object = None, *, base: str | None = None
    ) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{base or self.base}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            raw = response.read()
            return json.loads(raw) if raw else None

    def register_workers(self, count: int, **personal: Any) -> list[str]:
        body = {
            "personal": personal_json(birth_date="1948-02-03", **personal),
            "sex": "female",
            "district": "ofuku",
            "skills": ["harvest"],
            "constraints": {
                "weekly": {str(day): [{"start": 0, "end": 1440}] for day in range(7)},
                "holidays_off": False,
                "home_district": "ofuku",
                "travel": "car",
                "max_travel_minutes": 60,
            },
        }
        return [self.call("POST", "/workers", self.coordinator, body)["id"] for _ in range(count)]

    def carve_one_task(self) -> dict[str, Any]:
        """A three-hour shift three days ahead of the town's clock, 10:00 in Tokyo."""
        start = (self.now() + timedelta(days=3)).replace(hour=1, minute=0, second=0, microsecond=0)
        request = {
            "title": "栗の収穫",
            "work_type": "harvest",
            "sector": "agriculture_forestry",
            "district": "ofuku",
            "starts_on": start.date().isoformat(),
            "ends_on": (start + timedelta(days=2)).date().isoformat(),
            "window_start": 0,
            "window_end": 1440,
            "volume_minutes": 180,
            "reward_kind": "hourly",
            "reward_yen": 1050,
        }
        job = self.call("POST", "/job-requests", self.requester, request)["id"]
        shift = {
            "job_request_id": job,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
        }
        task: dict[str, Any] = self.call("POST", "/tasks", self.coordinator, shift)
        return task


def login_url(url: str, data_dir: Path, user: str) -> str:
    """`url` carrying a user's password from a `conbini up` data dir (nats-py reads it)."""
    password = password_file(data_dir / USERS_DIR, user).read_text(encoding="utf-8").strip()
    return url.replace("nats://", f"nats://{user}:{password}@", 1)


async def connect_as(url: str) -> Client:
    """Connect with the user in `url`; a service's replies must come to its own inbox prefix."""
    user = urllib.parse.urlsplit(url).username
    return await nats.connect(servers=[url], inbox_prefix=inbox_prefix(user) if user else "_INBOX")


def running_town(tmp_path: Path, extra: Mapping[str, str]) -> Iterator[Town]:
    """Run `conbini up --rehearsal` with its own ports and data; stop it with Ctrl-C after."""
    env = {
        "CONBINI_DATA_DIR": str(tmp_path / "data"),
        "CONBINI_NATS_PORT": str(free_port()),
        "CONBINI_NATS_MONITOR_PORT": str(free_port()),
        "CONBINI_BROKER_PORT": str(free_port()),
        "CONBINI_NOTIFY_PORT": str(free_port()),
        "CONBINI_PAYOUT_PORT": str(free_port()),
        "CONBINI_DEMO_WORKER": "0",
        **extra,
    }
    command = RunningCommand([*CONBINI, "up", "--rehearsal"], env=env, cwd=tmp_path)
    try:
        command.wait_for("Press Ctrl-C", timeout=120)
        yield Town(env, command)
        assert command.interrupt() == 0
    finally:
        command.kill()


async def broker_events(url: str) -> list[BrokerEvent]:
    """Everything on the BROKER stream, decoded, in order."""
    client = await nats.connect(servers=[url])
    js = client.jetstream()
    info = await js.stream_info("BROKER")
    events: list[BrokerEvent] = []
    for seq in range(1, info.state.last_seq + 1):
        message = await js.get_msg("BROKER", seq=seq)
        assert message.data is not None
        events.append(broker_decoder.decode(message.data))
    await client.close()
    return events
