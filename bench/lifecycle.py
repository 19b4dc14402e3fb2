"""Full task lifecycles through the real services, against eventsourcing's own System runner.

Ours: `conbini up` on PostgreSQL (each service its own schemas) and a nats-server from
the wheel with JetStream at its default durability; eleven separate processes. This
process plays the town over HTTP, as people do:

- requesters submit job requests, each carrying `--shifts` shifts of one day (5 by
  default); a coordinator carves each request's shifts at once (which offers every task
  to `CONBINI_OFFER_FANOUT` free workers);
- every worker keeps their page's live stream open (`/w/<link>/events`); when an offer
  appears there, the worker answers it with their own call (yes: the quickest wins, the
  others are told it was taken);
- the town runs on a rehearsal clock through last month: the requests' days follow each
  other, and once every request of a day is assigned the clock moves to that day's
  evening, when each requester confirms their day's finished tasks in one call
  (`POST /completions`) — 検収 is refused before a shift has ended, as in life;
- when every task has accrued its reward, the accountant closes the month (`POST /runs`)
  and imports the bank's answer, which pays every reward (RewardPaid).

A lifecycle ends at its RewardPaid; `per_s` is tasks ÷ (first request → last RewardPaid).
Per hop, from this process's clock: carve → offer visible (the carve call sent → the offer
on the worker's live stream), accept → assigned (the first yes sent → TaskAccepted on
the bus), complete → accrued (the confirmation sent → RewardAccrued on the bus). CPU
seconds and peak RSS of each service process come from /proc.

`--rate` offers lifecycles at a steady rate (open loop); without it, `--concurrency`
requests are kept in flight (closed loop: the maximum). `--sweep` finds the maximum,
then runs at the given fractions of it, each on a fresh town: throughput against offered
load, and the offer latency at half of the maximum (the issue's target).

In the same run, after our town has stopped: the peer (`bench.lifecycle_peer`), the same
lifecycle on eventsourcing's System with its MultiThreadedRunner on PostgreSQL.
"""

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import msgspec
import nats
import psycopg
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy
from psycopg import sql

from backbone.auth import Role, issue_token, load_or_create_key
from backbone.clock import FileClock
from backbone.settings import nats_login_from
from conbini.demo import start_town
from conbini.settings import clock_file, operator_login_env

