"""Regressions: the food database is never built over what is not k2lab's own, and never
built silently where the user named a file to open."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from k2lab.cli import app
from k2lab.errors import DataError
from k2lab.foods import FoodDatabase, build_database
from k2lab.foods.ownership import BUILDING_SUFFIX, building_prefix, remove_stale_builds

runner = CliRunner()


def test_a_device_is_never_replaced_by_a_database() -> None:
    before = os.stat("/dev/null")
    with pytest.raises(DataError, match="not a regular file"):
        build_database(Path("/dev/null"))
    result = runner.invoke(app, ["--db", "/dev/null", "foods", "stats"])
    assert result.exit_code == 2 and "not a file" in result.stderr
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_rdev) == (before.st_mode, before.st_rdev)


def test_a_mistyped_db_path_is_an_error_not_a_fresh_build(tmp_path: Path) -> None:
    missing = tmp_path / "fdc.sqltie"
    result = runner.invoke(app, ["--db", str(missing), "foods", "stats"])
    assert result.exit_code == 2 and "No food database" in result.stderr
    assert not missing.exists()


def test_a_foreign_file_or_folder_is_not_overwritten(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    with pytest.raises(DataError, match="not a k2lab food database"):
        build_database(notes)
    assert notes.read_text() == "my notes\n"
    with pytest.raises(DataError, match="not a regular file"):
        build_database(tmp_path)
    result = runner.invoke(app, ["db", "build", "--path", str(notes)])
    assert result.exit_code == 2 and notes.read_text() == "my notes\n"


def test_an_earlier_k2lab_database_may_be_rebuilt(food_db_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "foods.sqlite"
    copy.write_bytes(food_db_path.read_bytes())
    build_database(copy, usda_foods=[])
    assert len(FoodDatabase(copy)) > 0


def test_a_killed_build_leaves_no_tmp_file_after_the_next_build(tmp_path: Path) -> None:
    """A build killed with SIGKILL left ``tmp*.tmp`` files in the cache folder for ever;
    now its file is named after its process and the next build removes it, while a live
    build's file, another database's and a stranger's stay."""
    target = tmp_path / "foods.sqlite"
    dead_pid = subprocess.Popen(["true"])  # a process id that has ended
    dead_pid.wait()
    dead = tmp_path / f"{building_prefix(target, dead_pid.pid)}x1y2{BUILDING_SUFFIX}"
    journal = tmp_path / f"{dead.name}-journal"
    live = tmp_path / f"{building_prefix(target)}abc{BUILDING_SUFFIX}"
    other = (
        tmp_path / f"{building_prefix(tmp_path / 'other.sqlite', dead_pid.pid)}q{BUILDING_SUFFIX}"
    )
    stranger = tmp_path / "tmpab12.tmp"
    for p in (dead, journal, live, other, stranger):
        p.write_text("x")
    assert sorted(remove_stale_builds(target)) == sorted([dead, journal])
    assert sorted(tmp_path.iterdir()) == sorted([live, other, stranger])
