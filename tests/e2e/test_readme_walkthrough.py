"""README's walk-through, run literally: its `sh` blocks against a `conbini up --rehearsal`.

The four sections from a requester's first request to the auditor's checks are extracted
from README.md and run as one bash script (`set -euo pipefail`), in a folder of their own
where `.venv` points at this checkout's, against a rehearsal town on free ports (the
README's `BROKER`, `NOTIFY` and `PAYOUT` variables, and `CONBINI_NATS_URL`).
"""

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from backbone.nats_server import free_port
from tests.support.processes import RunningCommand
from tests.support.town import CONBINI

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (
    "A requester's first request",
    "A worker answers",
    "The accountant pays the month",
    "An auditor checks the record",
)


def walkthrough_blocks(readme: str) -> list[str]:
    """The ```sh blocks of the walk-through's sections, in order."""
    blocks: list[str] = []
    for title in SECTIONS:
        heading = rf"^### {re.escape(title)}\n(.*?)(?=^#{{2,3}} )"
        match = re.search(heading, readme, re.MULTILINE | re.DOTALL)
        assert match, f"README.md has no section {title!r}"
        found = re.findall(r"^```sh\n(.*?)^```", match.group(1), re.MULTILINE | re.DOTALL)
        assert found, f"the section {title!r} has no sh block"
        blocks.extend(found)
    return blocks


@pytest.fixture
def rehearsal(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`conbini up --rehearsal` in `tmp_path`, its data in the README's `.conbini-rehearsal`."""
    env = {
        "CONBINI_DATA_DIR": str(tmp_path / ".conbini-rehearsal"),
        "CONBINI_NATS_PORT": str(free_port()),
        "CONBINI_NATS_MONITOR_PORT": str(free_port()),
        "CONBINI_BROKER_PORT": str(free_port()),
        "CONBINI_NOTIFY_PORT": str(free_port()),
        "CONBINI_PAYOUT_PORT": str(free_port()),
    }
    command = RunningCommand([*CONBINI, "up", "--rehearsal"], env=env, cwd=tmp_path)
    try:
        command.wait_for("Press Ctrl-C", timeout=120)
        assert any("a REHEARSAL" in line for line in command.lines)
        yield env
        assert command.interrupt() == 0
    finally:
        command.kill()


def test_following_the_readme_reaches_a_paid_month_and_a_clean_audit(
    rehearsal: dict[str, str], tmp_path: Path
) -> None:
    script = "\n".join(
        [
            "set -euo pipefail",
            *walkthrough_blocks(ROOT.joinpath("README.md").read_text(encoding="utf-8")),
        ]
    )
    (tmp_path / "walkthrough.sh").write_text(script, encoding="utf-8")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    shell = {k: v for k, v in os.environ.items() if not k.startswith(("CONBINI_", "VIRTUAL_ENV"))}
    shell |= {
        "BROKER": f"http://127.0.0.1:{rehearsal['CONBINI_BROKER_PORT']}",
        "NOTIFY": f"http://127.0.0.1:{rehearsal['CONBINI_NOTIFY_PORT']}",
        "PAYOUT": f"http://127.0.0.1:{rehearsal['CONBINI_PAYOUT_PORT']}",
        "CONBINI_NATS_URL": f"nats://127.0.0.1:{rehearsal['CONBINI_NATS_PORT']}",
    }

    result = subprocess.run(
        ["bash", str(tmp_path / "walkthrough.sh")],
        cwd=tmp_path,
        env=shell,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"reconciliation of mine-wakuwaku \d{4}-\d{2}: clean", result.stdout), output
    assert "replay: clean" in result.stdout, output
    assert result.stdout.count("chain ok") == 3, output
    assert (tmp_path / "zengin.txt").stat().st_size > 0
    assert (tmp_path / "audit-export" / "digests.json").is_file()
    assert list(tmp_path.glob("kpi-fy*.html"))
    assert '"status": "completed"' in result.stdout or "completed" in result.stdout

    back = subprocess.run(
        [*CONBINI, "clock", "set", "2020-01-01T00:00+09:00"],
        cwd=tmp_path,
        env=shell | {"CONBINI_DATA_DIR": rehearsal["CONBINI_DATA_DIR"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert back.returncode == 1
    assert "never moves back" in back.stderr
