"""How fast the broker chooses offers among many registered workers.

Registers N workers with constraints drawn like the seed's town (seven personas, Mine
City's districts, weekday habits), then carves T tasks through the real command (each
task saved with its offers, in-memory store) and times choosing the offers for each one.
The peer in the same run is the plain full scan (`rank_candidates` over every worker) on a
sample of the same tasks; both must choose the same workers.
"""

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from backbone.runtime import open_store
from backbone.stores import StoreSettings
from broker.application import BrokerApplication
from broker.commands.carve_task import CarveTask, carve_task
from broker.commands.submit_job_request import SubmitJobRequest, submit_job_request
from broker.districts import MINE_CITY, mine_city_places
from broker.domain.matching import Ranked, first_eligible, rank_candidates
from broker.domain.task import Task
from broker.domain.values import (
    TOKYO,
    Constraints,
    DailyWindow,
    PhysicalLoad,
    RewardKind,
    Sector,
    Shift,
    Travel,
    WorkStyle,
)
from broker.domain.worker import Worker, constraints_to_state
from broker.policies.routes import ROUTES

TENANT = "mine-wakuwaku"
PER_SAVE = 1000
NOW = datetime(2026, 10, 1, tzinfo=UTC)
DISTRICTS = list(MINE_CITY)
PERSONAL = "山田 花子 / やまだ はなこ / 090-1234-5678 / 美祢市大嶺町".encode()
"""What is sealed per worker: about the size of real details."""
WORK = ["harvest", "cleaning", "cooking", "packing", "care", "office"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the benchmark's options."""
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--tasks", type=int, default=1_000)
    parser.add_argument("--peer-sample", type=int, default=20, help="tasks also full-scanned")
    parser.add_argument("--seed", type=int, default=7)


def persona(rng: random.Random) -> Constraints:
    """One registrant's constraints, after the seed's seven personas."""
    kind = rng.choice(["older", "parent", "carer", "treatment", "withdrawn", "no_car", "side"])
    mornings = (DailyWindow(8 * 60, 12 * 60),)
    days = {
        "older": {d: (DailyWindow(8 * 60, 14 * 60),) for d in rng.sample(range(5), 3)},
        "parent": {d: (DailyWindow(9 * 60 + 30, 14 * 60),) for d in range(5)},
        "carer": dict.fromkeys(rng.sample(range(7), 2), mornings),
        "treatment": {d: (DailyWindow(10 * 60, 15 * 60),) for d in rng.sample(range(5), 2)},
        "withdrawn": {d: (DailyWindow(13 * 60, 20 * 60),) for d in range(7)},
        "no_car": {d: (DailyWindow(9 * 60, 16 * 60),) for d in range(5)},
        "side": {d: (DailyWindow(17 * 60, 21 * 60),) for d in range(5)}
        | {5: (DailyWindow(8 * 60, 17 * 60),)},
    }[kind]
    travel = {
        "carer": Travel.NONE,
        "withdrawn": Travel.NONE,
        "no_car": rng.choice([Travel.WALK, Travel.BICYCLE, Travel.BUS]),
    }.get(kind, rng.choice([Travel.CAR, Travel.BICYCLE, Travel.BUS, Travel.WALK]))
    style = {"carer": WorkStyle.HOME_ONLY, "withdrawn": WorkStyle.SOLO_ONLY}.get(
        kind, WorkStyle.TEAM_OK
    )
    return Constraints(
        weekly=days,
        home_district=rng.choice(DISTRICTS),
        travel=travel,
        max_travel_minutes=rng.choice([15, 20, 30, 45, 60]),
        max_load=PhysicalLoad.LIGHT
        if kind in ("older", "treatment")
        else rng.choice(list(PhysicalLoad)),
        style=style,
    )


def register_town(app: BrokerApplication, count: int, rng: random.Random) -> None:
    """Register `count` workers, 1,000 per transaction."""
    batch: list[Worker] = []
    for _ in range(count):
        worker_id = uuid4()
        batch.append(
            Worker(
                id=worker_id,
                personal=app.vault.seal(worker_id, PERSONAL),
                tenant=TENANT,
                birth_year=rng.randint(1938, 2000),
                sex=rng.choice(["female", "male"]),
                district=rng.choice(DISTRICTS),
                skills=sorted(rng.sample(WORK, rng.randint(1, 3))),
                preferred_work_types=sorted(rng.sample(WORK, rng.randint(0, 2))),
                constraints=constraints_to_state(persona(rng)),
            )
        )
        if len(batch) == PER_SAVE:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)


