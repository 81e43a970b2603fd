"""The composed SBML export: libroadrunner runs it like k2lab's engine, and its slow-layer
ODEs reproduce k2lab's own bone and vessel computations; ``k2lab model export``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from k2lab.calcium import (
    CalciumModel,
    CalciumScenario,
    CalciumTrajectory,
    calcium_parameters,
    d25_model_parameters,
    simulate_calcium,
)
from k2lab.calcium.bone import SITES, remodelling_bmd
from k2lab.calcium.export import composed_sbml, export_sources
from k2lab.calcium.params import calcium_sources
from k2lab.calcium.reference import load_reference_runner, simulate_reference
from k2lab.calcium.vessel import calcification_index
from k2lab.cli import app
from k2lab.errors import ModelFileError

#: Agreement of libroadrunner (CVODE) on the exported file with k2lab's engine, relative.
#: Measured: at most 5.1e-6 (25(OH)D); PTH 3.8e-6, plasma calcium 1.7e-7.
RTOL_ENGINE = 1e-4
#: The exported slow-layer ODEs against k2lab's own daily computation (bone.py and
#: vessel.py integrate daily values): relative to the BMD change over the year and to the
#: calcification index. Measured: 3e-5 (BMD change) and 2e-4 (index, largest on day 1).
RTOL_SLOW = 1e-3
#: The scenario: calcium intake falls from 964 to 500 mg/day after a month, vitamin D
#: rises from 5 to 50 µg/day (25(OH)D from 33 to 52 nmol/L), and dp-ucMGP is 40 % lower
#: than at baseline throughout (the vessel layer's external driver).
DP_UCMGP_FALL = 0.4


@pytest.fixture(scope="module")
def text() -> str:
    return composed_sbml()


@pytest.fixture(scope="module")
def runs(text: str) -> tuple[CalciumModel, CalciumTrajectory, CalciumTrajectory]:
    model = CalciumModel.from_sbml_text(text)
    scenario = CalciumScenario(
        calcium_intake_mg_per_day=np.r_[np.full(30, 964.0), np.full(335, 500.0)],
        parameters={
            **d25_model_parameters(50.0, habitual_ug_per_day=5.0),
            "k2lab_dp_ucmgp_rel_fall": DP_UCMGP_FALL,
        },
    )
    ours = simulate_calcium(model, scenario, years=1)
    reference = simulate_reference(model, scenario, years=1, runner=load_reference_runner(text))
    return model, ours, reference


def test_roadrunner_on_the_export_agrees_with_the_engine(
    runs: tuple[CalciumModel, CalciumTrajectory, CalciumTrajectory],
) -> None:
    model, ours, reference = runs
    for name in (
        "plasma_calcium_mmol_per_l",
        "pth_pmol_per_l",
        "calcitriol_pmol_per_l",
        "vitamin_d25_nmol_per_l",
        "bmd_remodelling_lumbar_spine_rel",
        "bmd_remodelling_femoral_neck_rel",
        "calcification_index_au",
    ):
        ref = reference.endpoints[name][0]
        got = ours.endpoints[name][0]
        # Day 0 of the calcification index is 0 (no existing calcium): compare from day 1.
        start = 1 if name == "calcification_index_au" else 0
        rel = np.abs(got[start:] - ref[start:]) / np.abs(ref[start:])
        assert float(np.max(rel)) <= RTOL_ENGINE, (name, float(np.max(rel)))
    # The scenario moves what it should: a real change for each layer to agree on.
    d25 = reference.endpoints["vitamin_d25_nmol_per_l"][0]
    assert d25[0] == pytest.approx(32.5, abs=0.5) and d25[-1] == pytest.approx(52.4, abs=0.5)
    assert reference.endpoints["pth_pmol_per_l"][0, -1] > 1.03 * 3.85
    assert reference.endpoints["bmd_remodelling_lumbar_spine_rel"][0, -1] < 0.99
    assert model.n_species == CalciumModel.extended().n_species + 3


def test_exported_slow_layers_equal_k2labs_own_computation(
    runs: tuple[CalciumModel, CalciumTrajectory, CalciumTrajectory],
) -> None:
    _, ours, reference = runs
    p = calcium_parameters()
    ob = ours.endpoints["osteoblasts_pmol_per_l"]
    oc = ours.endpoints["osteoclasts_pmol_per_l"]
    for site in SITES:
        own = remodelling_bmd(
            ob / ob[:, :1],
            oc / oc[:, :1],
            kout_per_day=p.value("bmd_kout_per_h", site) * 24.0,
            gamma_ob=p.value("bmd_gamma_ob"),
            gamma_oc=p.value("bmd_gamma_oc", site),
        )[0]
        exported = reference.endpoints[f"bmd_remodelling_{site}_rel"][0]
        change = float(np.max(np.abs(exported - 1.0)))
        assert change > 1e-3, site
        assert float(np.max(np.abs(own - exported))) <= RTOL_SLOW * change, site
    cap = (
        ours.endpoints["plasma_calcium_mmol_per_l"] * ours.endpoints["plasma_phosphate_mmol_per_l"]
    )
    own = calcification_index(
        cap / cap[:, :1],
        np.full_like(cap, DP_UCMGP_FALL),
        baseline_au=0.0,
        progression_au_per_year=p.value("cac_progression_au_per_year"),
        caxp_gamma=p.value("cac_caxp_gamma"),
        mgp_inhibition=p.value("cac_mgp_inhibition"),
    )[0]
    exported = reference.endpoints["calcification_index_au"][0]
    assert exported[-1] == pytest.approx(12.4 * (1 - 0.15 * DP_UCMGP_FALL), rel=0.05)
    rel = np.abs(own[1:] - exported[1:]) / exported[1:]
    assert float(np.max(rel)) <= RTOL_SLOW, float(np.max(rel))


def test_neutral_export_reproduces_the_published_core(text: str, model: CalciumModel) -> None:
    composed = simulate_calcium(CalciumModel.from_sbml_text(text), years=0.2)
    published = simulate_calcium(model, years=0.2)
    # The added species enter the solver's step control, so the steps differ: agreement
    # is to the solver's tolerance (rtol 1e-6), not to the last digit.
    for name, values in published.endpoints.items():
        np.testing.assert_allclose(composed.endpoints[name], values, rtol=1e-5, err_msg=name)


def test_export_refuses_what_it_cannot_compose(text: str) -> None:
    with pytest.raises(ModelFileError):
        composed_sbml(sbml_text=text)
    with pytest.raises(ModelFileError):
        composed_sbml(sbml_text="<not sbml")
    keys = export_sources()
    assert {"openbonemin", "shea2009", "jones2008_ajcn"} <= set(keys)
    assert set(keys) <= set(calcium_sources())


def test_model_export_command_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    cli = CliRunner()
    target = tmp_path / "composed.xml"
    first = cli.invoke(app, ["model", "export", "--sbml", str(target)])
    assert first.exit_code == 0, first.output
    assert target.read_text(encoding="utf-8") == composed_sbml()
    target.write_text("mine", encoding="utf-8")
    again = cli.invoke(app, ["model", "export", "--sbml", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    assert target.read_text(encoding="utf-8") == "mine"
    forced = cli.invoke(app, ["model", "export", "--sbml", str(target), "--force", "--json"])
    assert forced.exit_code == 0 and '"source_keys"' in forced.output
    assert target.read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.parametrize("where", ["missing/dir/out.xml", "."])
def test_model_export_command_refuses_bad_paths(tmp_path: Path, where: str) -> None:
    result = CliRunner().invoke(app, ["model", "export", "--sbml", str(tmp_path / where)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_docstring_example() -> None:
    import doctest

    import k2lab.calcium.export

    assert doctest.testmod(k2lab.calcium.export).failed == 0
