"""Kill everything while lifecycles run; afterwards nothing may be lost or done twice.

The town runs as in production on one machine: `conbini up` (its eleven service
processes, supervised) on a PostgreSQL cluster and a nats-server of this run's own, so
both can be crashed and restarted. The town's people do what `bench lifecycle` does, but
as people behind flaky networks do: every creating call carries an `Idempotency-Key` and
is repeated with the same key until it gets an answer; workers look at their offers
again (the coordinator's view of each open task) instead of trusting one live stream.

Meanwhile: `kill -9` of a random service process every `--kill-every` seconds (the
supervisor restarts it), two crashes and restarts of nats-server and two immediate-mode
crashes and restarts of PostgreSQL, spread over the run.

Afterwards, from the records: every task reached a terminal state (paid); exactly one
RewardPaid per task on the PAYOUT stream; payout's books reconcile with the broker's
completions; `conbini audit verify` (tamper-evident chains) and `conbini audit replay`
(invariants, streams against stores) are clean; the dead-letter stream is empty.
Final line: `chaos tasks=<n> kills=<k> lost=<l> duplicated=<d> audit=<ok|fail>`.
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
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import msgspec
import nats

from backbone.auth import Role, load_or_create_key
from backbone.nats_server import NatsServer, NatsServerConfig, free_port
from bench.lifecycle import (
    ANSWER_HOURS,
    LINK_DAYS,
    SHIFT_MINUTES,
    TOKYO,
    RetryableError,
    TownDriver,
    children_of,
    role_of,
)
from bench.postgres_server import PrivatePostgres, start_private_postgres
from conbini.demo import start_town
from conbini.quiet import wait_until_quiet

CALL_DEADLINE_S = 180.0
POLL_S = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the run's options."""
    parser.add_argument("--tasks", type=int, default=5000, help="task lifecycles to run")
    parser.add_argument("--shifts", type=int, default=5, help="shifts per job request")
    parser.add_argument("--workers", type=int, default=300, help="registered workers")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds between kills")
    parser.add_argument("--seed", type=int, default=1, help="which processes die when")


@dataclass
class Chaos:
    """What was done to the town."""

    kills: int = 0
    killed: Counter[str] = field(default_factory=Counter)
    nats_restarts: int = 0
    postgres_restarts: int = 0
    planned: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once NATS and PostgreSQL have each been crashed and restarted twice."""
    server_errors: int = 0
    """5xx answers seen (each retried); reported, since a 500 is a defect even here."""
    retried: int = 0
    repeats_refused: int = 0
    """Repeated calls (answer lost, claim lapsed) that the command's own rules refused."""


@dataclass(frozen=True)
class Verdict:
    """What the records say afterwards."""

    tasks: int
    lost: int
    duplicated: int
    dead_letters: int
    audit_ok: bool
    details: list[str]

    def line(self, chaos: Chaos) -> str:
        """The final line."""
        return (
            f"chaos tasks={self.tasks} kills={chaos.kills} lost={self.lost} "
            f"duplicated={self.duplicated} audit={'ok' if self.audit_ok else 'fail'}"
        )


