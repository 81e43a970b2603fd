"""``k2lab simulate --years``: the calcium system on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from k2lab.cli import app

runner = CliRunner()
EXAMPLE = str(Path(__file__).parents[2] / "examples" / "supplements_d3_calcium.toml")


@pytest.fixture(autouse=True)
def _db(food_db_path: Path) -> None:
    """Diets resolve against the session database (via K2LAB_FOOD_DB)."""


def test_compare_prints_paired_differences_as_json_and_plots(tmp_path: Path) -> None:
    plot = tmp_path / "cmp.png"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--years",
            "2",
            "--diet",
            EXAMPLE,
            "--compare",
            "MK-7 180 ug",
            "--samples",
            "5",
            "--json",
            "--plot",
            str(plot),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    a, b = data["scenarios"]
    assert a["label"] == "calcium 1000 mg + D3 50 ug"
    assert b["label"] == "calcium 1000 mg + D3 50 ug + MK-7 180 ug"
    assert a["time_days"][0] == 0 and a["time_days"][-1] == 730
    diff = data["difference_b_minus_a"]
    assert diff["dp_ucMGP_pmol_per_L"]["difference"] < 0
    assert diff["pth_pmol_per_L"]["difference"] == 0
    assert (
        diff["bmd_lumbar_spine_change_percent"]["low"]
        <= diff["bmd_lumbar_spine_change_percent"]["high"]
    )
    assert plot.stat().st_size > 10_000


def test_one_scenario_table_with_person_options() -> None:
    result = runner.invoke(
        app,
        [
            "simulate",
            "--years",
            "1",
            "--supplement",
            "D3 2000 IU",
            "--age",
            "70",
            "--sex",
            "male",
            "--egfr",
            "45",
            "--sun",
            "none",
            "--samples",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "vitamin_d25_nmol_per_L" in result.stdout
    assert "does not diagnose" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--age", "300"], "18-110"),
        (["--egfr", "0"], "eGFR must be > 0"),
        (["--egfr", "-3"], "eGFR must be > 0"),
        (["--sun", "lots"], "sunlight"),
        (["--supplement", "calcium 9000 mg"], "calcium"),
        (["--supplement", "D3 -5 ug"], "above zero"),
        (["--weeks", "3"], "not both"),
        (["--medication", "aspirin"], "Unknown medication"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", "--years", "1", "--samples", "2", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_compare_needs_years() -> None:
    result = runner.invoke(app, ["simulate", "--compare", "MK-7 180 ug"])
    assert result.exit_code == 2 and "--years" in result.stderr
