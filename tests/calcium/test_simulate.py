"""Running the calcium model: populations, defaults, teriparatide, inputs and errors."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from k2lab.calcium import (
    CalciumModel,
    CalciumScenario,
    SimulationStatus,
    TeriparatideRegimen,
    simulate_calcium,
)
from k2lab.errors import K2LabError, ScenarioError


def test_population_run_equals_per_person_runs(model: CalciumModel) -> None:
    rng = np.random.default_rng(11)
    days = 30
    intake = rng.uniform(300.0, 1800.0, size=(3, days))
    gfr = rng.uniform(40.0, 120.0, size=(3, 1))
    scenario = CalciumScenario(calcium_intake_mg_per_day=intake, gfr_ml_per_min=gfr)
    together = simulate_calcium(model, scenario, years=days / 365)
    assert together.status == (SimulationStatus.OK,) * 3
    for i in range(3):
        alone = simulate_calcium(
            model,
            CalciumScenario(calcium_intake_mg_per_day=intake[i], gfr_ml_per_min=gfr[i, 0]),
            years=days / 365,
        )
        for name, values in alone.endpoints.items():
            np.testing.assert_allclose(
                together.endpoints[name][i], values[0], rtol=1e-4, err_msg=name
            )


def test_defaults_come_from_the_sbml(model: CalciumModel) -> None:
    assert model.default_calcium_intake_mg_per_day == pytest.approx(24.055 * 40.078)
    assert model.default_gfr_ml_per_min == pytest.approx(100.0)
    assert model.published_teriparatide == TeriparatideRegimen(20.0, 12.0, 24.0, 3)
    # 20 µg of a 4117.8 g/mol peptide is 4857 pmol.
    assert model.teriparatide_depot_pmol(20.0) == pytest.approx(20e6 / 4117.8)


def test_zero_dose_teriparatide_equals_no_teriparatide(model: CalciumModel) -> None:
    none = simulate_calcium(model, years=10 / 365, output_every_h=6.0)
    zero = simulate_calcium(
        model,
        CalciumScenario(teriparatide=TeriparatideRegimen(0.0)),
        years=10 / 365,
        output_every_h=6.0,
    )
    for name, values in none.endpoints.items():
        np.testing.assert_allclose(zero.endpoints[name], values, rtol=1e-6, err_msg=name)


def test_ten_years_for_one_person_is_fast(model: CalciumModel) -> None:
    import time

    simulate_calcium(model, years=1)
    start = time.perf_counter()
    traj = simulate_calcium(model, years=10)
    assert time.perf_counter() - start < 1.0
    assert traj.endpoints["plasma_calcium_mmol_per_l"].shape == (1, 3651)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calcium_intake_mg_per_day": -1.0},
        {"calcium_intake_mg_per_day": float("nan")},
        {"gfr_ml_per_min": 0.0},
        {"calcium_intake_mg_per_day": np.ones((2, 2, 2))},
        {"calcium_intake_mg_per_day": np.ones((2, 1)), "gfr_ml_per_min": np.ones((3, 1))},
        {"calcium_intake_mg_per_day": "lots"},
    ],
)
def test_bad_scenarios_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError):
        CalciumScenario(**kwargs)


def test_bad_run_options_are_refused(model: CalciumModel) -> None:
    with pytest.raises(ScenarioError):
        simulate_calcium(model, years=0)
    with pytest.raises(ScenarioError):
        simulate_calcium(model, years=1, output_every_h=7.0)
    with pytest.raises(ScenarioError, match="2 values but the run needs 365"):
        simulate_calcium(model, CalciumScenario(calcium_intake_mg_per_day=[900.0, 800.0]), years=1)
    with pytest.raises(ScenarioError):
        TeriparatideRegimen(dose_ug=-5.0)


def test_errors_pickle_and_derive_from_the_root() -> None:
    err = pickle.loads(pickle.dumps(ScenarioError("bad")))
    assert isinstance(err, K2LabError) and isinstance(err, ValueError)
    assert str(err) == "bad"


def test_public_api_is_sorted_and_importable() -> None:
    import k2lab.calcium as calcium

    # isort style, as ruff keeps it: constants first, then the rest, each sorted.
    constants = [n for n in calcium.__all__ if n.isupper()]
    others = [n for n in calcium.__all__ if not n.isupper()]
    assert calcium.__all__ == sorted(constants) + sorted(others)
    for name in calcium.__all__:
        assert hasattr(calcium, name), name


def test_a_run_continued_from_its_last_state_equals_one_long_run() -> None:
    model = CalciumModel.from_sbml()
    scenario = CalciumScenario(calcium_intake_mg_per_day=[[500.0], [1500.0]])
    whole = simulate_calcium(model, scenario, years=2)
    first = simulate_calcium(model, scenario, years=1)
    second = simulate_calcium(model, scenario, years=1, initial_state=first.states[:, -1])
    for name, arr in whole.endpoints.items():
        np.testing.assert_allclose(second.endpoints[name][:, -1], arr[:, -1], rtol=1e-4)
    with pytest.raises(ScenarioError, match="shape"):
        simulate_calcium(model, scenario, years=1, initial_state=first.states[:, -1, :5])


@pytest.mark.parametrize("every", [0.0, 5.0, 25.0])
def test_input_period_must_divide_a_day(every: float) -> None:
    with pytest.raises(ScenarioError, match="input_every_h"):
        simulate_calcium(CalciumModel.from_sbml(), years=0.1, input_every_h=every)