class StubbornDriver(TownDriver):
    """The same people, who repeat a call with the same key until they get an answer."""

    patience_s = CALL_DEADLINE_S

    def __init__(
        self, env: dict[str, str], key: str, args: argparse.Namespace, chaos: Chaos
    ) -> None:
        """As the lifecycle driver, counting what had to be repeated."""
        super().__init__(env, key, args)
        self.chaos = chaos
        self.carved: dict[UUID, list[UUID]] = {}
        self.requests_done = 0

    def refused(self, method: str, path: str, status: int, text: str) -> Exception:
        """5xx and 409-while-idempotent-call-runs are worth repeating; the rest is final."""
        if status >= 500:  # noqa: PLR2004 - server errors
            if status != 503:  # noqa: PLR2004 - unavailable is an honest answer
                self.chaos.server_errors += 1
            return RetryableError(f"{method} {path} → {status}: {text[:200]}")
        if status == 409 and "Still in progress" in text:  # noqa: PLR2004 - key's claim runs
            return RetryableError(f"{method} {path} → {status}: {text[:200]}")
        return super().refused(method, path, status, text)

    async def one_request(self, number: int) -> list[UUID]:
        """A request, carved, answered until assigned, confirmed; each call with its key."""
        requester = self.requesters[number % len(self.requesters)]
        day, shifts = self.shifts_for(number)
        run_key = self.env["CONBINI_SCHEMA_PREFIX"]
        job = await self.call(
            "broker",
            "POST",
            "/job-requests",
            Role.REQUESTER,
            self.request_body(day),
            subject=requester,
            headers={"idempotency-key": f"{run_key}request-{number}"},
        )
        carved = await self.call(
            "broker",
            "POST",
            f"/job-requests/{job['id']}/tasks",
            Role.COORDINATOR,
            {"shifts": shifts},
            headers={"idempotency-key": f"{run_key}carve-{number}"},
        )
        tasks = [UUID(task["id"]) for task in carved]
        self.carved[UUID(job["id"])] = tasks
        await self.answer_until_assigned(UUID(job["id"]))
        completions = [
            {"task_id": t["id"], "worked_minutes": SHIFT_MINUTES, "finished_at": shift["ends_at"]}
            for t, shift in zip(carved, shifts, strict=True)
        ]
        self.days.assigned(day)
        self.confirmations.append(
            asyncio.create_task(self.confirm_stubbornly(day, requester, number, completions))
        )
        return tasks

    async def confirm_stubbornly(
        self, day: date, requester: UUID, number: int, completions: list[dict[str, Any]]
    ) -> None:
        """At the day's evening, the day's 検収, repeated with its key until answered."""
        await self.days.evening(day)
        run_key = self.env["CONBINI_SCHEMA_PREFIX"]
        tasks = [UUID(c["task_id"]) for c in completions]
        try:
            await self.call(
                "broker",
                "POST",
                "/completions",
                Role.REQUESTER,
                {"completions": completions},
                subject=requester,
                headers={"idempotency-key": f"{run_key}complete-{number}"},
            )
        except RuntimeError as refused:
            # An attempt whose answer was lost (its process died after committing) was
            # repeated once its key's claim lapsed, and the repeat was refused: the work
            # is confirmed already. Anything else is a real refusal.
            if "is completed" not in str(refused) or not await self.all_completed(tasks):
                raise
            self.chaos.repeats_refused += 1
        self.requests_done += 1

    async def all_completed(self, tasks: list[UUID]) -> bool:
        """True when the broker shows every task completed."""
        for task in tasks:
            found = await self.call("broker", "GET", f"/tasks/{task}", Role.COORDINATOR)
            if found["status"] != "completed":
                return False
        return True

    async def answer_until_assigned(self, job: UUID) -> None:
        """Workers look at their open offers and say yes, until every task is someone's."""
        deadline = time.monotonic() + CALL_DEADLINE_S * 2
        while time.monotonic() < deadline:
            seen = await self.call("broker", "GET", f"/job-requests/{job}", Role.COORDINATOR)
            open_offers = [
                (UUID(offer["worker_id"]), UUID(offer["offer_id"]))
                for task in seen["tasks"]
                if task["status"] == "open"
                for offer in task.get("offers") or []
                if offer["state"] == "open"
            ]
            if all(task["status"] != "open" for task in seen["tasks"]):
                return
            for worker, offer in open_offers:
                with contextlib.suppress(httpx.TransportError):
                    await self.client.post(
                        self.urls["notify"] + f"{self.links[worker]}/offers/{offer}/accept"
                    )
            await asyncio.sleep(POLL_S * 2)
        msg = f"job request {job}: tasks still open after {CALL_DEADLINE_S * 2:.0f} s"
        raise RuntimeError(msg)

    async def rewards(self) -> dict[UUID, list[dict[str, Any]]]:
        """Payout's rewards by task."""
        found: dict[UUID, list[dict[str, Any]]] = {}
        for reward in await self.call("payout", "GET", "/rewards", Role.ACCOUNTANT):
            found.setdefault(UUID(reward["task_id"]), []).append(reward)
        return found

    async def until_rewards(self, tasks: list[UUID], *, paid: bool) -> None:
        """Wait until every task has accrued (or been paid), reading payout's books."""
        deadline = time.monotonic() + CALL_DEADLINE_S * 2
        while time.monotonic() < deadline:
            found = await self.rewards()
            if all(
                task in found and (not paid or all(r["outstanding_yen"] == 0 for r in found[task]))
                for task in tasks
            ):
                return
            await asyncio.sleep(POLL_S * 2)
        msg = f"rewards not {'paid' if paid else 'accrued'} within {CALL_DEADLINE_S * 2:.0f} s"
        raise RuntimeError(msg)

    async def pay_stubbornly(self) -> None:
        """Close the month (idempotent per period) and import the bank's answer (keyed)."""
        run = await self.call("payout", "POST", "/runs", Role.ACCOUNTANT, {"period": self.period})
        result = "line,code\n" + "".join(f"{line['line']},0\n" for line in run["lines"])
        await self.call(
            "payout",
            "POST",
            f"/runs/{self.period}/results",
            Role.ACCOUNTANT,
            content=result.encode(),
            headers={
                "content-type": "text/csv",
                "idempotency-key": f"{self.env['CONBINI_SCHEMA_PREFIX']}results",
            },
        )


