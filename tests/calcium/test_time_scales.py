"""Time scales: slow layers driven by daily values match a run resolving every dose."""

from __future__ import annotations

import numpy as np
import pytest

from k2lab.calcium.bone import bone_trend
from k2lab.calcium.vessel import calcification_index
from k2lab.calcium.vitamin_k import gla_daily
from k2lab.physiology.exposure import group_doses, simulate_trajectories
from k2lab.physiology.params import default_parameters
from k2lab.regimen import parse_regimen

DAYS = 365
LOSS = 0.61


def _layers(ucoc: np.ndarray, mgp: np.ndarray, step_days: float) -> tuple[float, float]:
    trend = bone_trend(
        1.0 - ucoc / ucoc[:, :1],
        loss_percent_per_year=LOSS,
        k_effect_percent_per_year=0.5,
        step_days=step_days,
    )
    index = calcification_index(
        np.ones_like(mgp),
        1.0 - mgp / mgp[:, :1],
        baseline_au=0.0,
        progression_au_per_year=12.3,
        caxp_gamma=2.0,
        mgp_inhibition=0.15,
        step_days=step_days,
    )
    # vitamin K effect on BMD (pp) and on calcification (AU avoided)
    return 100.0 * (float(trend[0, -1]) - 1.0) + LOSS, 12.3 - float(index[0, -1])


@pytest.mark.parametrize(
    "regimen",
    ["MK-7 180 ug daily", "MK-7 1260 ug weekly", "MK-4 1500 ug daily", "K1 1000 ug daily"],
)
def test_daily_values_drive_bone_and_vessel_like_every_hour(regimen: str) -> None:
    groups = group_doses(parse_regimen(regimen).doses(DAYS * 24.0))
    params = default_parameters()
    hourly = simulate_trajectories(
        groups,
        population="postmenopausal",
        medication=None,
        step_h=1.0,
        n_steps=DAYS * 24,
        params=params,
    )
    daily = gla_daily(
        groups, population="postmenopausal", medication=None, n_days=DAYS, params=params
    )
    h = _layers(hourly["ucOC_ng_per_mL"][None], hourly["dp_ucMGP_pmol_per_L"][None], 1 / 24)
    d = _layers(daily["ucOC_ng_per_mL"][None], daily["dp_ucMGP_pmol_per_L"][None], 1.0)
    assert h[0] > 0.05 and h[1] > 0.05
    assert d == pytest.approx(h, rel=0.01)


def test_daily_mean_concentrations_would_not_do_for_fast_vitamers() -> None:
    """Why gla_daily resolves doses: carboxylation of a daily-mean K1 level is biased."""
    groups = group_doses(parse_regimen("K1 1000 ug daily").doses(DAYS * 24.0))
    kw = {"population": "postmenopausal", "medication": None, "params": default_parameters()}
    coarse = simulate_trajectories(groups, step_h=24.0, n_steps=DAYS, **kw)
    fine = gla_daily(groups, n_days=DAYS, **kw)
    ratio = (
        _layers(coarse["ucOC_ng_per_mL"][None], coarse["dp_ucMGP_pmol_per_L"][None], 1.0)[0]
        / _layers(fine["ucOC_ng_per_mL"][None], fine["dp_ucMGP_pmol_per_L"][None], 1.0)[0]
    )
    assert ratio > 1.1


def test_calcium_as_a_daily_constant_drives_bone_like_three_meals_a_day() -> None:
    """Meals move gut absorption and PTH within the day; the bone layer only sees days."""
    from k2lab.calcium import CalciumModel, CalciumScenario, simulate_calcium
    from k2lab.calcium.bone import remodelling_bmd

    days, per_day = 120, 1000.0
    hourly = np.zeros(24)
    hourly[[7, 12, 18]] = per_day * 24 / 3  # each meal's calcium within one hour
    model = CalciumModel.from_sbml()
    meals = simulate_calcium(
        model,
        CalciumScenario(calcium_intake_mg_per_day=np.tile(hourly, days)),
        years=days / 365,
        input_every_h=1.0,
        output_every_h=1.0,
        rtol=1e-5,
    )
    daily = simulate_calcium(
        model, CalciumScenario(calcium_intake_mg_per_day=per_day), years=days / 365, rtol=1e-5
    )
    m, d = meals.endpoints, daily.endpoints
    # Within the day the meals matter (absorption at midnight differs by ~10 %) ...
    absorbed = "gut_calcium_absorption_mmol_per_h"
    assert abs(m[absorbed][0, -1] / d[absorbed][0, -1] - 1) > 0.05
    # ... but the last month's daily means and the bone cells agree.
    last = slice(-30 * 24 - 1, -1)
    for name in ("plasma_calcium_mmol_per_l", "plasma_phosphate_mmol_per_l", absorbed):
        assert np.mean(m[name][0, last]) == pytest.approx(d[name][0, -1], rel=0.01), name
    bmd = [
        remodelling_bmd(
            (e["osteoblasts_pmol_per_l"] / e["osteoblasts_pmol_per_l"][:, :1])[:, ::step],
            (e["osteoclasts_pmol_per_l"] / e["osteoclasts_pmol_per_l"][:, :1])[:, ::step],
            kout_per_day=0.000397 * 24,
            gamma_ob=0.0793,
            gamma_oc=0.14,
        )[0, -1]
        for e, step in ((m, 24), (d, 1))
    ]
    assert bmd[0] == pytest.approx(bmd[1], abs=1e-4)
