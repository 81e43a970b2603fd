"""CLI: k2lab plan (exit codes, JSON, the diary diff)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from k2lab.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _db(food_db_path: Path) -> None:
    """Every CLI test uses the session database (via K2LAB_FOOD_DB)."""


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "--pattern", "paleo"), "diet"),
        (("plan", "--exclude", "nato"), "Natto"),
        (("plan", "--target", "180 mg"), ""),
        (("plan", "--activity", "couch"), "activity"),
        (("plan", "--k-only", "--objective", "tastiest"), "objective"),
        (("plan", "--k-only", "--objective", "cost"), "prices"),
        (("plan", "--k-only", "--price", "natto"), "price"),
        (("plan", "--backend", "gurobi", "--k-only"), "backend"),
        (("plan", "--days", "0"), "days"),
        (("plan", "--age", "12"), "19"),
    ],
)
def test_bad_input_exits_2(args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2, err
    assert "error" in err and message in err


def test_diary_diff_for_omnivore() -> None:
    code, out, _ = run("plan", "--from", str(EXAMPLES / "omnivore.toml"), "--target", "180 ug K2")
    assert code == 0, out
    assert "Changes to your diary" in out and "Natto" in out
    code, out, _ = run(
        "plan", "--from", str(EXAMPLES / "omnivore.toml"), "--target", "180 ug K2", "--json"
    )
    data = json.loads(out)
    assert data["status"] == "ok" and 1 <= len(data["changes"]) <= 3
    assert data["binding"] and data["k2_note"]


def test_infeasible_plan_exits_2_and_names_what_to_relax() -> None:
    code, out, _ = run(
        "plan",
        "--k-only",
        "--pattern",
        "vegan",
        "--target",
        "180 ug K2",
        "--exclude",
        "soy",
        "--json",
    )
    assert code == 2
    data = json.loads(out)
    assert data["status"] == "infeasible"
    assert "k2" in data["diagnosis"]["relax"]
    assert data["diagnosis"]["proposed_supplements"][0].startswith("MK-7")
    assert data["diagnosis"]["feasible_with_proposal"] is True


def test_k_only_warfarin_mode_has_no_natto() -> None:
    code, out, _ = run(
        "plan",
        "--k-only",
        "--medication",
        "warfarin",
        "--target",
        "30 ug K2",
        "--days",
        "3",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["constraints"]["steady_k_range_ug"] == 100.0
    assert not any(f["food_key"].startswith("natto") for d in data["days"] for f in d["foods"])