async def saboteur(
    up_pid: int,
    nats_server: NatsServer,
    postgres: PrivatePostgres,
    driver: StubbornDriver,
    args: argparse.Namespace,
    stop: asyncio.Event,
) -> None:
    """Kill a service process every few seconds; crash NATS and PostgreSQL twice each."""
    rng = random.Random(args.seed)  # noqa: S311 - chaos, not security
    requests = -(-args.tasks // args.shifts)
    plan = [(0.2, "nats"), (0.4, "postgres"), (0.6, "nats"), (0.8, "postgres")]
    chaos = driver.chaos
    next_kill = time.monotonic() + args.kill_every
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=POLL_S)
        if stop.is_set():
            return
        if plan and driver.requests_done >= plan[0][0] * requests:
            _, what = plan.pop(0)
            if what == "nats":
                await asyncio.to_thread(restart_nats, nats_server)
                chaos.nats_restarts += 1
            else:
                await asyncio.to_thread(restart_postgres, postgres)
                chaos.postgres_restarts += 1
            print(f"  restarted {what} at {driver.requests_done}/{requests} requests", flush=True)
            if not plan:
                chaos.planned.set()
        if time.monotonic() < next_kill:
            continue
        next_kill = time.monotonic() + args.kill_every
        victims = {pid: role_of(cmd) for pid, cmd in children_of(up_pid).items() if " -m " in cmd}
        if not victims:
            continue
        pid = rng.choice(sorted(victims))
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            chaos.kills += 1
            chaos.killed[victims[pid]] += 1


def restart_nats(server: NatsServer) -> None:
    """Kill -9 the server, then start it again on the same port and store."""
    server.kill()
    time.sleep(1.0)
    server.start(timeout=60)


def restart_postgres(server: PrivatePostgres) -> None:
    """Crash PostgreSQL (immediate mode), then start it again (crash recovery)."""
    server.crash()
    time.sleep(1.0)
    server.start()


