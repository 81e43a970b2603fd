"""Calcium and vitamin D arms: the person's calcium core in the trial path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from k2lab.calcium.params import calcium_parameters
from k2lab.calcium.system import SystemScenario, simulate_system
from k2lab.errors import ScenarioError
from k2lab.person import Person
from k2lab.physiology.params import default_parameters
from k2lab.population import TrialSpec, load_spec, run_trial, spec_from_dict
from k2lab.population.endpoints import CORE_ENDPOINTS, TRIAL_ENDPOINTS, person_endpoints
from k2lab.regimen import parse_regimen

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trials"
CA_D = ("calcium 500 mg twice daily", "D3 10 ug daily")
TWO_YEARS = [0, 365, 730]


def _run(
    person: Person, regimens: tuple[str, ...], days: list[int], core: bool | None = None
) -> dict[str, np.ndarray]:
    return person_endpoints(
        person,
        [parse_regimen(r) for r in regimens],
        default_parameters(),
        calcium_parameters(),
        days,
        core=core,
    )


def test_core_path_matches_simulate_system() -> None:
    person = Person.preset("postmenopausal", age=66, calcification_au=80.0)
    days = [0, 90, 365]
    trial = _run(person, (*CA_D, "MK-7 180 ug daily"), days)
    assert set(trial) == set(TRIAL_ENDPOINTS)
    system = simulate_system(
        SystemScenario(
            person,
            calcium_supplement_mg_per_day=1000,
            calcium_supplement_doses=2,
            vitamin_d_supplement_ug_per_day=10,
            k_regimens=("MK-7 180 ug daily",),
        ),
        years=1,
        n_samples=1,
    )
    for name, values in trial.items():
        np.testing.assert_allclose(values, system.draws[name][0][days], rtol=1e-6, atol=1e-9)


def test_core_without_supplements_is_the_fast_path() -> None:
    person = Person.preset("postmenopausal", age=70, sun="low")
    fast = _run(person, (), TWO_YEARS)
    core = _run(person, (), TWO_YEARS, core=True)
    for name in fast:
        tol = 0.01 if name.startswith("bmd_") else 1e-6  # bone cells drift < 1e-4 after burn-in
        np.testing.assert_allclose(core[name], fast[name], rtol=1e-6, atol=tol)
    for name in CORE_ENDPOINTS:  # the core stays at the person's steady state
        np.testing.assert_allclose(core[name], core[name][0], rtol=1e-3)


def test_calcium_and_d3_move_bmd_as_bolton_smith_2007() -> None:
    """Bolton-Smith 2007 (../shared/reference/trials/trials.csv; not a calibration target):
    women of 60 and over, D3 10 ug + calcium 1000 mg/day for 2 years, about 60 per arm: no
    effect at the hip (a difference above ~1.5 pp would have been seen at that n). The
    core lowers PTH, so resorption falls and BMD gains: a small rise at the femoral neck,
    more at the lumbar spine (its remodelling turns over faster)."""
    person = Person.preset("postmenopausal", age=68, sun="low")
    none = _run(person, (), TWO_YEARS)
    supp = _run(person, CA_D, TWO_YEARS, core=None)
    hip = supp["bmd_femoral_neck_change_percent"][-1] - none["bmd_femoral_neck_change_percent"][-1]
    spine = (
        supp["bmd_lumbar_spine_change_percent"][-1] - none["bmd_lumbar_spine_change_percent"][-1]
    )
    assert 0.0 < hip < 1.5
    assert spine > hip > 0.0
    assert supp["pth_pmol_per_L"][-1] < 0.95 * supp["pth_pmol_per_L"][0]
    assert supp["vitamin_d25_nmol_per_L"][-1] > supp["vitamin_d25_nmol_per_L"][0]


def test_covariates_feed_the_core() -> None:
    """Sun and habitual calcium set the person's steady state; a D3 arm lowers PTH more
    where there is less sun."""
    d3 = ("D3 25 ug daily",)
    dark = _run(Person.preset("postmenopausal", sun="none"), d3, TWO_YEARS)
    sunny = _run(Person.preset("postmenopausal", sun="high"), d3, TWO_YEARS)
    assert dark["vitamin_d25_nmol_per_L"][0] < sunny["vitamin_d25_nmol_per_L"][0]
    assert dark["pth_pmol_per_L"][0] > sunny["pth_pmol_per_L"][0]
    fall = {
        k: 1 - r["pth_pmol_per_L"][-1] / r["pth_pmol_per_L"][0]
        for k, r in (("dark", dark), ("sunny", sunny))
    }
    assert fall["dark"] > fall["sunny"] > 0
    low = _run(Person.preset("postmenopausal", calcium_food_mg_per_day=400), d3, [0, 30])
    high = _run(Person.preset("postmenopausal", calcium_food_mg_per_day=1500), d3, [0, 30])
    assert low["pth_pmol_per_L"][0] > high["pth_pmol_per_L"][0]


def test_calcium_trial_runs_and_does_not_depend_on_chunks() -> None:
    spec = load_spec(EXAMPLE / "calcium_d3_k2_2_years.toml").with_n(6)
    # PTH is measured, so the placebo arm runs the core too; without it, it would not.
    assert [spec.runs_core(a) for a in range(3)] == [True, True, True]
    no_pth = spec_from_dict({**spec_dict_without_pth(spec)})
    assert [no_pth.runs_core(a) for a in range(3)] == [False, True, True]
    a = run_trial(spec, chunk=4)
    b = run_trial(spec, chunk=6)
    assert [e.to_dict() for e in a.effects] == [e.to_dict() for e in b.effects]
    spine = next(
        e for e in a.effects if e.arm == "calcium + D3" and e.endpoint.startswith("bmd_lumbar")
    )
    assert spine.difference.estimate > 0
    pth = next(e for e in a.effects if e.arm == "calcium + D3" and e.endpoint == "pth_pmol_per_L")
    assert pth.treated.mean < 0


def test_calcium_trial_on_dask_gives_the_same_numbers() -> None:
    """Each worker compiles the calcium core once (cached per process); the numbers are
    those of one local process."""
    pytest.importorskip("distributed")
    from k2lab.population.backends import DaskBackend

    spec = load_spec(EXAMPLE / "calcium_d3_k2_2_years.toml").with_n(3)
    local = run_trial(spec, chunk=3).to_dict()
    with DaskBackend(workers=2) as backend:
        dask = run_trial(spec, chunk=1, backend=backend).to_dict()
    assert dask["effects"] == local["effects"] and dask["visits"] == local["visits"]


def spec_dict_without_pth(spec: TrialSpec) -> dict[str, object]:
    d = spec.to_dict()
    return {
        "trial": {"visits_weeks": d["visits_weeks"]},
        "arms": d["arms"],
        "endpoints": [e for e in d["endpoints"] if e["name"] != "pth_pmol_per_L"],
    }


def test_calcium_arm_refuses_people_the_core_cannot_represent() -> None:
    spec = spec_from_dict(
        {
            "trial": {"visits_weeks": [0, 12]},
            "population": {"preset": "hemodialysis"},
            "arms": [
                {"name": "placebo", "n": 2},
                {"name": "D3", "n": 2, "regimens": ["D3 1000 IU daily"]},
            ],
            "endpoints": [{"name": "dp_ucMGP_pmol_per_L"}],
        }
    )
    with pytest.raises(ScenarioError, match="inclusion"):
        run_trial(spec)


def test_other_substances_are_refused() -> None:
    with pytest.raises(ScenarioError, match=r"arms\[1\]\.regimens\[0\]"):
        spec_from_dict(
            {
                "trial": {"visits_weeks": [0, 12]},
                "arms": [
                    {"name": "placebo", "n": 2},
                    {"name": "B12", "n": 2, "regimens": ["B12 500 ug daily"]},
                ],
                "endpoints": [{"name": "dp_ucMGP_pmol_per_L"}],
            }
        )
