"""Per-person SBML parameters in a scenario, and the vitamin D hook (issue 4, extensions)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from k2lab.calcium import CalciumModel, CalciumScenario, simulate_calcium
from k2lab.calcium.extension import extend_sbml, extension_defaults
from k2lab.calcium.model import shipped_sbml_text
from k2lab.calcium.params import calcium_sources
from k2lab.calcium.reference import load_reference_runner, simulate_reference
from k2lab.errors import ModelFileError, ScenarioError


@pytest.fixture(scope="module")
def extended() -> CalciumModel:
    return CalciumModel.extended()


@pytest.fixture(scope="module")
def extended_runner() -> Any:
    return load_reference_runner(extend_sbml(shipped_sbml_text()))


def test_per_person_parameter_equals_single_person_runs(model: CalciumModel) -> None:
    values = [0.08, 0.1, 0.14]
    both = simulate_calcium(model, CalciumScenario(parameters={"T69": values}), years=1)
    assert both.n_people == 3
    for k, v in enumerate(values):
        one = simulate_calcium(model, CalciumScenario(parameters={"T69": v}), years=1)
        for name, arr in one.endpoints.items():
            assert np.allclose(both.endpoints[name][k], arr[0], rtol=1e-4), name
    # Faster calcitriol clearance lowers calcitriol.
    c8 = both.endpoints["calcitriol_pmol_per_l"][:, -1]
    assert c8[0] > c8[1] > c8[2]


def test_parameter_override_with_default_value_changes_nothing(model: CalciumModel) -> None:
    a = simulate_calcium(model, years=0.5)
    b = simulate_calcium(model, CalciumScenario(parameters={"T69": 0.1}), years=0.5)
    for name in a.endpoints:
        assert np.array_equal(a.endpoints[name], b.endpoints[name])


@pytest.mark.parametrize(
    ("parameters", "needle"),
    [
        ({"T96": 0.1}, "T69"),
        ({"OralCa": 1.0}, "calcium_intake_mg_per_day"),
        ({"teri_dose_mcg": 1.0}, "teriparatide"),
        ({"CaConc": 1.0}, "assignment rule"),
        ({"k2lab_d25_target": 50.0}, "CalciumModel.extended()"),
    ],
)
def test_bad_parameter_names_are_refused_with_hints(
    model: CalciumModel, parameters: dict[str, float], needle: str
) -> None:
    with pytest.raises(ScenarioError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        simulate_calcium(model, CalciumScenario(parameters=parameters), years=0.1)


def test_bad_parameter_values_are_refused() -> None:
    with pytest.raises(ScenarioError, match="finite"):
        CalciumScenario(parameters={"T69": float("nan")})
    with pytest.raises(ScenarioError, match="constant over the run"):
        CalciumScenario(parameters={"T69": [[0.1, 0.2]]})
    with pytest.raises(ScenarioError, match="number of people"):
        CalciumScenario(calcium_intake_mg_per_day=[[800.0], [900.0]], parameters={"T69": [1, 2, 3]})
    with pytest.raises(ScenarioError, match="mapping"):
        CalciumScenario(parameters=[("T69", 0.1)])  # type: ignore[arg-type]


def test_extended_model_is_cached_and_has_the_hook(extended: CalciumModel) -> None:
    assert CalciumModel.extended() is extended
    assert extended.n_species == CalciumModel.from_sbml().n_species + 1
    assert "D25" in extended.species
    assert "k2lab_calcitriol_substrate" in extended.sbml.assignment_rules
    assert "vitamin_d25_nmol_per_l" in extended.endpoints
    assert "vitamin_d25_nmol_per_l" not in CalciumModel.from_sbml().endpoints
    assert extended.sources[0] == "peterson_riggs_2010"
    assert all(k in calcium_sources() for k in extended.sources)
    with pytest.raises(ModelFileError, match="already has"):
        extend_sbml(extended.sbml_text)
    with pytest.raises(ModelFileError, match="Calcitriol_production"):
        extend_sbml(shipped_sbml_text().replace("Calcitriol_production", "X"))


def test_neutral_extension_reproduces_published_model(
    model: CalciumModel, extended: CalciumModel
) -> None:
    # The right-hand sides agree exactly (the substrate factor is exactly 1, D25 is still).
    rng = np.random.default_rng(4)
    y0 = model.compiled.initial_values({})[1].reshape(-1)
    y = y0 * rng.uniform(0.8, 1.2, y0.size)
    ye = np.append(y, extension_defaults()["k2lab_d25_ref"])
    p_pub = model.compiled.parameters(model.compiled.initial_values({})[0])
    p_ext = extended.compiled.parameters(extended.compiled.initial_values({})[0])
    f_pub = model.compiled.rhs(0.0, y, p_pub)
    f_ext = extended.compiled.rhs(0.0, ye, p_ext)
    assert np.array_equal(f_ext[: y.size], f_pub) and f_ext[-1] == 0.0
    # Whole runs agree to 1e-9 once the solver's error (its norm now also counts D25) is
    # held well below that.
    pub = simulate_calcium(model, years=2, rtol=1e-9)
    ext = simulate_calcium(extended, years=2, rtol=1e-9)
    assert set(ext.endpoints) == set(pub.endpoints) | {"vitamin_d25_nmol_per_l"}
    for name, arr in pub.endpoints.items():
        assert np.allclose(ext.endpoints[name], arr, rtol=1e-9, atol=0), name
    ref = extension_defaults()["k2lab_d25_ref"]
    assert np.allclose(ext.endpoints["vitamin_d25_nmol_per_l"], ref, rtol=1e-12)


def _d25_change(start: float, target: float) -> CalciumScenario:
    params = dict(extension_defaults())
    params.update(k2lab_d25_start=start, k2lab_d25_target=target)
    return CalciumScenario(parameters=params)


@pytest.mark.parametrize(("start", "target"), [(50.0, 90.0), (50.0, 25.0)])
def test_extension_matches_roadrunner_on_extended_sbml(
    extended: CalciumModel, extended_runner: Any, deviation: Any, start: float, target: float
) -> None:
    scenario = _d25_change(start, target)
    ours = simulate_calcium(extended, scenario, years=2)
    ref = simulate_reference(extended, scenario, years=2, runner=extended_runner)
    assert ref.endpoints["vitamin_d25_nmol_per_l"][0, 0] == pytest.approx(start)
    dev = deviation.endpoints(ours, ref)
    assert set(dev) >= {"vitamin_d25_nmol_per_l", "pth_pmol_per_l"}
    assert max(dev.values()) < deviation.rtol, dev
    assert deviation.states(ours, ref) < deviation.rtol


def test_25ohd_moves_calcitriol_and_pth_modestly(extended: CalciumModel) -> None:
    ref = extension_defaults()["k2lab_d25_ref"]
    scenario = CalciumScenario(
        parameters={
            **extension_defaults(),
            "k2lab_d25_start": [25.0, ref, 90.0],
            "k2lab_d25_target": [25.0, ref, 90.0],
        }
    )
    traj = simulate_calcium(extended, scenario, years=2)
    c8 = traj.endpoints["calcitriol_pmol_per_l"][:, -1]
    pth = traj.endpoints["pth_pmol_per_l"][:, -1]
    assert c8[0] < c8[1] < c8[2]
    assert pth[0] > pth[1] > pth[2]
    # Modest: calcitriol within ±35 %, PTH within ±50 % of the reference person.
    assert np.all(np.abs(c8 / c8[1] - 1) < 0.35)
    assert np.all(np.abs(pth / pth[1] - 1) < 0.5)
    ca = traj.endpoints["plasma_calcium_mmol_per_l"][:, -1]
    assert np.all(np.abs(ca / ca[1] - 1) < 0.05)
