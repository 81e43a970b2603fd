"""k2lab validate: both layers in one report; the committed docs are its output."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from k2lab.commands.validate import register
from k2lab.validation import (
    ArmResult,
    Validation,
    endpoint_errors,
    load_trials,
    validate,
    validation_json,
    validation_markdown,
)
from k2lab.validation.report import calcium_trials_markdown
from k2lab.validation.ten_year import ten_year_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"
runner = CliRunner()


@pytest.fixture(scope="module")
def validation() -> Validation:
    return validate()


@pytest.fixture
def app() -> typer.Typer:
    a = typer.Typer()
    a.callback()(lambda: None)  # a group, so the command is named on the command line
    register(a)
    return a


def _block(doc: str, name: str) -> str:
    start = doc.index(f"<!-- BEGIN {name} -->\n") + len(f"<!-- BEGIN {name} -->\n")
    return doc[start : doc.index(f"<!-- END {name} -->")]


def test_the_committed_docs_are_what_the_model_computes_now(validation: Validation) -> None:
    # tools/update_docs.py rewrites them after a model or table change.
    assert (DOCS / "validation.md").read_text(encoding="utf-8") == validation_markdown(validation)
    doc = (DOCS / "calcium_system.md").read_text(encoding="utf-8")
    assert _block(doc, "trials") == calcium_trials_markdown(validation.arms)
    assert _block(doc, "ten-year") == ten_year_markdown()


def test_every_arm_of_both_layers_is_reported(validation: Validation) -> None:
    assert [r.arm.arm_id for r in validation.arms] == [a.arm_id for a in load_trials()]
    assert all(math.isfinite(r.predicted) and r.low <= r.high for r in validation.arms)
    page = validation_markdown(validation)
    assert "| physiology | dp_ucMGP_pmol_per_L | validation |" in page
    assert "| calcium | calcification_index_AU | validation |" in page


def test_errors_per_endpoint_are_rms_and_mean_over_the_arms() -> None:
    arms = {a.arm_id: a for a in load_trials()}
    results = [
        ArmResult(arms["dalmeijer_180_mgp"], -28.0, -40.0, -10.0),  # observed -31: +3
        ArmResult(arms["dalmeijer_360_mgp"], -50.0, -60.0, -30.0),  # observed -46: -4
        ArmResult(arms["dalmeijer_180_oc"], -60.0, -70.0, -50.0),  # observed -60: 0
    ]
    by_name = {(e.endpoint, e.role): e for e in endpoint_errors(results)}
    mgp = by_name["dp_ucMGP_pmol_per_L", "calibration"]
    assert (mgp.n_arms, mgp.unit) == (2, "pp")
    assert mgp.rms_error == pytest.approx(math.sqrt((9 + 16) / 2))
    assert mgp.mean_error == pytest.approx(-0.5)
    every = by_name["all endpoints in pp", "calibration"]
    assert every.n_arms == 3 and every.rms_error == pytest.approx(math.sqrt(25 / 3))


def test_validate_prints_the_committed_page(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "validation.md"
    res = runner.invoke(app, ["validate", "--output", str(out)])
    assert res.exit_code == 0, res.output
    committed = (DOCS / "validation.md").read_text(encoding="utf-8")
    assert res.output == committed == out.read_text(encoding="utf-8")


def test_validate_json_has_both_layers(
    validation: Validation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from k2lab.cli import app as k2lab_app

    monkeypatch.setattr("k2lab.validation.validate", lambda: validation)
    res = runner.invoke(k2lab_app, ["validate", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data == json.loads(json.dumps(validation_json(validation)))
    assert {a["layer"] for a in data["arms"]} == {"physiology", "calcium"}
    assert len(data["arms"]) == len(load_trials())
    assert {p["layer"] for p in data["parameters"]} == {"physiology", "calcium"}
    shea = next(a for a in data["arms"] if a["arm_id"] == "shea_k1_cac")
    assert shea["error_unit"] == "AU" and shea["person"] == {"age": 68.0, "sex": "female"}


def test_write_params_rewrites_the_calibration_record(
    app: typer.Typer, validation: Validation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("k2lab.validation.validate", lambda: validation)
    out = tmp_path / "calibrated_params.csv"
    res = runner.invoke(app, ["validate", "--write-params", str(out), "--json"])
    assert res.exit_code == 0, res.output
    shipped = Path(__file__).resolve().parents[2] / "src" / "k2lab" / "data"
    assert out.read_text(encoding="utf-8") == (shipped / "calibrated_params.csv").read_text(
        encoding="utf-8"
    )
    assert "bmd_loss_percent_per_year postmenopausal/lumbar_spine: fitted 0.6138" in res.stderr


def test_an_unwritable_output_exits_2(
    app: typer.Typer, validation: Validation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("k2lab.validation.validate", lambda: validation)
    res = runner.invoke(app, ["validate", "--output", str(tmp_path / "no" / "such.md")])
    assert res.exit_code == 2
    assert "Cannot write" in res.output and "Traceback" not in res.output
