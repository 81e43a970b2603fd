"""The simulate command, on a local typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from k2lab.commands.physiology import register


@pytest.fixture
def app() -> typer.Typer:
    a = typer.Typer()
    a.callback()(lambda: None)  # a group, so the command is named on the command line
    register(a)
    return a


runner = CliRunner()


def test_simulate_json(app: typer.Typer) -> None:
    res = runner.invoke(
        app,
        [
            "simulate",
            "--supplement",
            "MK-7 180 ug daily",
            "--supplement",
            "K1 100 ug mon,wed,fri",
            "--weeks",
            "4",
            "--population",
            "postmenopausal",
            "--json",
            "--samples",
            "5",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert len(data["time_days"]) == 29
    mgp = data["endpoints"]["dp_ucMGP_pmol_per_L"]
    for key in ("baseline", "final", "change_percent", "low", "high"):
        assert isinstance(mgp[key], float)
    assert len(mgp["trajectory"]) == 29
    assert mgp["change_percent"] < 0


def test_simulate_hours_is_hourly_with_inr(app: typer.Typer) -> None:
    res = runner.invoke(
        app,
        [
            "simulate",
            "--supplement",
            "K1 1 mg once",
            "--hours",
            "72",
            "--medication",
            "warfarin",
            "--json",
            "--samples",
            "3",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert len(data["time_h"]) == 73
    assert "INR" in data["endpoints"]
    assert data["endpoints"]["INR"]["change_percent"] < 0


def test_simulate_table_and_plot(app: typer.Typer, tmp_path: Path) -> None:
    png = tmp_path / "out.png"
    res = runner.invoke(
        app,
        [
            "simulate",
            "--supplement",
            "MK-4 45 mg daily",
            "--weeks",
            "2",
            "--medication",
            "rivaroxaban",
            "--plot",
            str(png),
            "--samples",
            "3",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "dp_ucMGP_pmol_per_L" in res.output and "direct oral anticoagulant" in res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "--supplement", "MK-7 lots daily"],
        ["simulate", "--supplement", "MK-7 -180 ug daily"],
        ["simulate", "--supplement", "MK-7 1.5 g daily"],
        ["simulate", "--population", "athletes"],
        ["simulate", "--medication", "heparin"],
        ["simulate", "--weeks", "2", "--hours", "5"],
        ["simulate", "--weeks", "-2"],
    ],
)
def test_bad_input_exits_2_with_an_example(app: typer.Typer, args: list[str]) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert "error:" in res.output and "e.g." in res.output
    assert "Traceback" not in res.output
