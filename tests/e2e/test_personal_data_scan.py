"""No personal data in the town's logs, on its bus, or in its store files (issue #9).

Three workers with distinctive details go through a whole month under `conbini up`: they
are registered and their details changed (health notes with consent), the accountant
records their bank accounts, a task is offered to all three over LINE, SMS and email
until it reaches the coordinator's call list, one worker says yes on their page, the
work is completed, the month is closed and its 全銀 file fetched, the transfer
confirmed. Then every file the town wrote (eleven service logs, the nats-server log,
SQLite stores with their -wal, JetStream's files), everything `conbini up` printed,
and every message of every stream (the dead-letter stream too) is searched for each
value in every encoding it could take. None may be there.

The same search must find the values where they belong — the coordinator's API, the
bank file, what the providers received — so a clean result means clean, not blind.
"""

import asyncio
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import uuid4

from nats.js.errors import NotFoundError

from conbini.quiet import wait_until_quiet
from payout.domain.zengin import zengin_kana
from tests.support.flows import opens, press
from tests.support.personal_scan import Finding, Scanner, Secret
from tests.support.smtp import Mailbox, smtp_server
from tests.support.town import Town, connect_as, running_town
from tests.support.waiting import eventually

LINE_SECRET = "a LINE channel secret for the scan"
FAST = {
    "CONBINI_OFFER_FANOUT": "3",
    "CONBINI_DISPATCH_EVERY_SECONDS": "0.2",
    "CONBINI_RETRY_BASE_SECONDS": "0.2",
    "CONBINI_ESCALATE_AFTER_MINUTES": "0.005",  # 0.3 s per channel
    "CONBINI_CALL_AFTER_MINUTES": "0.2",
}


@dataclass
class Provider:
    """A local server speaking LINE's or an SMS provider's API; keeps what it got."""

    url: str = ""
    bodies: list[bytes] = field(default_factory=list)


@contextmanager
def provider() -> Iterator[Provider]:
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.bodies.append(self.path.encode() + b"\n" + body)
            payload = b'{"sentMessages": [{"id": "1", "quoteToken": "q"}], "sid": "SM1"}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            del args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class Person:
    """One worker's distinctive details."""

    label: str
    name: str
    kana: str
    address: str
    health: str
    experience: str
    birth_date: str
    holder: str
    phone: str = field(
        default_factory=lambda: (
            f"080-{secrets.randbelow(9000) + 1000}-{secrets.randbelow(9000) + 1000}"
        )
    )
    email: str = field(default_factory=lambda: f"scan.{secrets.token_hex(6)}@example.jp")
    line_user_id: str = field(default_factory=lambda: "U" + secrets.token_hex(16))
    account: str = field(default_factory=lambda: str(9_000_000 + secrets.randbelow(999_999)))
    """Seven digits above any PID, so a logged process id is never mistaken for it."""

    def personal(self) -> dict[str, Any]:
        channels = ["line", "sms", "email", "phone"]
        return {
            "name": self.name,
            "kana": self.kana,
            "birth_date": self.birth_date,
            "phone": self.phone,
            "email": self.email,
            "line_user_id": self.line_user_id,
            "address": self.address,
            "channels": channels,
            "consent": {
                "personal_data": True,
                "contact": channels,
                "health_notes": True,
                "recorded_on": "2026-01-05",
            },
            "experience": self.experience,
            "health_notes": self.health,
        }

    def secrets(self) -> list[Secret]:
        """Each value, its parts of three characters or more, and its other spellings."""
        digits = self.phone.replace("-", "")
        values = {
            "name": self.name,
            "kana": self.kana,
            "address": self.address,
            "health notes": self.health,
            "experience": self.experience,
            "birth date": self.birth_date,
            "phone": self.phone,
            "phone digits": digits,
            "phone E.164": "+81" + digits.removeprefix("0"),
            "email": self.email,
            "LINE user id": self.line_user_id,
            "account number": self.account,
            "account holder": self.holder,
            "account holder (全銀)": zengin_kana(self.holder),
        }
        for what in ("name", "kana", "account holder", "account holder (全銀)"):
            for part in values[what].split():
                if len(part) >= 3:
                    values[f"{what} part {part}"] = part
        return [Secret(f"{self.label} {what}", value) for what, value in values.items()]


