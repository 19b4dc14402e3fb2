"""The rehearsal clock: one file every process reads, moved only forward, never the real one."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backbone.clock import (
    ClockMovedBackError,
    FileClock,
    OffsetClock,
    SystemClock,
    clock_from_env,
    read_offset,
    write_offset,
)
from conbini.cli import main
from conbini.clock_cli import parse_duration, parse_moment
from conbini.settings import UpSettings, clock_file
from conbini.up import prepare_clock


def test_every_reader_of_the_file_sees_the_clock_move_when_one_moves_it(tmp_path: Path) -> None:
    path = tmp_path / "rehearsal-clock.json"
    write_offset(path, timedelta(days=-3))
    mover, reader = FileClock(path), FileClock(path)
    assert abs(reader.now() - (datetime.now(UTC) - timedelta(days=3))) < timedelta(seconds=5)

    target = datetime.now(UTC) + timedelta(days=40)
    mover.move_to(target)

    assert abs(reader.now() - target) < timedelta(seconds=5)
    assert abs(read_offset(path) - timedelta(days=40)) < timedelta(seconds=5)


def test_the_clock_refuses_to_move_back_and_stays_where_it_was(tmp_path: Path) -> None:
    path = tmp_path / "rehearsal-clock.json"
    write_offset(path, timedelta(days=10))
    clock = FileClock(path)

    with pytest.raises(ClockMovedBackError, match="never moves back"):
        clock.move_to(datetime.now(UTC) + timedelta(days=9))

    assert clock.offset() > timedelta(days=9, hours=23)


def test_the_environment_picks_the_file_over_the_fixed_offset_and_the_real_clock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "clock.json"
    both = {"CONBINI_CLOCK_FILE": str(path), "CONBINI_CLOCK_OFFSET_DAYS": "-3"}

    assert isinstance(clock_from_env(both), FileClock)
    assert isinstance(clock_from_env({"CONBINI_CLOCK_OFFSET_DAYS": "-3"}), OffsetClock)
    assert isinstance(clock_from_env({"CONBINI_CLOCK_FILE": ""}), SystemClock)
    assert isinstance(clock_from_env({}), SystemClock)


def test_durations_and_moments_read_as_people_write_them() -> None:
    assert parse_duration("1d12h") == timedelta(days=1, hours=12)
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("2w") == timedelta(weeks=2)
    assert parse_moment("2027-01-01").utcoffset() == timedelta(hours=9)  # the council's zone
    for wrong in ("", "-1d", "5x", "1 day"):
        with pytest.raises(ValueError, match="not a duration"):
            parse_duration(wrong)


def test_clock_commands_refuse_a_town_on_the_real_clock_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONBINI_DATA_DIR", str(tmp_path))

    assert main(["clock", "show"]) == 0
    assert "real clock" in capsys.readouterr().out
    assert main(["clock", "advance", "1d"]) == 1
    assert "runs on the real clock" in capsys.readouterr().err
    assert main(["clock", "set", "2099-01-01T00:00+09:00"]) == 1
    assert not clock_file(tmp_path).exists()


def test_clock_commands_move_a_rehearsal_forward_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONBINI_DATA_DIR", str(tmp_path))
    write_offset(clock_file(tmp_path), timedelta(0))

    assert main(["clock", "advance", "1d2h"]) == 0
    assert "forward by 1 days 02:00" in capsys.readouterr().out
    assert main(["clock", "set", "2001-01-01T00:00+09:00"]) == 1
    assert "never moves back" in capsys.readouterr().err
    assert main(["clock", "advance", "soon"]) == 2
    offset = read_offset(clock_file(tmp_path))
    assert timedelta(hours=25, minutes=59) < offset < timedelta(hours=26, minutes=1)


def test_up_keeps_a_rehearsal_and_a_real_town_apart(tmp_path: Path) -> None:
    rehearsal = UpSettings.from_env({"CONBINI_DATA_DIR": str(tmp_path / "r")}, rehearsal=True)
    (tmp_path / "r").mkdir()
    assert prepare_clock(rehearsal)
    assert rehearsal.service_env("nats://x")["CONBINI_CLOCK_FILE"] == str(rehearsal.clock_file)
    real_on_it = UpSettings.from_env({"CONBINI_DATA_DIR": str(tmp_path / "r")})
    with pytest.raises(ValueError, match="holds a rehearsal"):
        prepare_clock(real_on_it)

    real = UpSettings.from_env({"CONBINI_DATA_DIR": str(tmp_path / "real")})
    (tmp_path / "real" / "stores").mkdir(parents=True)
    assert prepare_clock(real) == ""
    assert real.service_env("nats://x")["CONBINI_CLOCK_FILE"] == ""  # never the shell's
    with pytest.raises(ValueError, match="on the real clock"):
        prepare_clock(
            UpSettings.from_env({"CONBINI_DATA_DIR": str(tmp_path / "real")}, rehearsal=True)
        )


def test_a_rehearsal_keeps_its_data_apart_by_default() -> None:
    assert UpSettings.from_env({}, rehearsal=True).data_dir == Path(".conbini-rehearsal").resolve()
    assert UpSettings.from_env({}).data_dir == Path(".conbini").resolve()
