"""k2lab's engine against libroadrunner on the published model (issue 4: within 0.5 %)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from k2lab.calcium import CalciumModel, CalciumScenario, TeriparatideRegimen, simulate_calcium
from k2lab.calcium.reference import simulate_reference


def _check(
    model: CalciumModel,
    runner: Any,
    deviation: Any,
    scenario: CalciumScenario,
    years: float,
    output_every_h: float = 24.0,
) -> dict[str, float]:
    ours = simulate_calcium(model, scenario, years=years, output_every_h=output_every_h)
    ref = simulate_reference(
        model, scenario, years=years, output_every_h=output_every_h, runner=runner
    )
    dev = deviation.endpoints(ours, ref)
    assert max(dev.values()) < deviation.rtol, dev
    assert deviation.states(ours, ref) < deviation.rtol
    return dev


def test_steady_state_matches_published_values_and_roadrunner(
    model: CalciumModel, runner: Any, deviation: Any
) -> None:
    ours = simulate_calcium(model, years=5)
    ca = ours.endpoints["plasma_calcium_mmol_per_l"][0]
    pth = ours.endpoints["pth_pmol_per_l"][0]
    # The published baseline, held over five years.
    assert np.allclose(ca, 2.35, rtol=5e-3)
    assert np.allclose(pth, 3.85, rtol=5e-3)
    _check(model, runner, deviation, CalciumScenario(), years=5)


def test_calcium_intake_drop_matches_roadrunner(
    model: CalciumModel, runner: Any, deviation: Any
) -> None:
    days = 2 * 365
    intake = np.full(days, model.default_calcium_intake_mg_per_day)
    intake[30:] = 400.0
    scenario = CalciumScenario(calcium_intake_mg_per_day=intake)
    _check(model, runner, deviation, scenario, years=2)
    # The model's response has the right sign: less calcium in, more PTH, bone calcium lost.
    ours = simulate_calcium(model, scenario, years=2)
    assert ours.endpoints["pth_pmol_per_l"][0, -1] > 3.95
    assert ours.endpoints["bone_calcium_mmol"][0, -1] < 0.97 * 24900


def test_calcium_intake_rise_matches_roadrunner(
    model: CalciumModel, runner: Any, deviation: Any
) -> None:
    _check(model, runner, deviation, CalciumScenario(calcium_intake_mg_per_day=1500.0), years=1)


def test_published_teriparatide_dosing_matches_roadrunner_hourly(
    model: CalciumModel, runner: Any, deviation: Any
) -> None:
    scenario = CalciumScenario(teriparatide=model.published_teriparatide)
    dev = _check(model, runner, deviation, scenario, years=1, output_every_h=1.0)
    assert dev["pth_pmol_per_l"] < deviation.rtol
    ours = simulate_calcium(model, scenario, years=5 / 365, output_every_h=1.0)
    # Each injection raises PTH above baseline within hours.
    assert ours.endpoints["pth_pmol_per_l"][0, 13:20].max() > 4.0


def test_gfr_decline_matches_roadrunner(model: CalciumModel, runner: Any, deviation: Any) -> None:
    days = 3 * 365
    scenario = CalciumScenario(gfr_ml_per_min=np.linspace(100.0, 40.0, days))
    _check(model, runner, deviation, scenario, years=3)


@pytest.mark.slow
def test_gfr_halving_five_years_matches_roadrunner(
    model: CalciumModel, runner: Any, deviation: Any
) -> None:
    days = 5 * 365
    gfr = np.full(days, 100.0)
    gfr[180:] = 50.0
    intake = np.full(days, 964.0)
    intake[365:] = 700.0
    _check(
        model,
        runner,
        deviation,
        CalciumScenario(calcium_intake_mg_per_day=intake, gfr_ml_per_min=gfr),
        years=5,
    )


@pytest.mark.slow
def test_teriparatide_twice_weekly_matches_roadrunner(
    model: CalciumModel, runner: Any, deviation: Any
) -> None:
    regimen = TeriparatideRegimen(dose_ug=20.0, first_dose_h=12.0, interval_h=84.0, n_doses=26)
    _check(model, runner, deviation, CalciumScenario(teriparatide=regimen), years=1)


def test_published_dosing_at_daily_outputs_still_gives_every_dose(
    model: CalciumModel, runner: Any, deviation: Any
) -> None:
    # The SBML's `time == t_k` triggers fire in libroadrunner only on a time point; the
    # reference must land on the doses (12, 36, 60 h) even when outputs are daily.
    scenario = CalciumScenario(teriparatide=model.published_teriparatide)
    ref = simulate_reference(model, scenario, years=30 / 365, runner=runner)
    none = simulate_reference(model, CalciumScenario(), years=30 / 365, runner=runner)
    assert not np.allclose(
        ref.endpoints["pth_pmol_per_l"], none.endpoints["pth_pmol_per_l"], rtol=1e-3
    )
    _check(model, runner, deviation, scenario, years=30 / 365)
