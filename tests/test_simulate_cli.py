"""``k2lab simulate``: every option at every horizon is honoured or refused, never ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from k2lab.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
D3_DIET = str(EXAMPLES / "supplements_d3_calcium.toml")
HORIZONS = {"hours": ["--hours", "72"], "weeks": ["--weeks", "12"], "years": ["--years", "2"]}


@pytest.fixture(autouse=True)
def _db(food_db_path: Path) -> None:
    """Diets resolve against the session database (via K2LAB_FOOD_DB)."""


def run(*args: str) -> tuple[int, Any, str]:
    result = runner.invoke(app, ["simulate", *args])
    data = json.loads(result.stdout) if result.exit_code == 0 and "--json" in args else None
    return result.exit_code, data, result.stderr


# option -> (its arguments, arguments the baseline needs for the option to matter).
# Sex and menopause matter past 50 (postmenopausal vitamin K status, bone loss).
OPTIONS: dict[str, tuple[list[str], list[str]]] = {
    "diet": (["--diet", D3_DIET], []),
    "supplement": (["--supplement", "MK-7 180 ug daily"], []),
    "supplement_d3": (["--supplement", "D3 25 ug daily"], []),
    "medication": (["--medication", "warfarin"], []),
    "population": (["--population", "postmenopausal"], []),
    "age": (["--age", "62"], []),
    "sex": (["--sex", "male"], ["--age", "60"]),
    "menopause_age": (["--menopause-age", "45"], ["--age", "48"]),
    "egfr": (["--egfr", "30"], []),
    "dialysis": (["--dialysis"], []),
    "sun": (["--sun", "high"], []),
    "calcium_food": (["--calcium-food", "500"], []),
    "vitamin_d_food": (["--vitamin-d-food", "10"], []),
    "calcification": (["--calcification", "300"], []),
    "samples": (["--samples", "3"], []),
    "seed": (["--seed", "7"], ["--samples", "3"]),
    "resolution": (["--resolution", "system"], []),
    "compare": (["--compare", "MK-7 180 ug daily"], []),
}
# Inputs that act through the calcium system only: refused where it does not run.
SYSTEM_ONLY = {"egfr", "sun", "calcium_food", "vitamin_d_food", "calcification", "supplement_d3"}


@pytest.mark.parametrize("horizon", list(HORIZONS))
@pytest.mark.parametrize("option", list(OPTIONS))
def test_no_option_is_silently_ignored(option: str, horizon: str) -> None:
    args, base = OPTIONS[option]
    if option == "resolution" and horizon != "hours":
        args = ["--resolution", "kinetics"]  # "system" is what these horizons pick anyway
    common = [*HORIZONS[horizon], "--json"]
    if "--samples" not in [*args, *base]:
        common += ["--samples", "1"]
    code0, baseline, err0 = run(*common, *base)
    assert code0 == 0, err0
    code, data, err = run(*common, *base, *args)
    if code == 2:
        # refused: only where the calcium system cannot run, and the message says why
        assert horizon == "hours" and option in SYSTEM_ONLY, err
        assert "calcium system" in err and "Traceback" not in err
        return
    assert code == 0, err
    assert data != baseline, f"{option} changed nothing at the {horizon} horizon"


def test_the_avadec_question_runs_with_dp_ucmgp_25ohd_and_calcification() -> None:
    code, data, err = run(
        "--weeks", "104", "--supplement", "MK-7 720 ug daily", "--supplement", "D3 25 ug daily",
        "--samples", "3", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert data["resolution"] == "system"
    s = data["series"]
    assert s["dp_ucMGP_pmol_per_L"]["change_percent"] < -40
    assert s["vitamin_d25_nmol_per_L"]["change_percent"] > 10
    assert s["calcification_index_AU"]["final"] >= 0
    assert data["time_h"][-1] == 104 * 168


def test_a_dialysis_patient_over_years_is_simulated_and_the_missing_layers_say_why() -> None:
    code, dial, err = run(
        "--years", "2", "--population", "hemodialysis", "--samples", "1", "--json"
    )
    assert code == 0, err
    _, healthy, _ = run("--years", "2", "--samples", "1", "--json")
    assert dial["inputs"]["population"] == "hemodialysis"
    mgp = dial["series"]["dp_ucMGP_pmol_per_L"]["baseline"]
    assert mgp > 2 * healthy["series"]["dp_ucMGP_pmol_per_L"]["baseline"]
    assert "pth_pmol_per_L" not in dial["series"]
    assert "kidney failure" in dial["skipped"]["calcium system"]


def test_person_options_move_the_answer_the_way_physiology_says() -> None:
    def final(*args: str) -> dict[str, float]:
        code, data, err = run("--years", "1", "--samples", "1", "--json", *args)
        assert code == 0, err
        return {k: v["final"] for k, v in data["series"].items()}

    base = final()
    assert final("--egfr", "30")["pth_pmol_per_L"] > base["pth_pmol_per_L"]
    assert final("--sun", "high")["vitamin_d25_nmol_per_L"] > base["vitamin_d25_nmol_per_L"]
    low_ca = final("--calcium-food", "400")
    assert low_ca["calcium_absorbed_mg_per_day"] < base["calcium_absorbed_mg_per_day"]
    assert final("--calcification", "300")["calcification_index_AU"] > 300
    older = final("--age", "65")
    assert older["bmd_lumbar_spine_change_percent"] < base["bmd_lumbar_spine_change_percent"]


def test_hours_are_hourly_with_inr() -> None:
    code, data, err = run(
        "--supplement", "K1 1 mg once", "--hours", "72", "--medication", "warfarin",
        "--samples", "3", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert data["resolution"] == "kinetics" and len(data["time_h"]) == 73
    assert data["series"]["INR"]["change_percent"] < 0


def test_compare_json_labels_and_plot(tmp_path: Path) -> None:
    plot = tmp_path / "cmp.png"
    result = runner.invoke(
        app,
        [
            "simulate", "--years", "2", "--diet", D3_DIET, "--compare", "MK-7 180 ug",
            "--samples", "5", "--json", "--plot", str(plot),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["a"]["label"] == "D3 50 ug + calcium 1000 mg"
    assert data["b"]["label"] == "D3 50 ug + calcium 1000 mg + MK-7 180 ug"
    diff = data["difference_b_minus_a"]
    assert diff["dp_ucMGP_pmol_per_L"]["difference"] < 0
    assert diff["pth_pmol_per_L"]["difference"] == 0
    bmd = diff["bmd_lumbar_spine_change_percent"]
    assert bmd["low"] <= bmd["high"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 10_000


def test_table_notes_and_plot_location(tmp_path: Path) -> None:
    png = tmp_path / "out.png"
    result = runner.invoke(
        app,
        [
            "simulate", "--supplement", "MK-4 45 mg daily", "--weeks", "2", "--medication",
            "rivaroxaban", "--plot", str(png), "--samples", "3",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "dp_ucMGP_pmol_per_L" in result.stdout
    assert "bmd_lumbar_spine_change_percent" in result.stdout  # not cut at 80 columns
    assert "direct oral anticoagulant" in result.stdout
    # the plot's location goes to stderr, so --json output stays valid JSON
    assert str(png.resolve()) in result.stderr.replace("\n", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--supplement", "MK-7 lots daily"], "e.g."),
        (["--supplement", "MK-7 -180 ug daily"], "above zero"),
        (["--supplement", "MK-7 1.5 g daily"], "above the"),
        (["--supplement", "calcium 9000 mg"], "above the 5,000 mg"),
        (["--population", "athletes"], "Unknown population"),
        (["--medication", "heparin"], "Unknown medication"),
        (["--medication", "phenprocoumon"], "not parameterised"),
        (["--medication", "teriparatide"], "calcium core"),
        (["--weeks", "2", "--hours", "5"], "not --hours and --weeks"),
        (["--weeks", "-2"], "horizon"),
        (["--years", "1e9"], "horizon"),
        (["--age", "300"], "outside 0-120"),
        (["--age", "12", "--years", "1"], "studies in adults"),
        (["--age", "111", "--resolution", "system"], "adults aged 18-110"),
        (["--egfr", "0"], "outside 1-150"),
        (["--egfr", "40", "--dialysis"], "kidney failure"),
        (["--egfr", "8", "--resolution", "system"], "not valid in kidney failure"),
        (["--sun", "lots"], "sunlight"),
        (["--sex", "male", "--menopause-age", "50"], "women only"),
        (["--samples", "0"], "n_samples"),
        (["--samples", "2000", "--years", "1"], "more than one simulation may hold"),
        (["--seed", "-1"], "seed"),
        (["--resolution", "fast"], "resolution"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr.replace("\n", " ")
    assert "Traceback" not in result.output
