"""The validate command, on a local typer app."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from k2lab.commands.physiology import register

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


@pytest.fixture
def app() -> typer.Typer:
    a = typer.Typer()
    register(a)
    a.callback()(lambda: None)  # a group, so "validate" is a subcommand
    return a


runner = CliRunner()


def test_validate_prints_the_committed_page(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "validation.md"
    res = runner.invoke(app, ["validate", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output == DOC.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    assert "| dp_ucMGP_pmol_per_L | validation |" in res.output
