"""`conbini demo`: a synthetic town runs a month through the real services, then reports.

The town is built from the seed's figures (美祢市: 580 registrants, mostly 55–74, in the
seven situations the council serves) and its requesters (chestnut and pear harvests,
an inn on the Akiyoshi plateau, a care home, daily-life help, home-based packing). It
starts the whole marketplace as `conbini up` does (its own data directory and ports),
then, over HTTP like real people: requesters ask for work, coordinators carve it from the
broker's proposals, workers answer offers on their own pages (or by phone, through the
call list) as their situation makes plausible, requesters confirm the work day by day,
and the accountant pays the month. It prints the fiscal year's KPI table (the month's
work and this session's registrations both fall in it), the reconciliation and the
audit's verdicts. The month simulated is the previous calendar month, lived through on
the town's rehearsal clock (`conbini up --rehearsal`, which every process reads): it
starts the evening before the month's first day, when the work is asked for, carved and
answered; it then moves to each day's evening, when that day's work is confirmed (検収
only after a shift has started); at last it comes to the real now, so the payout run can
close the month. Deterministic for a given `--seed`, apart from ids and times.
"""

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from backbone.auth import Role, issue_token, load_or_create_key
from backbone.clock import FileClock, write_offset
from backbone.nats_server import free_port
from conbini.quiet import wait_until_quiet
from conbini.settings import clock_file

TOKYO = ZoneInfo("Asia/Tokyo")
TENANT = "mine-wakuwaku"
AGE_MIX = {(40, 54): 19, (55, 59): 96, (60, 64): 181, (65, 69): 145, (70, 74): 94, (75, 82): 45}
"""Registrants by age band (from the seed: workers per band ÷ their share of registrants)."""
DISTRICTS = ["omine", "isa", "ofuku", "toyotamae", "nishiatsu", "higashiatsu", "shuho", "mito"]
KANA = ["ヤマダ", "タナカ", "スズキ", "サトウ", "イトウ", "ワタナベ", "ナカムラ", "コバヤシ"]
GIVEN = ["ハナコ", "タロウ", "ミチコ", "ケンジ", "ヨシコ", "マサオ", "カズコ", "ヒロシ"]
Out = Callable[[str], None]


@dataclass(frozen=True)
class Persona:
    """One of the seven situations, and how it shapes constraints and answers."""

    name: str
    share: int
    windows: dict[int, list[tuple[int, int]]]
    travel: str
    max_load: str
    yes_rate: float
    phone: float
    """Share of these people who prefer to be phoned (the call list)."""
    weekly_cap_hours: int = 20
    style: str = "team_ok"


def weekdays(*window: tuple[int, int]) -> dict[int, list[tuple[int, int]]]:
    """The same windows Monday to Friday."""
    return {day: list(window) for day in range(5)}


PERSONAS = [
    Persona("older", 34, weekdays((8 * 60, 12 * 60)), "car", "medium", 0.7, 0.4),
    Persona("parent", 14, weekdays((9 * 60 + 30, 14 * 60)), "car", "medium", 0.5, 0.0),
    Persona(
        "carer",
        12,
        {0: [(9 * 60, 12 * 60)], 2: [(9 * 60, 12 * 60)], 4: [(13 * 60, 16 * 60)]},
        "bicycle",
        "light",
        0.5,
        0.2,
    ),
    Persona(
        "treatment",
        8,
        {1: [(10 * 60, 13 * 60)], 3: [(10 * 60, 13 * 60)]},
        "bus",
        "light",
        0.4,
        0.2,
        weekly_cap_hours=8,
    ),
    Persona(
        "withdrawn",
        6,
        {d: [(10 * 60, 17 * 60)] for d in range(7)},
        "none",
        "light",
        0.6,
        0.0,
        style="home_only",
    ),
    Persona("no_transport", 12, weekdays((9 * 60, 15 * 60)), "walk", "medium", 0.6, 0.3),
    Persona(
        "side_job", 14, {5: [(8 * 60, 17 * 60)], 6: [(8 * 60, 17 * 60)]}, "car", "heavy", 0.5, 0.0
    ),
]


