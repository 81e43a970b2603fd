"""The calcium system: one scenario, one trajectory; comparisons; bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from k2lab.calcium.system import SystemScenario, simulate_system
from k2lab.errors import ScenarioError
from k2lab.foods.database import FoodDatabase
from k2lab.person import Person
from k2lab.simulation import SimulationOptions, compare
from k2lab.trajectory import Comparison
from k2lab.validation.ten_year import TEN_YEAR_BASE

BASE = {
    "calcium_food_mg_per_day": 700.0,
    "calcium_supplement_mg_per_day": 1000.0,
    "vitamin_d_supplement_ug_per_day": 50.0,
}
WOMAN = Person(age=62, sex="female", menopause_age=52)


@pytest.fixture(scope="module")
def ten_years() -> tuple:
    a = simulate_system(SystemScenario(WOMAN, **BASE), years=10, n_samples=40)
    b = simulate_system(
        SystemScenario(WOMAN, k_regimens=("MK-7 180 ug",), **BASE), years=10, n_samples=40
    )
    return a, b


def test_every_endpoint_is_daily_finite_and_has_an_interval(ten_years: tuple) -> None:
    a, _ = ten_years
    assert len(a.time_days) == 3651
    for name, e in a.endpoints.items():
        assert e.trajectory.shape == (3651,), name
        assert np.all(np.isfinite(e.trajectory)), name
        assert e.low <= e.final <= e.high or math.isclose(e.low, e.high), name
    assert "INR" not in a.endpoints
    assert (
        a.endpoints["vitamin_d25_nmol_per_L"].final > a.endpoints["vitamin_d25_nmol_per_L"].baseline
    )


def test_ten_years_with_and_without_mk7_is_in_line_with_the_trials(ten_years: tuple) -> None:
    """shared/reference/trials/NOTES.md: dp-ucMGP and ucOC fall reliably; BMD effect
    <= ~1 pp/year and often 0; calcification progression not slowed in 6-18 month trials."""
    a, b = ten_years
    c = compare(TEN_YEAR_BASE, ["MK-7 180 ug"], options=SimulationOptions(n_samples=40, seed=2026))
    d = c.differences()
    np.testing.assert_array_equal(c.a["pth_pmol_per_L"].draws, a.draws["pth_pmol_per_L"])
    mgp = d["dp_ucMGP_pmol_per_L"]
    assert -60 < 100 * mgp.difference / mgp.a < -20  # Dalmeijer -31 %, Knapen -50 %
    ucoc = d["ucOC_ng_per_mL"]
    assert -85 < 100 * ucoc.difference / ucoc.a < -30  # Dalmeijer ratio -60 %, Emaus -44 %
    for site in ("lumbar_spine", "femoral_neck"):
        bmd = d[f"bmd_{site}_change_percent"]
        assert 0 <= bmd.difference <= 10 * 1.0  # at most ~1 pp per year
        assert bmd.low <= 0.1 * 10  # an effect near zero stays inside the interval
        assert bmd.high <= 10 * 1.0
    cac = d["calcification_index_AU"]
    assert cac.difference <= 0
    # Over 18 months (Valkyrie, Zwakenberg) the modelled difference is far below the
    # spread of progression between people (SD ~100 AU in Kurnatowska 2015 and Shea 2009).
    at_18_months = 548
    diff_18 = (
        b.draws["calcification_index_AU"][:, at_18_months]
        - a.draws["calcification_index_AU"][:, at_18_months]
    )
    assert np.all(np.abs(diff_18) < 10.0)


def test_the_same_seed_gives_paired_draws_and_identical_runs() -> None:
    s = SystemScenario(WOMAN, **BASE)
    r1 = simulate_system(s, years=0.5, n_samples=5, seed=3)
    r2 = simulate_system(s, years=0.5, n_samples=5, seed=3)
    for name in r1.draws:
        np.testing.assert_array_equal(r1.draws[name], r2.draws[name])
    c = compare(TEN_YEAR_BASE, TEN_YEAR_BASE, options=SimulationOptions(n_samples=3, seed=3))
    assert all(x.difference == 0 for x in c.differences().values())
    shorter = compare(
        TEN_YEAR_BASE.adding([]), TEN_YEAR_BASE, options=SimulationOptions(n_samples=4, seed=3)
    )
    with pytest.raises(ScenarioError, match="pair up"):
        Comparison(c.a, shorter.a)


def test_warfarin_adds_inr_and_low_kidney_function_raises_pth() -> None:
    r = simulate_system(SystemScenario(WOMAN, medication="warfarin"), years=0.2, n_samples=1)
    assert "INR" in r.endpoints
    low = simulate_system(SystemScenario(Person(age=62, egfr_ml_per_min=30)), years=1, n_samples=1)
    assert low.endpoints["pth_pmol_per_L"].final > 4.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"age": 300}, "outside 0-120"),
        ({"age": float("nan")}, "must be a number"),
        ({"egfr_ml_per_min": 0}, "outside 1-150"),
        ({"egfr_ml_per_min": -5}, "outside 1-150"),
        ({"sex": "x"}, "female"),
        ({"sun": "lots"}, "sunlight"),
        ({"sex": "male", "menopause_age": 50}, "women only"),
        ({"age": 45, "menopause_age": 50}, "after the age"),
        ({"dialysis": True, "egfr_ml_per_min": 40}, "kidney failure"),
    ],
)
def test_impossible_people_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(ScenarioError, match=match) as info:
        Person(**kwargs)
    assert info.value.field is not None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"age": 12}, "adults aged 18-110"),
        ({"egfr_ml_per_min": 8}, "not valid in kidney failure"),
        ({"dialysis": True}, "not valid in kidney failure"),
    ],
)
def test_people_the_calcium_system_cannot_represent_are_refused_with_a_reason(
    kwargs: dict, match: str
) -> None:
    with pytest.raises(ScenarioError, match=match):
        SystemScenario(Person(**kwargs))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"calcium_supplement_mg_per_day": -1}, "≥ 0"),
        ({"vitamin_d_supplement_ug_per_day": float("nan")}, "≥ 0"),
        ({"calcium_food_mg_per_day": float("inf")}, "≥ 0"),
        ({"medication": "heparin"}, "Unknown medication"),
        ({"medication": "teriparatide"}, "calcium core"),
    ],
)
def test_impossible_scenarios_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        SystemScenario(**kwargs)


def test_implausible_intakes_and_durations_are_refused() -> None:
    with pytest.raises(ScenarioError, match="years"):
        simulate_system(SystemScenario(), years=0)
    with pytest.raises(ScenarioError, match="years"):
        simulate_system(SystemScenario(), years=500)
    with pytest.raises(Exception, match="calcium"):
        simulate_system(SystemScenario(calcium_supplement_mg_per_day=9000), years=1, n_samples=1)
    with pytest.raises(Exception, match="D"):
        simulate_system(
            SystemScenario(vitamin_d_supplement_ug_per_day=50_000), years=1, n_samples=1
        )


def test_a_diet_without_calcium_data_is_an_error_and_partial_data_a_note(db: FoodDatabase) -> None:
    from k2lab.calcium.system import scenario_from_diet
    from k2lab.intake.diet import parse_toml_diet

    none = parse_toml_diet(
        '[[day]]\nfoods = [{ food = "natto_lab_miyagino_strain", amount = "50 g" }]\n', db
    )
    with pytest.raises(ScenarioError, match="calcium data"):
        scenario_from_diet(none, WOMAN, years=1)
    some = parse_toml_diet(
        "[[day]]\nfoods = [\n"
        '  { food = "natto_lab_miyagino_strain", amount = "50 g" },\n'
        '  { food = "gouda", amount = "30 g" },\n]\nsupplements = ["calcium 500 mg", "D3 20 ug"]\n',
        db,
    )
    s = scenario_from_diet(some, WOMAN, years=1)
    assert any("No calcium data for Natto, laboratory Miyagino strain" in n for n in s.notes)
    assert 150 < s.calcium_food_mg_per_day < 300  # 30 g of gouda
    assert s.calcium_supplement_mg_per_day == 500 and s.vitamin_d_supplement_ug_per_day == 20
    assert {d.vitamer for d in s.k_doses} >= {"MK-7"}
    r = simulate_system(s, years=0.2, n_samples=1)
    assert all(np.all(np.isfinite(e.trajectory)) for e in r.endpoints.values())