PEOPLE = [
    Person(
        label="worker-1",
        name="鬼灯沢 七海子",
        kana="ほおずきさわ ななみこ",
        address="山口県美祢市秋芳町秋吉 鬼灯台 9-87-1",
        health="腰痛あり 重い物は持てない（鬼灯沢メモ）",
        experience="梨の袋かけ 鬼灯の里で 12年",
        birth_date="1947-11-29",
        holder="ホオズキサワ ナナミコ",
    ),
    Person(
        label="worker-2",
        name="百目鬼 千鶴子",
        kana="どうめき ちづるこ",
        address="山口県美祢市美東町大田 百目鬼坂 4-3-21",
        health="花粉症 春は屋外作業を短めに（百目鬼メモ）",
        experience="栗拾い 百目鬼農園で 8年",
        birth_date="1951-06-17",
        holder="ドウメキ チヅルコ",
    ),
    Person(
        label="worker-3",
        name="勘解由小路 登美恵",
        kana="かでのこうじ とみえ",
        address="山口県美祢市東厚保町山中 勘解由台 77",
        health="膝の手術歴あり 坂道は避ける（勘解由メモ）",
        experience="椎茸の植菌 勘解由林で 20年",
        birth_date="1944-03-08",
        holder="カデノコウジ トミエ",
    ),
]


