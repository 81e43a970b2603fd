"""CLI: advise and report (exit codes, JSON, messages); plan is tested in tests/plan."""

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


D3 = str(EXAMPLES / "supplements_d3_calcium.toml")


def test_advise_json_warning_then_mk7_removes_it() -> None:
    code, out, _ = run("advise", "--diet", D3, "--json")
    assert code == 0
    data = json.loads(out)
    ids = [a["rule_id"] for a in data["advice"]]
    assert "d3_calcium_low_k2" in ids
    warn = data["advice"][ids.index("d3_calcium_low_k2")]
    assert warn["evidence_grade"].startswith("very low")
    assert {c["claim_id"] for c in warn["claims"]} >= {"d3_synergy"}
    assert all(k in data["sources"] for k in warn["source_keys"])
    assert "does not diagnose" in data["disclaimer"]
    code, out, _ = run("advise", "--diet", D3, "--supplement", "MK-7 180 ug", "--json")
    assert "d3_calcium_low_k2" not in [a["rule_id"] for a in json.loads(out)["advice"]]


def test_advise_without_diet_file() -> None:
    code, out, _ = run(
        "advise", "--supplement", "D3 50 ug", "--supplement", "calcium 1000 mg", "--json"
    )
    assert code == 0
    assert "d3_calcium_low_k2" in [a["rule_id"] for a in json.loads(out)["advice"]]


def test_advise_warfarin_natto_then_apixaban() -> None:
    diet = str(EXAMPLES / "vegan_natto.toml")
    code, out, _ = run("advise", "--diet", diet, "--medication", "warfarin")
    assert code == 0 and "DANGER" in out and "INR" in out
    code, out, _ = run("advise", "--diet", diet, "--medication", "apixaban", "--json")
    ids = [a["rule_id"] for a in json.loads(out)["advice"]]
    assert "vka_natto" not in ids and "doac_diet" in ids


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("advise", "--medication", "warfarine"), "Did you mean warfarin"),
        (("advise", "--population", "athlete"), "population"),
        (("advise", "--target", "90 ug K1"), "menaquinone"),
        (("advise", "--target", "90 IU K2"), ""),
        (("advise", "--supplement", "K2 100 ug"), "MK-7"),
    ],
)
def test_bad_input_exits_2(args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2, err
    assert "error" in err and message in err


def test_report_includes_advice_and_a_suggested_change() -> None:
    code, out, _ = run("report", D3, "--json")
    assert code == 0
    data = json.loads(out)
    assert "d3_calcium_low_k2" in [a["rule_id"] for a in data["advice"]]
    assert data["suggested_change"]["change"]
    code, out, _ = run("report", D3, "--medication", "warfarin")
    assert code == 0 and "Suggested change" in out and "Advice" in out


def test_advise_k1_reference_choice() -> None:
    args = ("advise", "--supplement", "D3 10 ug", "--json", "--sex", "male", "--age", "40")
    code, out, _ = run(*args, "--k1-reference", "IOM")
    k1 = next(a for a in json.loads(out)["advice"] if a["rule_id"] == "k1_below_reference")
    assert k1["numbers"]["k1_reference_ug_per_day"] == 120
    code, _, err = run(*args, "--k1-reference", "WHO")
    assert code == 2 and "K1 reference" in err