TOKYO = ZoneInfo("Asia/Tokyo")
TENANT = "mine-wakuwaku"
DISTRICT = "omine"
SHIFT_MINUTES = 60
FIRST_SHIFT = 9 * 60
RATE_YEN = 1000
EVENING = 21 * 60
"""When the rehearsal clock stands once a day's shifts have ended (21:00 in Tokyo)."""
ANSWER_HOURS = 24 * 62
"""How long an offer stays open in the town (capped by the shift's start): longer than the
rehearsed month, so moving its clock to a day's evening never expires a later day's offer."""
LINK_DAYS = 62
"""How long the workers' page links (made once, at the rehearsed month's start) stay valid."""
"""When the rehearsal clock stands once a day's shifts have ended (21:00 in Tokyo)."""
HOP_TIMEOUT_S = float(os.environ.get("BENCH_HOP_TIMEOUT_S", "300"))
HTTP_CONFLICT = 409


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the benchmark's options."""
    parser.add_argument("--tasks", type=int, default=1000, help="task lifecycles to run")
    parser.add_argument("--shifts", type=int, default=5, help="shifts per job request")
    parser.add_argument("--workers", type=int, default=300, help="registered workers")
    parser.add_argument("--rate", type=float, default=0.0, help="offered lifecycles/s (0: max)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at max")
    parser.add_argument(
        "--sweep",
        default="",
        help="fractions of the maximum to offer, e.g. 0.25,0.5,0.75,1 (a fresh town each)",
    )
    parser.add_argument("--no-peer", action="store_true", help="skip eventsourcing's runner")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("CONBINI_POSTGRES_DSN")
        or os.environ.get("TEST_POSTGRES_DSN")
        or "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
    )


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`, 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class ProcessStats:
    """CPU seconds and peak resident memory of one service process."""

    role: str
    pid: int
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0


def children_of(parent: int) -> dict[int, str]:
    """The processes whose parent is `parent`, with their command lines."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == parent:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                found[int(entry.name)] = " ".join(a.decode() for a in argv if a)
        except (OSError, IndexError, ValueError):
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def role_of(cmdline: str) -> str:
    """`python -m broker api` → `broker api`; the NATS server → `nats-server`."""
    words = cmdline.split()
    if "-m" in words:
        at = words.index("-m")
        return " ".join(words[at + 1 : at + 3])
    return Path(words[0]).name if words else "?"


@dataclass
class Hops:
    """What this process saw, per task and per offer."""

    carve_sent: dict[UUID, float] = field(default_factory=dict)
    """Task → when its carve call was sent."""
    offer_task: dict[UUID, UUID] = field(default_factory=dict)
    """Offer → its task (learnt from the carve answer)."""
    offer_seen: dict[UUID, float] = field(default_factory=dict)
    """Offer → when it appeared on its worker's live stream."""
    accept_sent: dict[UUID, float] = field(default_factory=dict)
    assigned: dict[UUID, float] = field(default_factory=dict)
    complete_sent: dict[UUID, float] = field(default_factory=dict)
    accrued: dict[UUID, float] = field(default_factory=dict)
    paid: dict[UUID, float] = field(default_factory=dict)
    paid_twice: int = 0
    waiting: dict[UUID, asyncio.Event] = field(default_factory=dict)

    def offer_latencies_ms(self) -> list[float]:
        """Carve sent → offer visible, for every offer seen."""
        out = []
        for offer, seen in self.offer_seen.items():
            task = self.offer_task.get(offer)
            if task is not None and task in self.carve_sent:
                out.append((seen - self.carve_sent[task]) * 1000)
        return out

    def hop_ms(self, start: dict[UUID, float], end: dict[UUID, float]) -> list[float]:
        """Per task: end − start, in milliseconds."""
        return [(end[t] - start[t]) * 1000 for t in end if t in start]


@dataclass(frozen=True)
class Run:
    """One measurement on one town."""

    tasks: int
    offered_per_s: float
    per_s: float
    seconds: float
    offer_ms: list[float]
    accept_ms: list[float]
    accrue_ms: list[float]
    stats: list[ProcessStats]
    looked_again: int = 0
    """Offers answered after a worker reopened the page (their live update was dropped)."""

    def line(self) -> str:
        """One summary line for this run."""
        return (
            f"  offered={self.offered_per_s:.1f}/s achieved={self.per_s:.1f}/s "
            f"tasks={self.tasks} seconds={self.seconds:.1f} "
            f"offer_p50_ms={percentile(self.offer_ms, 0.5):.1f} "
            f"offer_p99_ms={percentile(self.offer_ms, 0.99):.1f} "
            f"assign_p99_ms={percentile(self.accept_ms, 0.99):.1f} "
            f"accrue_p99_ms={percentile(self.accrue_ms, 0.99):.1f} "
            f"looked_again={self.looked_again}"
        )


class RetryableError(RuntimeError):
    """An answer that says: try again."""


class DayClock:
    """Moves the town's rehearsal clock through the month's days, in order.

    Day d's evening comes once every request of day d and of every earlier day is assigned
    (no shift of a later day has begun then, so later requests still carve and offer); a
    requester confirms (検収) only after their day's evening has come.
    """

    def __init__(self, clock: FileClock, days: list[date]) -> None:
        """`days[n]` is the day of request `n`."""
        self.clock = clock
        self.waiting = Counter(days)
        self.order = sorted(self.waiting)
        self.evenings = {day: asyncio.Event() for day in self.order}

    def assigned(self, day: date) -> None:
        """One request of `day` is wholly assigned; move the clock on as far as it may go."""
        self.waiting[day] -= 1
        while self.order and self.waiting[self.order[0]] == 0:
            done = self.order.pop(0)
            evening = datetime.combine(done, datetime.min.time(), TOKYO) + timedelta(
                minutes=EVENING
            )
            if self.clock.now() < evening:
                self.clock.move_to(evening)
            self.evenings[done].set()

    async def evening(self, day: date) -> None:
        """Wait until the clock stands at `day`'s evening (its shifts have all ended)."""
        await self.evenings[day].wait()


class TownDriver:
    """The people of a benchmark town, over HTTP, and an eye on the bus."""

    patience_s = 10.0
    """How long a call is repeated while the answer says "try again"."""

    def __init__(self, env: dict[str, str], key: str, args: argparse.Namespace) -> None:
        """Remember where the services listen and how to sign their tokens."""
        self.env = env
        self.key = key
        self.args = args
        self.urls = {
            name: f"http://127.0.0.1:{env[f'CONBINI_{name.upper()}_PORT']}"
            for name in ("broker", "notify", "payout")
        }
        self.nats_url = (
            env.get("CONBINI_NATS_URL") or f"nats://127.0.0.1:{env['CONBINI_NATS_PORT']}"
        )
        self.hops = Hops()
        self.repeated = 0
        """Calls repeated after "try again" or no answer."""
        self.looked_again = 0
        self.requesters = [uuid4() for _ in range(20)]
        self.workers: list[UUID] = []
        self.links: dict[UUID, str] = {}
        first = datetime.now(TOKYO).date().replace(day=1)
        self.month_first = (first - timedelta(days=1)).replace(day=1)
        self.period = f"{self.month_first:%Y-%m}"
        self.requests = -(-args.tasks // args.shifts)
        self.clock = FileClock(clock_file(Path(env["CONBINI_DATA_DIR"])))
        self.days = DayClock(self.clock, [self.day_of(n) for n in range(self.requests)])
        self.confirmations: list[asyncio.Task[None]] = []
        """Each request's 検収, waiting for its day's evening."""
        self.client = httpx.AsyncClient(
            timeout=120, limits=httpx.Limits(max_connections=None, max_keepalive_connections=64)
        )

    def token(self, role: Role, subject: UUID | None = None) -> str:
        """A development token for the town's tenant."""
        return issue_token(self.key, tenant=TENANT, role=role, subject=subject or uuid4())

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        role: Role,
        body: object = None,
        *,
        subject: UUID | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> Any:  # noqa: ANN401 - JSON
        """One API call; refusals raise with the problem's text.

        Answers that say "try again" (see `refused`) and calls that got no answer are
        repeated, with the same headers and so the same Idempotency-Key, for `patience_s`.
        """
        sent = {"authorization": f"Bearer {self.token(role, subject)}", **(headers or {})}
        extra: dict[str, Any] = {"content": content} if content is not None else {"json": body}
        deadline = time.monotonic() + self.patience_s
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self.client.request(
                    method, self.urls[service] + path, headers=sent, **extra
                )
            except httpx.TransportError as error:
                if time.monotonic() > deadline:
                    msg = f"{method} {path}: no answer within {self.patience_s:.0f} s ({error})"
                    raise RuntimeError(msg) from error
            else:
                if response.status_code < 400:  # noqa: PLR2004 - HTTP errors
                    return response.json() if response.content else None
                refusal = self.refused(method, path, response.status_code, response.text)
                if not isinstance(refusal, RetryableError):
                    raise refusal
                if time.monotonic() > deadline:
                    msg = f"{method} {path}: no answer within {self.patience_s:.0f} s ({refusal})"
                    raise RuntimeError(msg) from refusal
            self.repeated += 1
            await asyncio.sleep(min(2.0, 0.05 * attempt))

    def refused(self, method: str, path: str, status: int, text: str) -> Exception:
        """The error for a refusal: another writer changed the task meanwhile is worth again."""
        del self  # the chaos run's people also repeat what a crash interrupted
        if status == HTTP_CONFLICT and "try again" in text:
            return RetryableError(f"{method} {path} → {status}: {text[:200]}")
        return RuntimeError(f"{method} {path} → {status}: {text[:300]}")

    async def register(self) -> None:
        """Register the workers, each free all week in the district, with a page link."""
        gate = asyncio.Semaphore(8)
        today = datetime.now(TOKYO).date()

        async def one(number: int) -> UUID:
            body = {
                "sex": "female" if number % 3 else "male",
                "district": DISTRICT,
                "personal": {
                    "name": f"ベンチ {number}",
                    "kana": "ベンチ タロウ",
                    "birth_date": date(today.year - 60 - number % 15, 4, 2).isoformat(),
                    "phone": "090-0000-0000",
                    "channels": ["web"],
                    "consent": {
                        "personal_data": True,
                        "contact": ["web"],
                        "recorded_on": (self.month_first - timedelta(days=30)).isoformat(),
                    },
                },
                "skills": ["packing"],
                "preferred_work_types": ["packing"],
                "constraints": {
                    "weekly": {str(d): [{"start": 8 * 60, "end": 18 * 60}] for d in range(7)},
                    "holidays_off": False,
                    "home_district": DISTRICT,
                    "travel": "car",
                    "max_travel_minutes": 60,
                    "max_load": "heavy",
                    "style": "team_ok",
                    "weekly_cap_minutes": 40 * 60,
                },
            }
            async with gate:
                made = await self.call("broker", "POST", "/workers", Role.COORDINATOR, body)
            return UUID(made["id"])

        self.workers = list(await asyncio.gather(*(one(n) for n in range(self.args.workers))))

    async def make_links(self) -> None:
        """Each worker's signed page link (notify must have heard of them)."""
        gate = asyncio.Semaphore(8)

        async def one(worker: UUID) -> None:
            async with gate:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        made = await self.call(
                            "notify", "POST", f"/workers/{worker}/link", Role.COORDINATOR
                        )
                        break
                    except RuntimeError:
                        if time.monotonic() > deadline:
                            raise
                        await asyncio.sleep(0.5)
            self.links[worker] = httpx.URL(made["url"]).path

        await asyncio.gather(*(one(w) for w in self.workers))

    async def bank_accounts(self) -> None:
        """The accountant records a bank account for every worker."""
        gate = asyncio.Semaphore(8)

        async def one(number: int, worker: UUID) -> None:
            body = {
                "bank_code": "0005",
                "branch_code": "001",
                "number": f"{number + 1:07d}",
                "holder_kana": "ベンチ タロウ",
            }
            async with gate:
                await self.call(
                    "payout", "PUT", f"/workers/{worker}/bank-account", Role.ACCOUNTANT, body
                )

        await asyncio.gather(*(one(n, w) for n, w in enumerate(self.workers)))

    async def follow_page(self, worker: UUID, ready: asyncio.Event) -> None:
        """The worker's open page: answer every offer that appears, at once, with a yes."""
        path = self.links[worker]
        async with self.client.stream("GET", self.urls["notify"] + path + "/events") as stream:
            async for line in stream.aiter_lines():
                if not line.startswith("data:"):
                    continue
                update = msgspec.json.decode(line[5:].strip())
                if update["what"] == "hello":
                    ready.set()
                elif update["what"] == "offer":
                    offer = UUID(update["id"])
                    self.hops.offer_seen.setdefault(offer, time.perf_counter())
                    asyncio.get_running_loop().create_task(self.accept(path, offer))

    async def look_again(self, task: UUID) -> None:
        """Workers whose live update never came open their page again and answer.

        A live stream that falls behind drops updates (its queue is bounded); a person
        would reload the page. Counted, since such an answer's latency is not the stream's.
        """
        found = await self.call("broker", "GET", f"/tasks/{task}", Role.COORDINATOR)
        if found["status"] != "open":
            return
        for offer in found.get("offers") or []:
            if offer["state"] == "open":
                self.looked_again += 1
                await self.accept(self.links[UUID(offer["worker_id"])], UUID(offer["offer_id"]))

    async def accept(self, path: str, offer: UUID) -> None:
        """Say yes on the page (a 303 back to the page; a late yes is told it was taken)."""
        task = self.hops.offer_task.get(offer)
        if task is not None:
            self.hops.accept_sent.setdefault(task, time.perf_counter())
        response = await self.client.post(self.urls["notify"] + f"{path}/offers/{offer}/accept")
        if response.status_code >= 500:  # noqa: PLR2004 - a server error is a finding
            msg = f"accepting {offer}: {response.status_code} {response.text[:200]}"
            raise RuntimeError(msg)

    async def watch_bus(self, stop: asyncio.Event) -> None:
        """Time TaskAccepted, RewardAccrued and RewardPaid as they pass on the bus."""
        client = await nats.connect(servers=[self.nats_url], **nats_credentials(self.env))
        hops = self.hops

        async def on_message(msg: Msg) -> None:
            now = time.perf_counter()
            task = UUID(msgspec.json.decode(msg.data)["task_id"])
            if msg.subject.startswith("broker.task_accepted"):
                hops.assigned.setdefault(task, now)
            elif msg.subject.startswith("payout.reward_accrued"):
                hops.accrued.setdefault(task, now)
            elif task in hops.paid:
                hops.paid_twice += 1
            else:
                hops.paid[task] = now
            event = hops.waiting.get(task)
            if event is not None:
                event.set()

        js = client.jetstream()
        for subject in (  # ordered consumers: the operator reads streams, never raw subjects
            "broker.task_accepted.v1.*",
            "payout.reward_accrued.v1.*",
            "payout.reward_paid.v1.*",
        ):
            await js.subscribe(
                subject, cb=on_message, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW
            )
        await client.flush()
        await stop.wait()
        await client.drain()

    async def until(self, tasks: list[UUID], seen: dict[UUID, float], what: str) -> None:
        """Wait until every task is in `seen`."""
        deadline = time.monotonic() + HOP_TIMEOUT_S
        for task in tasks:
            while task not in seen:
                event = self.hops.waiting.setdefault(task, asyncio.Event())
                event.clear()
                if task in seen:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = await self.call("broker", "GET", f"/tasks/{task}", Role.COORDINATOR)
                    msg = f"task {task} never {what} within {HOP_TIMEOUT_S:.0f} s: {seen}"
                    raise TimeoutError(msg)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout=min(left, 5.0))
                if seen is self.hops.assigned and task not in seen:
                    await self.look_again(task)

    def day_of(self, number: int) -> date:
        """The `number`th request's day: the month's days in order, from its second."""
        days = (self.month_last() - self.month_first).days - 1
        return self.month_first + timedelta(days=1 + number * days // self.requests)

    def shifts_for(self, number: int) -> tuple[date, list[dict[str, Any]]]:
        """The day and the shifts of the `number`th request: consecutive hours from 9:00."""
        day = self.day_of(number)
        shifts = []
        for k in range(self.args.shifts):
            start = datetime.combine(day, datetime.min.time(), TOKYO) + timedelta(
                minutes=FIRST_SHIFT + k * SHIFT_MINUTES
            )
            shifts.append(
                {
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(minutes=SHIFT_MINUTES)).isoformat(),
                    "copies": 1,
                }
            )
        return day, shifts

    def month_last(self) -> date:
        """The simulated month's last day."""
        return datetime.now(TOKYO).date().replace(day=1) - timedelta(days=1)

    def request_body(self, day: date) -> dict[str, Any]:
        """A day's packing work: the request's shifts back to back from 9:00."""
        minutes = self.args.shifts * SHIFT_MINUTES
        return {
            "title": "袋づめ",
            "work_type": "packing",
            "sector": "manufacturing",
            "district": DISTRICT,
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "window_start": FIRST_SHIFT,
            "window_end": FIRST_SHIFT + minutes,
            "volume_minutes": minutes,
            "min_shift_minutes": SHIFT_MINUTES,
            "max_shift_minutes": SHIFT_MINUTES,
            "load": "light",
            "team": True,
            "skills": ["packing"],
            "reward_kind": "hourly",
            "reward_yen": RATE_YEN,
            "transport_allowance_yen": 0,
            "spec": {"steps": ["袋に つめます"], "bring": []},
        }

    async def one_request(self, number: int) -> list[UUID]:
        """A requester's request for a day's shifts, carved, answered, assigned, confirmed."""
        hops = self.hops
        requester = self.requesters[number % len(self.requesters)]
        day, shifts = self.shifts_for(number)
        key = {"idempotency-key": f"bench-{number}-{secrets.token_hex(4)}"}
        job = await self.call(
            "broker",
            "POST",
            "/job-requests",
            Role.REQUESTER,
            self.request_body(day),
            subject=requester,
            headers=key,
        )
        sent = time.perf_counter()
        carved = await self.call(
            "broker",
            "POST",
            f"/job-requests/{job['id']}/tasks",
            Role.COORDINATOR,
            {"shifts": shifts},
        )
        tasks = [UUID(task["id"]) for task in carved]
        for task in carved:
            task_id = UUID(task["id"])
            hops.carve_sent[task_id] = sent
            for offer in task.get("offers") or []:
                hops.offer_task[UUID(offer["offer_id"])] = task_id
                if UUID(offer["offer_id"]) in hops.offer_seen:
                    hops.accept_sent.setdefault(task_id, hops.offer_seen[UUID(offer["offer_id"])])
        await self.until(tasks, hops.assigned, "assigned")
        completions = [
            {"task_id": t["id"], "worked_minutes": SHIFT_MINUTES, "finished_at": shift["ends_at"]}
            for t, shift in zip(carved, shifts, strict=True)
        ]
        self.days.assigned(day)
        self.confirmations.append(asyncio.create_task(self.confirm(day, requester, completions)))
        return tasks

    async def confirm(self, day: date, requester: UUID, completions: list[dict[str, Any]]) -> None:
        """At the day's evening the requester confirms the day's finished shifts (検収)."""
        await self.days.evening(day)
        done = time.perf_counter()
        for completion in completions:
            self.hops.complete_sent[UUID(completion["task_id"])] = done
        await self.call(
            "broker",
            "POST",
            "/completions",
            Role.REQUESTER,
            {"completions": completions},
            subject=requester,
        )

    async def month_ended(self) -> None:
        """Every confirmation made; the clock moves to the real today, past the month's end."""
        await asyncio.gather(*self.confirmations)
        self.clock.move_to(datetime.now(TOKYO))

    async def pay(self) -> None:
        """Close the month and import the bank's answer: every reward paid."""
        run = await self.call("payout", "POST", "/runs", Role.ACCOUNTANT, {"period": self.period})
        result = "line,code\n" + "".join(f"{line['line']},0\n" for line in run["lines"])
        await self.call(
            "payout",
            "POST",
            f"/runs/{self.period}/results",
            Role.ACCOUNTANT,
            content=result.encode(),
            headers={"content-type": "text/csv"},
        )


def nats_credentials(env: dict[str, str]) -> dict[str, str]:
    """The operator's NATS login, when the town's server has per-service users."""
    login = nats_login_from({**env, **operator_login_env(env)})
    return {"user": login.user, "password": login.password} if login else {}


async def drive(driver: TownDriver, args: argparse.Namespace, rate: float) -> float:
    """Run `args.tasks` lifecycles; return the seconds from first request to last payment."""
    requests = -(-args.tasks // args.shifts)
    stop = asyncio.Event()
    watcher = asyncio.create_task(driver.watch_bus(stop))
    ready = [asyncio.Event() for _ in driver.workers]
    pages = [
        asyncio.create_task(driver.follow_page(worker, seen))
        for worker, seen in zip(driver.workers, ready, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), timeout=60)
    await asyncio.sleep(0.5)  # the bus subscriptions are in place
    everything: list[UUID] = []
    start = time.perf_counter()
    if rate > 0:
        every = args.shifts / rate
        running = []
        for number in range(requests):
            running.append(asyncio.create_task(driver.one_request(number)))
            await asyncio.sleep(max(0.0, start + (number + 1) * every - time.perf_counter()))
        for tasks in await asyncio.gather(*running):
            everything.extend(tasks)
    else:
        numbers = iter(range(requests))

        async def requester() -> None:
            for number in numbers:
                everything.extend(await driver.one_request(number))

        await asyncio.gather(*(requester() for _ in range(args.concurrency)))
    await driver.month_ended()
    await driver.until(everything, driver.hops.accrued, "accrued")
    await driver.pay()
    await driver.until(everything, driver.hops.paid, "paid")
    seconds = max(driver.hops.paid.values()) - start
    for page in pages:
        page.cancel()
    stop.set()
    await watcher
    return seconds


def measure(args: argparse.Namespace, rate: float) -> Run:
    """Start a town on fresh PostgreSQL schemas, drive it, stop it, clean up."""
    prefix = f"bench_{secrets.token_hex(3)}_"
    folder = Path(tempfile.mkdtemp(prefix="conbini-lifecycle-"))
    first = datetime.now(TOKYO).date().replace(day=1)
    month_first = (first - timedelta(days=1)).replace(day=1)
    offset = -(datetime.now(TOKYO).date() - month_first).days - 0.5
    extra = {
        "CONBINI_POSTGRES_DSN": args.dsn,
        "CONBINI_SCHEMA_PREFIX": prefix,
        "CONBINI_OFFER_FANOUT": "3",
        # the rehearsal's days pass in seconds: an offer stays open until its shift starts
        "CONBINI_ANSWER_HOURS": str(ANSWER_HOURS),
        "CONBINI_LINK_DAYS": str(LINK_DAYS),  # the links made at the month's start
        "CONBINI_WORKER_PAGE_RATE_PER_MINUTE": "1000000",
        "CONBINI_LOG_LEVEL": "WARNING",
    }
    env, process = start_town(folder, offset, lambda _: None, extra=extra)
    try:
        driver = TownDriver(env, load_or_create_key(folder / "jwt.key"), args)
        run = asyncio.run(timed(driver, args, rate, process.pid))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)
        drop_schemas(args.dsn, prefix)
    return run


async def timed(driver: TownDriver, args: argparse.Namespace, rate: float, up_pid: int) -> Run:
    """Set the town up, then time the lifecycles and each service process's resources."""
    await driver.register()
    await driver.make_links()
    await driver.bank_accounts()
    processes = {pid: role_of(cmd) for pid, cmd in children_of(up_pid).items()}
    before = {pid: cpu_seconds(pid) for pid in processes}
    seconds = await drive(driver, args, rate)
    stats = []
    for pid, role in sorted(processes.items(), key=lambda item: item[1]):
        with contextlib.suppress(OSError):
            stats.append(ProcessStats(role, pid, cpu_seconds(pid) - before[pid], peak_rss_mb(pid)))
    await driver.client.aclose()
    hops = driver.hops
    if hops.paid_twice:
        msg = f"{hops.paid_twice} rewards were paid twice"
        raise RuntimeError(msg)
    return Run(
        tasks=len(hops.paid),
        offered_per_s=rate,
        per_s=len(hops.paid) / seconds,
        seconds=seconds,
        offer_ms=hops.offer_latencies_ms(),
        accept_ms=hops.hop_ms(hops.accept_sent, hops.assigned),
        accrue_ms=hops.hop_ms(hops.complete_sent, hops.accrued),
        stats=stats,
        looked_again=driver.looked_again,
    )


def drop_schemas(dsn: str, prefix: str) -> None:
    """Remove the schemas a benchmark town created."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (prefix + "%",)
            )
        ]
        for name in names:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def print_stats(stats: list[ProcessStats]) -> None:
    """CPU and peak memory per service process."""
    for item in stats:
        print(
            f"  {item.role:<16} pid={item.pid:<7} cpu_s={item.cpu_s:7.1f} "
            f"peak_rss_mb={item.peak_rss_mb:6.1f}",
            flush=True,
        )


def run(
    *,
    tasks: int,
    shifts: int,
    workers: int,
    rate: float,
    concurrency: int,
    sweep: str,
    no_peer: bool,
    dsn: str,
) -> str:
    """Measure ours (and the sweep), then the peer; return the final line."""
    args = argparse.Namespace(
        tasks=tasks, shifts=shifts, workers=workers, concurrency=concurrency, dsn=dsn
    )
    random.seed(1)
    first = measure(args, rate)
    print("ours" + first.line(), flush=True)
    print_stats(first.stats)
    chosen = first
    if sweep:
        fractions = [float(f) for f in sweep.split(",") if f.strip()]
        peak = first.per_s
        for fraction in fractions:
            point = measure(args, peak * fraction)
            print(f"sweep fraction={fraction:.2f}" + point.line(), flush=True)
            if abs(fraction - 0.5) < 1e-9:  # noqa: PLR2004 - the issue's half load
                chosen = point
    peer_per_s = 0.0
    if not no_peer:
        from bench.lifecycle_peer import run_peer  # noqa: PLC0415 - only when asked

        peer = run_peer(
            tasks=tasks, dsn=dsn, shifts_per_request=shifts, workers=workers, drivers=concurrency
        )
        peer_per_s = peer.per_s
        print(
            f"peer per_s={peer.per_s:.1f} seconds={peer.seconds:.1f} events={peer.events} "
            f"p99_offer_ms={peer.p99_offer_ms:.1f}",
            flush=True,
        )
    ratio = first.per_s / peer_per_s if peer_per_s else 0.0
    max_rss = max((s.peak_rss_mb for s in first.stats if s.role != "nats-server"), default=0.0)
    return (
        f"lifecycle per_s={first.per_s:.1f} peer_per_s={peer_per_s:.1f} ratio={ratio:.2f} "
        f"p99_offer_ms={percentile(chosen.offer_ms, 0.99):.1f} max_rss_mb={max_rss:.0f}"
    )