def raw_call(
    method: str, url: str, token: str, body: object = None, *, key: str | None = None
) -> bytes:
    """The raw response body; with an `Idempotency-Key` when `key` is given."""
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(  # noqa: S310 - loopback
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return bytes(response.read())


async def stream_messages(town: Town) -> tuple[list[tuple[str, bytes]], set[str]]:
    """Every stored message of every stream, raw: subject, headers and payload."""
    client = await connect_as(town.nats_url)  # the operator: reads every stream
    js = client.jetstream()
    found: list[tuple[str, bytes]] = []
    names: set[str] = set()
    try:
        for info in await js.streams_info():
            name = info.config.name or ""
            names.add(name)
            for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
                try:
                    message = await js.get_msg(name, seq=seq)
                except NotFoundError:  # deleted (KV updates, purges)
                    continue
                headers = "".join(f"{k}: {v}\n" for k, v in (message.headers or {}).items())
                raw = f"{message.subject}\n{headers}\n".encode() + (message.data or b"")
                found.append((f"{name} #{seq} {message.subject}", raw))
    finally:
        await client.close()
    return found, names


def described(findings: list[Finding]) -> str:
    return "\n".join(str(f) for f in findings[:40]) + (
        f"\n… and {len(findings) - 40} more" if len(findings) > 40 else ""
    )


def register(town: Town, person: Person) -> str:
    """Registered with the helper's defaults, then the full details (with health notes)."""
    basic = {k: v for k, v in person.personal().items() if k not in ("birth_date", "health_notes")}
    basic["consent"] = basic["consent"] | {"health_notes": False}
    [worker] = town.register_workers(1, **basic)
    raw_call(
        "PUT",
        f"{town.base}/workers/{worker}/personal",
        town.coordinator,
        person.personal(),
        key=str(uuid4()),
    )
    return worker


async def drive_a_month(
    town: Town, mailbox: Mailbox, line: Provider, sms: Provider
) -> tuple[dict[str, str], str, bytes]:
    """Register, offer over every channel, answer on the page, complete, pay; return
    the workers by label, the assigned one, and the bank file.
    """
    workers = {person.label: register(town, person) for person in PEOPLE}
    for person in PEOPLE:
        account = {
            "bank_code": "0005",
            "branch_code": "001",
            "account_type": 1,
            "number": person.account,
            "holder_kana": person.holder,
        }

        async def known_to_payout(
            worker: str = workers[person.label], body: object = account
        ) -> bool:
            try:
                raw_call(
                    "PUT",
                    f"{town.payout}/workers/{worker}/bank-account",
                    town.accountant,
                    body,
                    key=str(uuid4()),
                )
            except urllib.error.HTTPError as refused:
                refused.close()
                return False
            return True

        await eventually(known_to_payout, within=60, what="payout to know the worker")

    task = town.carve_one_task()
    assert len(task["offers"]) == len(PEOPLE)

    async def every_channel_tried() -> bool:
        calls = town.call("GET", "/call-list", town.coordinator, base=town.notify)
        return (
            len(line.bodies) >= len(PEOPLE)
            and len(sms.bodies) >= len(PEOPLE)
            and len(mailbox.messages) >= len(PEOPLE)
            and len(calls) == len(PEOPLE)
        )

    await eventually(every_channel_tried, within=90, what="LINE, SMS, email and the call list")
    chosen = next(o for o in task["offers"] if o["worker_id"] == workers["worker-2"])
    link = town.call(
        "POST", f"/workers/{chosen['worker_id']}/link", town.coordinator, base=town.notify
    )["url"]
    offer_page = f"{link}/offers/{chosen['offer_id']}"
    assert await asyncio.to_thread(opens, offer_page)
    await asyncio.to_thread(press, f"{offer_page}/accept")

    async def assigned() -> bool:
        seen = town.call("GET", f"/tasks/{task['id']}", town.coordinator)
        return bool(seen["status"] == "assigned")

    await eventually(assigned, within=60, what="the worker's yes to assign the task")
    town.confirm(task, worked_minutes=175)

    async def accrued() -> bool:
        return len(town.call("GET", "/rewards", town.accountant, base=town.payout)) == 1

    await eventually(accrued, within=60, what="the reward to accrue")
    period = town.month_ends(task)
    run = json.loads(
        raw_call(
            "POST",
            f"{town.payout}/runs",
            town.accountant,
            {"period": period},
            key=str(uuid4()),
        )
    )
    assert len(run["lines"]) == 1
    bank_file = raw_call("GET", f"{town.payout}/runs/{period}/files/1", town.accountant)
    raw_call(
        "POST",
        f"{town.payout}/runs/{period}/lines/1/confirmation",
        town.accountant,
        {"ok": True},
        key=str(uuid4()),
    )

    found = town.call("GET", f"/runs/{period}", town.accountant, base=town.payout)
    assert [line["status"] for line in found["lines"]] == ["paid"]
    # Every relay published and every inbox took in what was stored.
    await asyncio.to_thread(wait_until_quiet, [town.base, town.notify, town.payout])
    return workers, workers["worker-2"], bank_file


async def test_no_personal_data_in_logs_messages_or_stores(tmp_path: Path) -> None:
    scanner = Scanner(secret for person in PEOPLE for secret in person.secrets())
    by_label = {person.label: person for person in PEOPLE}
    with smtp_server() as (smtp_port, mailbox), provider() as line, provider() as sms:
        extra = FAST | {
            "CONBINI_SMTP_HOST": "127.0.0.1",
            "CONBINI_SMTP_PORT": str(smtp_port),
            "CONBINI_LINE_ACCESS_TOKEN": "line-token-for-the-scan",
            "CONBINI_LINE_CHANNEL_SECRET": LINE_SECRET,
            "CONBINI_LINE_API_HOST": line.url,
            "CONBINI_SMS_BASE_URL": sms.url,
            "CONBINI_SMS_ACCOUNT": "AC-scan",
            "CONBINI_SMS_TOKEN": "sms-token-for-the-scan",
            "CONBINI_SMS_FROM": "+815000000000",
        }
        towns = running_town(tmp_path, extra)
        town = next(towns)
        try:
            workers, paid_worker, bank_file = await drive_a_month(town, mailbox, line, sms)

            # Where the details belong, the same search finds them: it is not blind.
            for label, worker in workers.items():
                shown = raw_call("GET", f"{town.base}/workers/{worker}", town.coordinator)
                expected = {s.label for s in by_label[label].secrets()}
                expected -= {s for s in expected if "account" in s or "E.164" in s or "digits" in s}
                assert scanner.labels_in(shown) >= expected
            paid = next(p for p in PEOPLE if workers[p.label] == paid_worker)
            assert f"{paid.label} account holder (全銀)" in scanner.labels_in(bank_file)
            # Fixed-width: digits touch the number there, so the standalone rule cannot apply.
            assert paid.account.encode() in bank_file
            for person in PEOPLE:
                assert f"{person.label} LINE user id" in scanner.labels_in(b"".join(line.bodies))
                assert f"{person.label} phone E.164" in scanner.labels_in(b"".join(sms.bodies))
                assert f"{person.label} email" in scanner.labels_in(
                    b"".join(bytes(m) for m in mailbox.messages)
                )

            # Nowhere else: not on the bus, not in any file, while the town runs (-wal too) …
            messages, streams = await stream_messages(town)
            assert {"BROKER", "NOTIFY", "PAYOUT", "DEADLETTER"} <= streams
            findings = [f for where, raw in messages for f in scanner.scan(where, raw)]
            running, files = scanner.scan_tree(tmp_path)
            assert [f for f in files if f.endswith(".sqlite3-wal")], files  # the write-ahead logs
            findings += running
        finally:
            next(towns, None)  # Ctrl-C: the town stops and writes its last lines

        # … nor after it stopped (the logs complete, the write-ahead logs checkpointed).
        stopped, _ = scanner.scan_tree(tmp_path)
        logs = sorted(p.name for p in (tmp_path / "data" / "logs").glob("*.log"))
        assert len(logs) == 11, logs
        printed = "\n".join(town.command.lines).encode()
        findings += stopped + scanner.scan("conbini up output", printed)
        assert len(files) > 20, files
        assert not findings, described(findings)
