"""Every k2lab command in the README's shell blocks runs and exits 0 (or 2 where its comment
says "exit 2": the README shows a refused input on purpose)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from k2lab.cli import app
from k2lab.foods import FoodDatabase

from .conftest import ROOT

#: Commands that need the official FoodData Central download (not shipped, not in CI).
NEEDS_DOWNLOAD = ("db import-fdc", "--db fdc.sqlite")
#: Commands that serve until stopped (the web app has its own tests).
SERVES = ("k2lab serve",)


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```$", text, flags=re.S | re.M)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.startswith("k2lab ") and not any(n in line for n in (*NEEDS_DOWNLOAD, *SERVES))
    ]


def test_readme_has_commands() -> None:
    assert len(readme_commands()) >= 15


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs(
    command: str, db: FoodDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)  # plots land in tmp_path
    result = CliRunner().invoke(app, shlex.split(command, comments=True)[1:])
    expected = 2 if re.search(r"#\s*exit 2", command) else 0
    assert result.exit_code == expected, result.output
    assert result.output.strip()