async def drive_through_chaos(
    driver: StubbornDriver,
    args: argparse.Namespace,
    up_pid: int,
    nats_server: NatsServer,
    postgres: PrivatePostgres,
) -> list[UUID]:
    """Set the town up, then run the lifecycles while the saboteur works."""
    await driver.register()
    await driver.make_links()
    await driver.bank_accounts()
    stop = asyncio.Event()
    sabotage = asyncio.create_task(saboteur(up_pid, nats_server, postgres, driver, args, stop))
    everything: list[UUID] = []
    numbers = iter(range(-(-args.tasks // args.shifts)))

    async def requester() -> None:
        for number in numbers:
            everything.extend(await driver.one_request(number))

    try:
        await asyncio.gather(*(requester() for _ in range(args.concurrency)))
        await driver.month_ended()
        await driver.chaos.planned.wait()  # a small run finishes before the plan's last step
        await driver.until_rewards(everything, paid=False)
        await driver.pay_stubbornly()
        await driver.until_rewards(everything, paid=True)
    finally:
        stop.set()
        await sabotage
        await driver.client.aclose()
        driver.chaos.retried = driver.repeated
    return everything


async def paid_on_stream(nats_url: str) -> Counter[UUID]:
    """RewardPaid messages per task on the PAYOUT stream."""
    client = await nats.connect(servers=[nats_url])
    counts: Counter[UUID] = Counter()
    try:
        js = client.jetstream()
        sub = await js.subscribe("payout.reward_paid.v1.*", ordered_consumer=True)
        info = await js.stream_info("PAYOUT")
        pending = info.state.messages
        while pending:
            try:
                msg = await sub.next_msg(timeout=5)
            except nats.errors.TimeoutError:
                break
            counts[UUID(msgspec.json.decode(msg.data)["task_id"])] += 1
            meta = msg.metadata
            if meta.num_pending == 0:
                break
        await sub.unsubscribe()
    finally:
        await client.close()
    return counts


async def dead_letters(nats_url: str) -> int:
    """Messages in the dead-letter stream."""
    client = await nats.connect(servers=[nats_url])
    try:
        info = await client.jetstream().stream_info("DEADLETTER")
        return info.state.messages
    finally:
        await client.close()


def conbini(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A `conbini` command against the chaos town."""
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "conbini", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def judge(driver: StubbornDriver, tasks: list[UUID], env: dict[str, str]) -> Verdict:
    """Read the records: lost, duplicated, dead letters, audit."""
    details: list[str] = []
    rewards = asyncio.run(rewards_of(driver))
    unpaid = [t for t in tasks if any(r["outstanding_yen"] for r in rewards.get(t, [{}]))]
    missing = [t for t in tasks if t not in rewards]
    on_stream = asyncio.run(paid_on_stream(driver.nats_url))
    twice = sum(n - 1 for n in on_stream.values() if n > 1)
    rewards_twice = sum(len(r) - 1 for r in rewards.values() if len(r) > 1)
    extra_tasks = sum(max(0, len(ts) - driver.args.shifts) for ts in driver.carved.values())
    never_paid = [t for t in tasks if on_stream[t] == 0]
    letters = asyncio.run(dead_letters(driver.nats_url))
    if missing or unpaid or never_paid:
        details.append(
            f"missing rewards {len(missing)}, unpaid {len(unpaid)}, "
            f"no RewardPaid on the stream {len(never_paid)}"
        )
    if twice or rewards_twice or extra_tasks:
        details.append(
            f"RewardPaid twice {twice}, rewards twice {rewards_twice}, extra tasks {extra_tasks}"
        )
    if letters:
        details.append(f"{letters} dead letters")
    audit_ok = True
    for command in (
        ("payout", "reconcile", "--period", driver.period),
        ("audit", "verify"),
        ("audit", "replay"),
    ):
        done = conbini(env, *command)
        if done.returncode != 0:
            audit_ok = False
            details.append(f"conbini {' '.join(command)}: {done.stdout[-800:]}{done.stderr[-800:]}")
    return Verdict(
        tasks=len(tasks),
        lost=len(set(missing) | set(unpaid) | set(never_paid)),
        duplicated=twice + rewards_twice + extra_tasks,
        dead_letters=letters,
        audit_ok=audit_ok and letters == 0,
        details=details,
    )


async def rewards_of(driver: StubbornDriver) -> dict[UUID, list[dict[str, Any]]]:
    """Payout's rewards, with a fresh HTTP client (the driver's loop has ended)."""
    driver.client = httpx.AsyncClient(timeout=120)
    try:
        return await driver.rewards()
    finally:
        await driver.client.aclose()


def run_chaos(
    *, tasks: int, shifts: int, workers: int, concurrency: int, kill_every: float, seed: int
) -> tuple[Verdict, Chaos]:
    """Run the whole thing on servers of its own; return the verdict and what was done."""
    args = argparse.Namespace(
        tasks=tasks,
        shifts=shifts,
        workers=workers,
        concurrency=concurrency,
        kill_every=kill_every,
        seed=seed,
    )
    folder = Path(tempfile.mkdtemp(prefix="conbini-chaos-"))
    postgres = start_private_postgres()
    nats_server = NatsServer(
        NatsServerConfig(
            store_dir=folder / "jetstream",
            port=free_port(),
            monitor_port=free_port(),
            server_name="chaos",
        )
    )
    nats_server.start(timeout=60)
    first = datetime.now(TOKYO).date().replace(day=1)
    month_first = (first - timedelta(days=1)).replace(day=1)
    offset = -(datetime.now(TOKYO).date() - month_first).days - 0.5
    extra = {
        "CONBINI_POSTGRES_DSN": postgres.dsn,
        "CONBINI_SCHEMA_PREFIX": f"chaos_{secrets.token_hex(3)}_",
        "CONBINI_NATS_URL": nats_server.url,
        "CONBINI_OFFER_FANOUT": "3",
        # the rehearsal's days pass in seconds: an offer stays open until its shift starts
        "CONBINI_ANSWER_HOURS": str(ANSWER_HOURS),
        "CONBINI_LINK_DAYS": str(LINK_DAYS),  # the links made at the month's start
        "CONBINI_WORKER_PAGE_RATE_PER_MINUTE": "1000000",
        "CONBINI_LOG_LEVEL": "WARNING",
    }
    chaos = Chaos()
    process = None
    try:
        env, process = start_town(folder / "town", offset, lambda _: None, extra=extra)
        driver = StubbornDriver(env, load_or_create_key(folder / "town" / "jwt.key"), args, chaos)
        everything = asyncio.run(
            drive_through_chaos(driver, args, process.pid, nats_server, postgres)
        )
        apis = list(driver.urls.values())
        wait_until_quiet(apis, within=300)
        verdict = judge(driver, everything, env)
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        nats_server.stop()
        postgres.stop()
        shutil.rmtree(postgres.data_dir, ignore_errors=True)
        if not os.environ.get("CONBINI_CHAOS_KEEP"):
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"  kept {folder}", flush=True)
    return verdict, chaos


def run(
    *, tasks: int, shifts: int, workers: int, concurrency: int, kill_every: float, seed: int
) -> str:
    """`python -m bench chaos`: run, print what was done and found, return the final line."""
    started = time.monotonic()
    verdict, chaos = run_chaos(
        tasks=tasks,
        shifts=shifts,
        workers=workers,
        concurrency=concurrency,
        kill_every=kill_every,
        seed=seed,
    )
    killed = ", ".join(f"{role} {n}" for role, n in sorted(chaos.killed.items()))
    print(f"  killed: {killed}", flush=True)
    print(
        f"  nats restarts {chaos.nats_restarts}, postgres restarts {chaos.postgres_restarts}, "
        f"calls repeated {chaos.retried}, repeats refused {chaos.repeats_refused}, "
        f"5xx answers {chaos.server_errors}, "
        f"dead letters {verdict.dead_letters}, {time.monotonic() - started:.0f} s",
        flush=True,
    )
    for detail in verdict.details:
        print(f"  {detail}", flush=True)
    return verdict.line(chaos)
