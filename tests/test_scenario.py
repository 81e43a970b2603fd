"""Person, Scenario, simulate, Trajectory: one validated question, one typed answer."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from k2lab import (
    Comparison,
    Horizon,
    Person,
    Scenario,
    ScenarioError,
    SimulationOptions,
    compare,
    load_diet,
    simulate,
    simulate_many,
)
from k2lab.foods import FoodDatabase
from k2lab.person import PRESETS
from k2lab.trajectory import TRAJECTORY_SCHEMA, Series

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ONE = SimulationOptions(n_samples=1)
MK7 = ("MK-7 180 ug daily",)


def test_presets_fill_a_person_and_fields_refine_them() -> None:
    assert Person.preset("healthy") == Person()
    dial = Person.preset("hemodialysis", age=70)
    assert (dial.age, dial.dialysis, dial.kidney_stage, dial.vitamin_k_population) == (
        70,
        True,
        "dialysis",
        "hemodialysis",
    )
    assert Person.preset("ckd4").kidney_stage == "G4"
    assert Person.preset("postmenopausal").bone_scope == "postmenopausal"
    assert Person(age=60, sex="male").bone_scope == "man"
    assert set(PRESETS) >= {"healthy", "postmenopausal", "hemodialysis", "ckd3a", "ckd5"}
    with pytest.raises(ScenarioError, match="Unknown population") as info:
        Person.preset("athletes")
    assert info.value.field == "population"


def test_scenario_normalises_and_names_the_bad_field() -> None:
    s = Scenario(supplements=("mk7 180 mcg", "D3 1000 IU"), medications=("Coumadin",))
    assert [r.substance for r in s.regimens] == ["MK-7", "vitamin_d"]
    assert s.medications == ("warfarin",) and s.anticoagulant == "warfarin"
    for kwargs, field in (
        ({"medications": ("warfarin", "acenocoumarol")}, "medications"),
        ({"medications": ("teriparatide",)}, "medications"),
        ({"supplements": (42,)}, "supplements"),
    ):
        with pytest.raises(ScenarioError) as info:
            Scenario(**kwargs)  # type: ignore[arg-type]
        assert info.value.field == field
    assert Horizon.parse("12 weeks") == Horizon.weeks(12) == Horizon(2016)
    for bad in (0.5, float("nan"), 1e9):
        with pytest.raises(ScenarioError, match="horizon") as info:
            Horizon(bad)
        assert info.value.field == "horizon"


def test_scenarios_and_trajectories_pickle(db: FoodDatabase) -> None:
    diet = load_diet(EXAMPLES / "vegan_natto.toml", db)
    s = Scenario(Person.preset("postmenopausal"), diet=diet, supplements=MK7)
    assert pickle.loads(pickle.dumps(s)) == s
    t = simulate(s, options=SimulationOptions(n_samples=2, resolution="kinetics"))
    again = pickle.loads(pickle.dumps(t))
    np.testing.assert_array_equal(
        again["dp_ucMGP_pmol_per_L"].values, t["dp_ucMGP_pmol_per_L"].values
    )


def test_worker_processes_give_the_same_numbers_as_in_process() -> None:
    scenarios = [
        Scenario(supplements=MK7, horizon=Horizon.weeks(8)),
        Scenario(
            Person.preset("postmenopausal"), supplements=("D3 25 ug",), horizon=Horizon.weeks(8)
        ),
    ]
    here = simulate_many(scenarios, options=ONE)
    seen: list[int] = []
    there = simulate_many(
        scenarios, options=ONE, processes=2, on_result=lambda i, _: seen.append(i)
    )
    assert seen == [0, 1]
    for a, b in zip(here, there, strict=True):
        assert a.series.keys() == b.series.keys()
        for name in a.series:
            np.testing.assert_array_equal(a[name].values, b[name].values)


def test_one_entry_point_picks_the_resolution_by_horizon() -> None:
    short = simulate(Scenario(supplements=("MK-7 420 ug once",), horizon=Horizon(72)), options=ONE)
    long = simulate(Scenario(supplements=MK7, horizon=Horizon.weeks(12)), options=ONE)
    assert short.resolution == "kinetics" and short.time_h[1] == 1.0
    assert long.resolution == "system" and long.time_h[1] == 24.0
    assert "calcium system" in short.skipped and not long.skipped
    # the vitamin K layers agree between resolutions on the same question
    forced = simulate(
        Scenario(supplements=MK7, horizon=Horizon.weeks(12)),
        options=SimulationOptions(n_samples=1, resolution="kinetics"),
    )
    a, b = long["dp_ucMGP_pmol_per_L"], forced["dp_ucMGP_pmol_per_L"]
    assert a.final == pytest.approx(b.final, rel=0.02)


def test_strict_refuses_what_cannot_apply_and_lenient_says_so() -> None:
    s = Scenario(Person(sun="high"), supplements=MK7, horizon=Horizon(48))
    with pytest.raises(ScenarioError, match="sunlight") as info:
        simulate(s, options=ONE)
    assert info.value.field == "sun"
    t = simulate(s, options=SimulationOptions(n_samples=1, strict=False))
    assert any(n.startswith("Not used: sunlight") for n in t.notes)
    b12 = simulate(Scenario(supplements=("B12 25 ug",), horizon=Horizon(48)), options=ONE)
    assert any("Not used by the physiology: B12 25 ug" in n for n in b12.notes)
    with pytest.raises(ScenarioError, match="pregnancy"):
        simulate(Scenario(Person(pregnant=True), supplements=MK7), options=ONE)


def test_trajectory_json_follows_the_schema_and_frames() -> None:
    t = simulate(
        Scenario(supplements=MK7, horizon=Horizon.weeks(4)), options=SimulationOptions(n_samples=3)
    )
    data = json.loads(json.dumps(t.to_dict(every_h=168)))
    jsonschema.validate(data, TRAJECTORY_SCHEMA)
    assert data["time_h"] == [0, 168, 336, 504, 672]
    frame = t.to_frame()
    assert {"time_days", "pth_pmol_per_L", "pth_pmol_per_L_low"} <= set(frame.columns)
    with pytest.raises(ScenarioError, match="No series 'pth'"):
        t["pth"]


def test_comparisons_pair_draws_and_refuse_mismatches() -> None:
    base = Scenario(supplements=("D3 25 ug",), horizon=Horizon.weeks(12))
    c = compare(base, ["MK-7 180 ug"], options=SimulationOptions(n_samples=4))
    d = c.differences()
    assert d["dp_ucMGP_pmol_per_L"].difference < 0
    assert d["vitamin_d25_nmol_per_L"].difference == 0  # paired draws: D3 is the same
    jsonschema.validate(c.to_dict()["a"], TRAJECTORY_SCHEMA)
    other = simulate(base, options=SimulationOptions(n_samples=4, seed=1))
    with pytest.raises(ScenarioError, match="pair up"):
        Comparison(c.a, other.__class__(**{**other.__dict__, "n_samples": 5}))


def test_intervals_leave_failed_draws_out() -> None:
    draws = np.array([[1.0, 2.0], [1.0, np.nan], [1.0, 4.0]])
    s = Series.from_draws("INR", draws, interval_percent=90, ok=np.array([True, False, True]))
    assert np.isfinite(s.high).all() and s.high[-1] <= 4.0
