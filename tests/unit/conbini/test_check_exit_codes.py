"""Checks that could not compare with the streams say so and exit 3, never a clean 0."""

import os
from pathlib import Path
from typing import Any

import pytest

from conbini import audit_cli, payout_cli
from conbini.cli import main


async def nats_did_not_answer(*_: Any, **__: Any) -> None:
    """What the stream readers return when NATS does not answer."""


@pytest.fixture(name="empty_town")
def empty_town_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty SQLite stores in a data dir of their own; NATS unreachable."""
    monkeypatch.setenv("CONBINI_DATA_DIR", str(tmp_path))
    for name in list(os.environ):
        if name.startswith("CONBINI_") and name != "CONBINI_DATA_DIR":
            monkeypatch.delenv(name)
    monkeypatch.setattr(payout_cli, "completed_tasks", nats_did_not_answer)
    monkeypatch.setattr(audit_cli, "stream_ids", nats_did_not_answer)
    return tmp_path


@pytest.mark.usefixtures("empty_town")
def test_reconcile_exits_3_and_says_so_when_nats_did_not_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["payout", "reconcile", "--period", "2026-11"]) == 3

    out = capsys.readouterr().out
    assert "NOT fully checked" in out
    assert "NOT compared" in out
    assert ": clean" not in out


@pytest.mark.usefixtures("empty_town")
def test_replay_exits_3_when_the_streams_could_not_be_compared_and_0_when_told_to_skip(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["audit", "replay"]) == 3
    assert "NOT compared" in capsys.readouterr().out

    assert main(["audit", "replay", "--no-streams"]) == 0
    out = capsys.readouterr().out
    assert "replay: clean" in out
    assert "--no-streams" in out


def test_the_exit_codes_are_in_the_commands_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["payout", "reconcile", "--help"], ["audit", "replay", "--help"]):
        with pytest.raises(SystemExit):
            main(command)
        assert "3  could not check everything" in capsys.readouterr().out
