"""`conbini demo`: a small synthetic town runs last month and ends clean."""

import subprocess
import sys
from pathlib import Path


def test_the_demo_town_runs_a_month_and_reconciles_and_audits_clean(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "conbini",
            "demo",
            "--seed",
            "1",
            "--workers",
            "120",
            "--data-dir",
            str(tmp_path / "town"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo: clean" in result.stdout
    assert "reconciliation of mine-wakuwaku" in result.stdout
    assert "replay: clean" in result.stdout
    assert result.stdout.count("chain ok") == 3
    assert "registrants 120" in result.stdout
