"""Vitamin D input → 25(OH)D, and load-dependent calcium absorption (issue 4, extensions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from k2lab.calcium import (
    CalciumModel,
    CalciumScenario,
    absorbed_fraction,
    absorption_factor,
    calcium_parameters,
    d25_model_parameters,
    d25_steady_state_nmol_per_l,
    effective_oral_calcium_mg_per_day,
    load_fraction,
    simulate_calcium,
    vitamin_d_input_ug_per_day,
)
from k2lab.calcium.params import calcium_sources
from k2lab.errors import AmountError, IntakeWarning, K2LabError, ScenarioError, UnitError
from k2lab.units import parse_quantity, ureg


def test_every_extension_parameter_has_a_resolving_source_and_unit() -> None:
    p = calcium_parameters()
    sources = calcium_sources()
    for r in p.records:
        assert r.unit, r.name
        assert all(k in sources for k in r.source_key.split(";")), r.name
        assert sources[r.source_key.split(";")[0]].citation


def test_input_sums_diet_supplement_and_sun_with_explicit_units() -> None:
    p = calcium_parameters()
    assert vitamin_d_input_ug_per_day(4.0, 25.0, sun="none") == 29.0
    low = vitamin_d_input_ug_per_day(4.0, 0.0)  # default sun: low
    assert low == 4.0 + p.value("sun_low_ug_per_day")
    # IU only when said: 1000 IU = 25 µg.
    assert vitamin_d_input_ug_per_day(0.0, "1000 IU", sun="none") == 25.0
    assert vitamin_d_input_ug_per_day(0.0, parse_quantity("1000 IU"), sun="none") == 25.0
    assert vitamin_d_input_ug_per_day(0.0, ureg.Quantity(1000, "IU/day"), sun="none") == 25.0
    levels = [vitamin_d_input_ug_per_day(0, 0, s) for s in ("none", "low", "moderate", "high")]
    assert levels == sorted(levels) and levels[0] == 0.0


@pytest.mark.parametrize(
    ("diet", "supplement", "sun", "error", "needle"),
    [
        (-1.0, 0.0, "low", AmountError, "≥ 0"),
        (float("nan"), 0.0, "low", AmountError, "finite"),
        (0.0, "5000 ug", "low", AmountError, "2500"),
        (0.0, "25 mL", "low", UnitError, "mass"),
        (0.0, 0.0, "lots", ScenarioError, "none, low, moderate, high"),
        (True, 0.0, "low", AmountError, "number"),
    ],
)
def test_bad_vitamin_d_inputs_are_refused(
    diet: object, supplement: object, sun: str, error: type[K2LabError], needle: str
) -> None:
    with pytest.raises(error, match=needle):
        vitamin_d_input_ug_per_day(diet, supplement, sun)


def test_intake_above_ul_or_loael_warns() -> None:
    with pytest.warns(IntakeWarning, match="upper intake level, 100"):
        vitamin_d_input_ug_per_day(0.0, "5000 IU")
    with pytest.warns(IntakeWarning, match="LOAEL"):
        vitamin_d_input_ug_per_day(0.0, 300.0)


def test_d25_curve_matches_ekwaru_slopes_and_saturates() -> None:
    d = d25_steady_state_nmol_per_l
    # Average slopes the fit was made to, nmol/L per 1,000 IU/d (25 µg/d).
    assert (d(25.0) - d(0.0)) == pytest.approx(12.0, rel=1e-3)
    assert (d(500.0) - d(375.0)) / 5 == pytest.approx(1.1, rel=1e-3)
    values = d(np.array([0.0, 25.0, 50.0, 100.0, 1000.0]))
    assert isinstance(values, np.ndarray)
    assert np.all(np.diff(values) > 0)
    p = calcium_parameters()
    top = p.value("d25_baseline_nmol_per_l") + p.value("d25_rise_max_nmol_per_l")
    assert values[-1] < top
    assert isinstance(d(10.0), float)
    with pytest.raises(AmountError):
        d(-5.0)


def test_sampled_parameter_sets_give_finite_varied_curves() -> None:
    sets = calcium_parameters().sample(20, seed=3)
    values = [d25_steady_state_nmol_per_l(50.0, s) for s in sets]
    assert all(math.isfinite(v) for v in values) and len(set(values)) > 10
    fractions = [absorbed_fraction(1000.0, 0.0, s) for s in sets]
    assert all(0 < f < 1 for f in fractions)


def test_d25_model_parameters_start_and_target() -> None:
    steady = d25_model_parameters(20.0)
    assert steady["k2lab_d25_start"] == steady["k2lab_d25_target"]
    change = d25_model_parameters(50.0, habitual_ug_per_day=10.0)
    assert change["k2lab_d25_start"] == pytest.approx(d25_steady_state_nmol_per_l(10.0))
    assert change["k2lab_d25_target"] == pytest.approx(d25_steady_state_nmol_per_l(50.0))
    half_life_h = math.log(2) / change["k2lab_d25_k"]
    assert half_life_h == pytest.approx(calcium_parameters().value("d25_t_half_d") * 24)
    measured = d25_model_parameters(50.0, start_nmol_per_l=28.0)
    assert measured["k2lab_d25_start"] == 28.0
    with pytest.raises(ScenarioError, match="not both"):
        d25_model_parameters(50.0, start_nmol_per_l=28.0, habitual_ug_per_day=10.0)
    with pytest.raises(AmountError, match="nmol/L"):
        d25_model_parameters(50.0, start_nmol_per_l=float("nan"))


def test_vitamin_d_supplement_runs_through_the_extended_model() -> None:
    model = CalciumModel.extended()
    habitual = vitamin_d_input_ug_per_day(3.0, 0.0, sun="low")
    new = vitamin_d_input_ug_per_day(3.0, 50.0, sun="low")
    params = d25_model_parameters(new, habitual_ug_per_day=habitual)
    traj = simulate_calcium(model, CalciumScenario(parameters=params), years=1)
    d25 = traj.endpoints["vitamin_d25_nmol_per_l"][0]
    assert d25[0] == pytest.approx(params["k2lab_d25_start"])
    # Five half-lives (75 days) later, nearly at the new steady state.
    assert d25[75] == pytest.approx(params["k2lab_d25_target"], rel=0.05)
    assert np.all(np.diff(d25) > 0)
    assert np.all(np.isfinite(traj.states))


def test_absorbed_fraction_falls_with_intake_and_splitting_helps() -> None:
    intakes = np.array([100.0, 300.0, 500.0, 964.0, 1500.0, 2000.0])
    food = absorbed_fraction(intakes, 0.0)
    supplement = absorbed_fraction(0.0, intakes)
    assert isinstance(food, np.ndarray) and isinstance(supplement, np.ndarray)
    assert np.all(np.diff(food) < 0) and np.all(np.diff(supplement) < 0)
    assert absorbed_fraction(0.0, 1000.0, supplement_doses=2) > absorbed_fraction(0.0, 1000.0)
    assert absorbed_fraction(0.0, 500.0) == pytest.approx(0.286, abs=1e-3)
    assert load_fraction(15.0) == pytest.approx(0.640, abs=1e-3)
    # The absorbed amount never falls as a single load grows.
    loads = np.linspace(1.0, 5000.0, 500)
    frac = load_fraction(loads)
    assert isinstance(frac, np.ndarray)
    assert np.all(np.diff(loads * frac) >= -1e-9) and np.all(frac > 0)


def test_reference_intake_gives_factor_one() -> None:
    assert absorption_factor(964.0, 0.0) == pytest.approx(1.0, abs=1e-12)
    assert effective_oral_calcium_mg_per_day(964.0, 0.0) == pytest.approx(964.0, rel=1e-12)
    assert effective_oral_calcium_mg_per_day(0.0, 0.0) == 0.0
    both = effective_oral_calcium_mg_per_day(np.full((2, 3), 964.0), 0.0)
    assert isinstance(both, np.ndarray) and both.shape == (2, 3)


@pytest.mark.parametrize(
    ("food", "supplement", "kwargs", "needle"),
    [
        (-10.0, 0.0, {}, "≥ 0"),
        (float("nan"), 0.0, {}, "finite"),
        (6000.0, 0.0, {}, "5000"),
        (500.0, "500 IU", {}, "IU"),
        (500.0, 0.0, {"meals": 0}, "meals"),
        (500.0, 0.0, {"supplement_doses": 1.5}, "supplement_doses"),
    ],
)
def test_bad_calcium_inputs_are_refused(
    food: object, supplement: object, kwargs: dict[str, float], needle: str
) -> None:
    with pytest.raises(K2LabError, match=needle):
        effective_oral_calcium_mg_per_day(food, supplement, **kwargs)  # type: ignore[arg-type]


def test_calcium_above_ul_warns() -> None:
    with pytest.warns(IntakeWarning, match="2000"):
        absorbed_fraction(1500.0, 1000.0)


def test_load_dependence_makes_the_model_absorb_a_falling_fraction() -> None:
    model = CalciumModel.from_sbml()
    intakes = np.array([500.0, 964.0, 1500.0])
    effective = effective_oral_calcium_mg_per_day(intakes, 0.0)
    traj = simulate_calcium(
        model, CalciumScenario(calcium_intake_mg_per_day=np.asarray(effective)[:, None]), years=3
    )
    j40 = traj.endpoints["gut_calcium_absorption_mmol_per_h"][:, -1] * 24 * 40.078
    net = j40 / intakes
    assert net[0] > net[1] > net[2]
    assert net[1] == pytest.approx(0.15, abs=0.003)