def a_request(app: BrokerApplication, rng: random.Random) -> UUID:
    """A requester's job (five shifts' worth), on a random weekday fortnight."""
    work = rng.choice(WORK)
    cmd = SubmitJobRequest(
        title=f"{work} の しごと",
        work_type=work,
        sector=rng.choice(list(Sector)),
        district=rng.choice([*DISTRICTS, None]),
        starts_on=date(2026, 10, 5),
        ends_on=date(2026, 10, 16),
        window_start=8 * 60,
        window_end=18 * 60,
        volume_minutes=900,
        skills=[work],
        load=rng.choice([PhysicalLoad.LIGHT, PhysicalLoad.LIGHT, PhysicalLoad.MEDIUM]),
        reward_kind=RewardKind.HOURLY,
        reward_yen=1050,
    )
    return submit_job_request(app, cmd, tenant=TENANT, requester_id=UUID(int=1), now=NOW)


def a_shift(request_id: UUID, rng: random.Random) -> CarveTask:
    """A 2–3 hour shift inside the request's fortnight and window."""
    day = date(2026, 10, 5) + timedelta(days=rng.randrange(12))
    start = datetime(day.year, day.month, day.day, rng.choice([8, 9, 10, 13, 14]), tzinfo=TOKYO)
    return CarveTask(
        job_request_id=request_id,
        starts_at=start,
        ends_at=start + timedelta(minutes=rng.choice([120, 150, 180])),
    )


def peer_check(
    app: BrokerApplication, request_ids: list[UUID], sample: int, rng: random.Random
) -> float:
    """Full-scan the same shifts the index answers; return the scan's median ms.

    Raises:
        RuntimeError: the index and the full scan chose different workers.
    """
    scan_times: list[float] = []
    for number in range(sample):
        job = app.job_request(request_ids[number % len(request_ids)], TENANT)
        cmd = a_shift(job.id, rng)
        terms = job.terms
        shift = Shift(
            starts_at=cmd.starts_at,
            ends_at=cmd.ends_at,
            district=terms["district"],
            load=PhysicalLoad(terms["load"]),
            team=terms["team"],
            skills=frozenset(terms["skills"]),
        )
        everyone = list(app.registry.candidates(TENANT, NOW))
        begun = time.perf_counter()
        scanned = rank_candidates(
            shift,
            terms["work_type"],
            everyone,
            is_holiday=app.is_holiday,
            places=app.places,
            limit=app.offer_fanout,
        )
        scan_times.append(time.perf_counter() - begun)
        ordered = app.registry.ordered_candidates(
            TENANT,
            shift,
            terms["work_type"],
            app.places,
            NOW,
            holiday=app.is_holiday(shift.local_day),
        )
        indexed = first_eligible(
            shift,
            terms["work_type"],
            ordered,
            is_holiday=app.is_holiday,
            places=app.places,
            limit=app.offer_fanout,
        )
        if [r.worker_id for r in scanned] != [r.worker_id for r in indexed]:
            msg = f"index and full scan disagree for {shift}"
            raise RuntimeError(msg)
    return statistics.median(scan_times) * 1000


def run(*, workers: int, tasks: int, peer_sample: int, seed: int) -> str:
    """Measure and return the final `key=value` line."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible town, not a secret
    app = open_store("broker", BrokerApplication, StoreSettings(), ROUTES)
    app.places = mine_city_places()
    register_town(app, workers, rng)
    app.registry.catch_up(app)
    requests = [a_request(app, rng) for _ in range(max(1, tasks // 5))]
    app.registry.catch_up(app)
    scan_ms = peer_check(app, requests, peer_sample, rng)

    timings: list[float] = []
    offer_next = app.offer_next

    def timed(task: Task, *, now: datetime) -> list[Ranked]:
        started = time.perf_counter()
        chosen = offer_next(task, now=now)
        timings.append(time.perf_counter() - started)
        return chosen

    app.offer_next = timed  # type: ignore[method-assign]
    started = time.perf_counter()
    carved = [
        carve_task(app, a_shift(requests[n % len(requests)], rng), tenant=TENANT, now=NOW)
        for n in range(tasks)
    ]
    total = time.perf_counter() - started
    offered = sum(1 for task in carved if task.offers)
    p99 = statistics.quantiles(timings, n=100)[98] * 1000
    print(
        f"indexed: p50 {statistics.median(timings) * 1000:.2f} ms, p99 {p99:.2f} ms per task; "
        f"full-scan peer (same choices): p50 {scan_ms:.0f} ms per task; "
        f"{offered}/{tasks} tasks found eligible workers",
        flush=True,
    )
    return (
        f"matching p99_offer_ms={p99:.2f} carve_and_offer_{tasks}_s={total:.2f} workers={workers}"
    )
