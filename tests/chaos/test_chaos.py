"""The reduced chaos run, in CI: service processes killed every second, NATS and PostgreSQL
crashed twice each, while lifecycles run; nothing lost, nothing done twice, audit clean.

The full size (`python -m bench chaos --tasks 5000`) runs on demand; see BENCHMARKS.md.
"""

import pytest

from bench.chaos import run_chaos

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]


def test_nothing_is_lost_or_duplicated_when_everything_is_killed() -> None:
    verdict, chaos = run_chaos(
        tasks=150, shifts=5, workers=60, concurrency=4, kill_every=1.0, seed=7
    )

    assert chaos.nats_restarts == 2
    assert chaos.postgres_restarts == 2
    assert chaos.kills >= 10, chaos.killed
    assert verdict.details == []
    assert verdict.tasks == 150
    assert verdict.lost == 0
    assert verdict.duplicated == 0
    assert verdict.dead_letters == 0
    assert verdict.audit_ok
    assert chaos.server_errors == 0, "a 5xx answer while processes died (503 is allowed)"