@dataclass(frozen=True)
class Requester:
    """A farm, an inn, a care home … and what it asks for in the month."""

    name: str
    title: str
    work_type: str
    sector: str
    district: str | None
    window: tuple[int, int]
    hours: int
    load: str
    rate: int
    kind: str = "hourly"
    team: bool = True
    bring: tuple[str, ...] = ()


REQUESTERS = [
    Requester(
        "栗園",
        "栗の収穫",
        "harvest",
        "agriculture_forestry",
        "ofuku",
        (8 * 60, 12 * 60),
        120,
        "medium",
        1000,
        bring=("軍手", "長靴"),
    ),
    Requester(
        "梨園",
        "梨の袋かけ",
        "harvest",
        "agriculture_forestry",
        "higashiatsu",
        (8 * 60, 12 * 60),
        90,
        "medium",
        1000,
        bring=("帽子",),
    ),
    Requester(
        "秋芳の宿",
        "客室の清掃",
        "cleaning",
        "tourism",
        "shuho",
        (10 * 60, 15 * 60),
        70,
        "medium",
        1050,
    ),
    Requester(
        "介護施設",
        "配膳の手伝い",
        "care",
        "medical_welfare",
        "omine",
        (11 * 60, 14 * 60),
        50,
        "light",
        1000,
    ),
    Requester(
        "生活支援",
        "庭の草取り",
        "cleaning",
        "daily_life_services",
        "isa",
        (9 * 60, 12 * 60),
        40,
        "light",
        950,
    ),
    Requester(
        "封入作業",
        "チラシの封入",
        "packing",
        "other",
        None,
        (10 * 60, 16 * 60),
        30,
        "light",
        300,
        kind="fixed",
        team=False,
    ),
]


