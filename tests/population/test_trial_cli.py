"""``k2lab trial run|power``: JSON, plots, stored results, exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from k2lab.cli import app
from k2lab.commands.trial import parse_ns
from k2lab.errors import K2LabError

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "trials"

SMALL = """
[trial]
visits_weeks = [0, 12]
[[arms]]
name = "placebo"
n = 5
[[arms]]
name = "MK-7"
n = 5
regimens = ["MK-7 180 ug daily"]
[[endpoints]]
name = "dp_ucMGP_pmol_per_L"
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    p = tmp_path / "small.toml"
    p.write_text(SMALL, encoding="utf-8")
    return p


def test_run_json_plot_and_store(spec: Path, tmp_path: Path) -> None:
    png, stored = tmp_path / "t.png", tmp_path / "t.json"
    r = runner.invoke(
        app, ["trial", "run", str(spec), "--json", "--plot", str(png), "--output", str(stored)]
    )
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data == json.loads(stored.read_text(encoding="utf-8"))
    effect = data["effects"][0]
    assert effect["endpoint"] == "dp_ucMGP_pmol_per_L" and effect["difference"]["estimate"] < 0
    assert set(data["visits"]) == {"placebo", "MK-7"}
    assert png.stat().st_size > 1000


def test_run_table(spec: Path) -> None:
    r = runner.invoke(app, ["trial", "run", str(spec), "--store", str(spec.parent / "chunks")])
    assert r.exit_code == 0 and "dp_ucMGP" in r.stdout
    assert list((spec.parent / "chunks").glob("*.npz"))


def test_power_json_and_plot(spec: Path, tmp_path: Path) -> None:
    png = tmp_path / "p.png"
    r = runner.invoke(
        app,
        [
            "trial",
            "power",
            str(spec),
            "--endpoint",
            "dp_ucMGP_pmol_per_L",
            "--n",
            "3:6:3",
            "--replicates",
            "2",
            "--json",
            "--plot",
            str(png),
        ],
    )
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    assert [row["n_per_arm"] for row in rows] == [3, 6]
    assert png.stat().st_size > 1000


@pytest.mark.parametrize(
    "args",
    [
        ["trial", "run", "missing.toml"],
        ["trial", "run", str(EXAMPLES / "dp_ucmgp_12_weeks.toml"), "--chunk", "0"],
        [
            "trial",
            "power",
            str(EXAMPLES / "dp_ucmgp_12_weeks.toml"),
            "--endpoint",
            "INR",
            "--n",
            "10",
        ],
        [
            "trial",
            "power",
            str(EXAMPLES / "dp_ucmgp_12_weeks.toml"),
            "--endpoint",
            "dp_ucMGP_pmol_per_L",
            "--n",
            "ten",
        ],
    ],
)
def test_bad_input_exits_2(args: list[str]) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "error:" in r.stderr and "Traceback" not in r.stderr


def test_parse_ns() -> None:
    assert parse_ns("50:200:50") == [50, 100, 150, 200]
    assert parse_ns("10,30") == [10, 30]
    with pytest.raises(K2LabError):
        parse_ns("9:3")