@dataclass
class Demo:
    """The running town and what the demo has done to it."""

    env: dict[str, str]
    process: subprocess.Popen[str]
    rng: random.Random
    key: str
    out: Out
    seed: int = 1
    workers: dict[str, Persona] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    """Each worker's registration number: stable across runs, unlike ids."""
    phoners: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def settle(self) -> None:
        """Wait until every relay published and every inbox caught up."""
        wait_until_quiet([self.url(service) for service in ("broker", "notify", "payout")])

    def url(self, service: str) -> str:
        """A service's API."""
        return f"http://127.0.0.1:{self.env[f'CONBINI_{service.upper()}_PORT']}"

    def token(self, role: Role, subject: str = "demo") -> str:
        """A token for a role (a requester's subject is its own id)."""
        label = f"{role.value}:{subject}"
        if label not in self.tokens:
            self.tokens[label] = issue_token(
                self.key,
                tenant=TENANT,
                role=role,
                subject=uuid5(NAMESPACE_URL, f"conbini:demo:{label}"),
                lifetime=timedelta(hours=6),
            )
        return self.tokens[label]

    def call(self, service: str, method: str, path: str, token: str, body: object = None) -> Any:  # noqa: ANN401 - JSON
        """One JSON call."""
        request = urllib.request.Request(  # noqa: S310 - our own loopback services
            self.url(service) + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            raw = response.read()
            return (
                json.loads(raw)
                if raw and response.headers.get_content_type().endswith("json")
                else raw
            )


def previous_month(today: date) -> tuple[date, date]:
    """First and last day of the month before `today`."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def start_town(
    data_dir: Path, offset_days: float, out: Out, extra: dict[str, str] | None = None
) -> tuple[dict[str, str], subprocess.Popen[str]]:
    """`conbini up --rehearsal` on its own data directory and free ports.

    SQLite unless `extra` says; the rehearsal clock starts `offset_days` from real time.

    Raises:
        RuntimeError: it did not come up.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    write_offset(clock_file(data_dir), timedelta(days=offset_days))
    env = {
        **os.environ,
        "CONBINI_DATA_DIR": str(data_dir),
        "CONBINI_NATS_PORT": str(free_port()),
        "CONBINI_NATS_MONITOR_PORT": str(free_port()),
        "CONBINI_BROKER_PORT": str(free_port()),
        "CONBINI_NOTIFY_PORT": str(free_port()),
        "CONBINI_PAYOUT_PORT": str(free_port()),
        "CONBINI_DEMO_WORKER": "0",
        "CONBINI_CLOCK_OFFSET_DAYS": "",  # the rehearsal clock alone
        "CONBINI_OFFER_FANOUT": "3",
        "CONBINI_WORKER_PAGE_RATE_PER_MINUTE": "100000",  # the whole town answers from here
    }
    env.pop("CONBINI_POSTGRES_DSN", None)
    env.update(extra or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "conbini", "up", "--rehearsal"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None  # noqa: S101 - piped above
    deadline = time.monotonic() + 120
    for line in process.stdout:
        if "Press Ctrl-C" in line:
            out("  the town is up (broker, notify, payout, NATS)")
            return env, process
        if time.monotonic() > deadline:
            break
    process.kill()
    msg = "conbini up did not come up; see the logs in " + str(data_dir / "logs")
    raise RuntimeError(msg)


def register_town(demo: Demo, count: int) -> None:
    """Register `count` people with the seed's age mix and the seven situations."""
    bands = list(AGE_MIX)
    weights = [AGE_MIX[b] for b in bands]
    personas = PERSONAS
    for number in range(count):
        low, high = demo.rng.choices(bands, weights)[0]
        persona = demo.rng.choices(personas, [p.share for p in personas])[0]
        district = demo.rng.choice(DISTRICTS)
        prefers_phone = demo.rng.random() < persona.phone
        today = datetime.now(TOKYO).date()
        body = {
            "sex": demo.rng.choice(["female", "female", "male"]),
            "district": district,
            "personal": {
                "name": f"デモ {number}",
                "kana": f"{demo.rng.choice(KANA)} {demo.rng.choice(GIVEN)}",
                "birth_date": date(today.year - demo.rng.randint(low, high), 4, 2).isoformat(),
                "phone": f"090-{demo.rng.randint(1000, 9999)}-{demo.rng.randint(1000, 9999)}",
                "channels": ["phone"] if prefers_phone else ["web"],
                "consent": {
                    "personal_data": True,
                    "contact": ["phone", "web"],
                    "recorded_on": (today - timedelta(days=60)).isoformat(),
                },
            },
            "skills": ["harvest", "cleaning", "care", "packing"],
            "preferred_work_types": [demo.rng.choice(["harvest", "cleaning", "care", "packing"])],
            "constraints": {
                "weekly": {
                    str(day): [{"start": a, "end": b} for a, b in windows]
                    for day, windows in persona.windows.items()
                },
                "holidays_off": persona.name in ("older", "parent"),
                "home_district": district,
                "travel": persona.travel,
                "max_travel_minutes": 0 if persona.travel == "none" else 40,
                "max_load": persona.max_load,
                "style": persona.style,
                "weekly_cap_minutes": persona.weekly_cap_hours * 60,
            },
        }
        worker = demo.call("broker", "POST", "/workers", demo.token(Role.COORDINATOR), body)["id"]
        demo.workers[worker] = persona
        demo.numbers[worker] = number
        if prefers_phone:
            demo.phoners.add(worker)
        if (number + 1) % 100 == 0 or number + 1 == count:
            demo.out(f"  registered {number + 1}/{count} people")


def carve_month(demo: Demo, first: date, last: date) -> int:
    """Each requester asks for its month's work; coordinators confirm the proposals."""
    carved = 0
    for requester in REQUESTERS:
        token = demo.token(Role.REQUESTER, requester.name)
        body: dict[str, Any] = {
            "title": requester.title,
            "work_type": requester.work_type,
            "sector": requester.sector,
            "district": requester.district,
            "starts_on": first.isoformat(),
            "ends_on": last.isoformat(),
            "window_start": requester.window[0],
            "window_end": requester.window[1],
            "volume_minutes": requester.hours * 60,
            "min_shift_minutes": 120,
            "max_shift_minutes": 180,
            "load": requester.load,
            "team": requester.team,
            "skills": [requester.work_type],
            "reward_kind": requester.kind,
            "reward_yen": requester.rate,
            "transport_allowance_yen": 0 if requester.district is None else 200,
            "spec": {"steps": [f"{requester.title}をします"], "bring": list(requester.bring)},
        }
        job = demo.call("broker", "POST", "/job-requests", token, body)["id"]
        proposal = demo.call(
            "broker", "GET", f"/job-requests/{job}/proposal", demo.token(Role.COORDINATOR)
        )
        shifts = [
            {"starts_at": s["starts_at"], "ends_at": s["ends_at"], "copies": s["copies"]}
            for s in proposal["shifts"]
        ]
        if shifts:
            tasks = demo.call(
                "broker",
                "POST",
                f"/job-requests/{job}/tasks",
                demo.token(Role.COORDINATOR),
                {"shifts": shifts},
            )
            carved += len(tasks)
        demo.out(
            f"  {requester.name}: {requester.title}, {len(shifts)} shifts proposed, "
            f"{proposal['uncovered_minutes']} minutes uncovered"
        )
    return carved


def decides_yes(demo: Demo, worker: str, task_key: str, yes_rate: float) -> bool:
    """A worker's answer to one task: the same for the same seed, whatever the timing."""
    digest = hashlib.sha256(f"{demo.seed}:{demo.numbers[worker]}:{task_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < yes_rate


def open_offers(demo: Demo) -> list[tuple[str, str, str]]:
    """(task key, offer, worker) of every open offer, in a stable order."""
    found: list[tuple[str, str, str]] = []
    for request in demo.call("broker", "GET", "/job-requests", demo.token(Role.COORDINATOR)):
        for task in request["tasks"]:
            found.extend(
                (
                    f"{task['title']}@{task['starts_at']}#{task['id']}",
                    offer["offer_id"],
                    offer["worker_id"],
                )
                for offer in task.get("offers") or []
                if offer["state"] == "open" and task["status"] == "open"
            )
    return sorted(found)


def answer_offers(demo: Demo, rounds: int = 6) -> tuple[int, int, int]:
    """Workers answer on their pages; the phone-preferring are phoned. Returns (yes, no, phoned)."""
    yes = no = phoned = 0
    coordinator = demo.token(Role.COORDINATOR)
    for _ in range(rounds):
        offers = open_offers(demo)
        if not offers:
            break
        demo.settle()  # notify has taken in the newest offers
        for task_key, offer_id, worker in offers:
            persona = demo.workers.get(worker)
            if persona is None:
                continue
            accept = decides_yes(demo, worker, task_key.split("#", 1)[0], persona.yes_rate)
            if worker in demo.phoners:
                try:
                    demo.call(
                        "notify",
                        "POST",
                        f"/offers/{offer_id}/phone-answer",
                        coordinator,
                        {"accept": accept},
                    )
                except urllib.error.HTTPError as refused:
                    refused.close()  # the response's socket
                    continue  # notify has not taken this offer in yet: next round
                phoned += 1
            else:
                if worker not in demo.links:
                    demo.links[worker] = demo.call(
                        "notify", "POST", f"/workers/{worker}/link", coordinator
                    )["url"]
                answer = "accept" if accept else "decline"
                request = urllib.request.Request(  # noqa: S310 - loopback
                    f"{demo.links[worker]}/offers/{offer_id}/{answer}", data=b"", method="POST"
                )
                try:
                    with urllib.request.urlopen(request, timeout=60):  # noqa: S310
                        pass
                except urllib.error.HTTPError as refused:
                    refused.close()  # the response's socket
                    continue
            yes += accept
            no += not accept
        demo.out(f"  answers so far: {yes} yes, {no} no ({phoned} by phone)")
        demo.settle()  # the broker decided and offered onward
    return yes, no, phoned


def assigned_by_day(demo: Demo) -> dict[date, dict[str, list[dict[str, Any]]]]:
    """Each day's assigned tasks as each requester will confirm them (検収)."""
    by_day: dict[date, dict[str, list[dict[str, Any]]]] = {}
    for requester in REQUESTERS:
        token = demo.token(Role.REQUESTER, requester.name)
        for request in demo.call("broker", "GET", "/job-requests", token):
            for task in request["tasks"]:
                if task["status"] != "assigned":
                    continue
                starts = datetime.fromisoformat(task["starts_at"])
                ends = datetime.fromisoformat(task["ends_at"])
                planned = int((ends - starts).total_seconds() // 60)
                worked = min(planned, max(30, planned + demo.rng.randint(-20, 10)))
                day = by_day.setdefault(starts.astimezone(TOKYO).date(), {})
                day.setdefault(requester.name, []).append(
                    {
                        "task_id": task["id"],
                        "worked_minutes": worked,  # never beyond the shift (no tolerance)
                        "finished_at": task["ends_at"],
                    }
                )
    return by_day


def evening(day: date) -> datetime:
    """18:00 in Japan on `day`: every shift of the day has ended."""
    return datetime(day.year, day.month, day.day, 18, tzinfo=TOKYO)


def confirm_work(demo: Demo, clock: FileClock) -> int:
    """Day by day: the clock moves to the evening, each requester confirms that day's work."""
    confirmed = 0
    by_day = assigned_by_day(demo)
    for day in sorted(by_day):
        clock.move_to(evening(day))  # every shift has ended
        for name, completions in by_day[day].items():
            token = demo.token(Role.REQUESTER, name)
            demo.call("broker", "POST", "/completions", token, {"completions": completions})
            confirmed += len(completions)
    return confirmed


def pay_month(demo: Demo, period: str) -> dict[str, Any]:
    """Bank accounts for everyone owed, the month closed, the bank's answer imported."""
    accountant = demo.token(Role.ACCOUNTANT)
    demo.settle()  # every confirmed task has reached payout
    rewards: list[dict[str, Any]] = demo.call("payout", "GET", "/rewards", accountant)
    for worker in sorted({r["worker_id"] for r in rewards}):
        body = {
            "bank_code": "0005",
            "branch_code": "001",
            "number": str(demo.rng.randint(1, 9_999_999)),
            "holder_kana": f"{demo.rng.choice(KANA)} {demo.rng.choice(GIVEN)}",
        }
        demo.call("payout", "PUT", f"/workers/{worker}/bank-account", accountant, body)
    run = demo.call("payout", "POST", "/runs", accountant, {"period": period})
    if run["lines"]:  # no transfers, no bank file, no answer (an empty one is refused)
        result = "line,code\n" + "".join(f"{line['line']},0\n" for line in run["lines"])
        request = urllib.request.Request(  # noqa: S310 - loopback
            demo.url("payout") + f"/runs/{period}/results",
            data=result.encode(),
            method="POST",
            headers={"Authorization": f"Bearer {accountant}", "content-type": "text/csv"},
        )
        with urllib.request.urlopen(request, timeout=60):  # noqa: S310
            pass
    return {"rewards": len(rewards), "transfers": len(run["lines"]), "total_yen": run["total_yen"]}


def conbini(demo: Demo, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a `conbini` command against the demo town (its stores and its NATS)."""
    nats_url = f"nats://127.0.0.1:{demo.env['CONBINI_NATS_PORT']}"
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "conbini", *args],
        env=demo.env | {"CONBINI_NATS_URL": nats_url},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def run_demo(
    *, seed: int, workers: int, data_dir: Path | None, keep: bool, out: Out = print
) -> int:
    """Build the town, run the month, report; return 0 when reconciliation and audit are clean."""
    first, last = previous_month(datetime.now(TOKYO).date())
    period = f"{first:%Y-%m}"
    eve = evening(first - timedelta(days=1))
    offset = (eve - datetime.now(TOKYO)).total_seconds() / 86400  # the month's eve
    folder = data_dir or Path(tempfile.mkdtemp(prefix="conbini-demo-"))
    if folder.exists() and data_dir is not None and any(folder.iterdir()):
        msg = f"{folder} is not empty: the demo builds its town from nothing"
        raise ValueError(msg)
    out(f"しごとコンビニ demo — seed {seed}, {workers} registrants, the month {period}")
    env, process = start_town(folder, offset, out)
    demo = Demo(
        env=env,
        process=process,
        rng=random.Random(seed),  # noqa: S311 - a simulation, not security
        seed=seed,
        key=load_or_create_key(folder / "jwt.key"),
        out=out,
    )
    try:
        register_town(demo, workers)
        demo.settle()  # notify and payout took in the registrations
        carved = carve_month(demo, first, last)
        out(f"  carved {carved} tasks")
        yes, no, phoned = answer_offers(demo)
        out(f"  answered: {yes} yes, {no} no, {phoned} taken by phone")
        demo.settle()
        clock = FileClock(clock_file(folder))
        done = confirm_work(demo, clock)
        out(f"  confirmed {done} tasks done (検収), each day after its shifts")
        clock.move_to(datetime.now(TOKYO))  # back to the real now: the month has ended
        paid = pay_month(demo, period)
        out(
            f"  paid {paid['transfers']} people {paid['total_yen']:,} yen "
            f"for {paid['rewards']} rewards"
        )
        demo.settle()  # the relays published the last facts
        fiscal_year = first.year if first.month >= 4 else first.year - 1  # noqa: PLR2004 - April
        report = conbini(demo, "report", "kpi", "--fy", str(fiscal_year), "--format", "json")
        reconcile = conbini(demo, "payout", "reconcile", "--period", period)
        verify = conbini(demo, "audit", "verify")
        replayed = conbini(demo, "audit", "replay")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        if not keep and data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print_kpi(json.loads(report.stdout) if report.returncode == 0 else {}, out)
    out(reconcile.stdout.rstrip())
    out(verify.stdout.rstrip())
    out(replayed.stdout.rstrip())
    clean = reconcile.returncode == 0 and verify.returncode == 0 and replayed.returncode == 0
    out("demo: " + ("clean — reconciliation and audit agree" if clean else "NOT clean"))
    if keep or data_dir is not None:
        out(f"the town's data is kept in {folder}")
    return 0 if clean else 1


def print_kpi(report: dict[str, Any], out: Out) -> None:
    """The KPI table, as the council reports it."""
    if not report:
        out("KPI: (the report failed)")
        return
    out(f"KPI {report['period']} ({report['from']} 〜 {report['to']})")
    out(f"  registrants {report['registrants']}, people who worked {report['people_who_worked']}")
    out("  age band   registered  worked ≥20h/wk  worked <20h/wk")
    for band, row in report["registrants_by_age_and_sex"].items():
        worked = report["worked_by_age_and_weekly_hours"][band]
        out(
            f"  {band:<9} {sum(row.values()):>10}  {worked['20時間以上']:>14}  "
            f"{worked['20時間未満']:>14}"
        )
    sectors = ", ".join(f"{k} {v}" for k, v in report["worked_by_sector"].items())
    out(f"  by sector: {sectors}")
    out(
        f"  hours {report['hours_worked']}, offers {report['offers']}, acceptance "
        f"{report['acceptance_rate']}, fill rate {report['fill_rate']}, median hours to fill "
        f"{report['median_hours_to_fill']}, Gini {report['gini_minutes_worked']}"
    )
