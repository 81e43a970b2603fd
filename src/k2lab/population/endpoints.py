"""One virtual person's endpoints at the visit days, without keeping daily trajectories.

Trial arms differ only in vitamin K regimens (calcium and vitamin D supplements are
refused by the trial spec), so a person's calcium core stays at the steady state their
habitual food, sun and kidney function set: :func:`k2lab.calcium.system.simulate_system`
runs 10 years of burn-in to reach it, and then its osteoblast and osteoclast ratios and its
Ca×P ratio stay at 1. This module takes that steady state as given and runs only what
changes: the vitamin K layers hour by hour (:func:`k2lab.calcium.vitamin_k.gla_daily`),
then the BMD trend (:func:`k2lab.calcium.bone.bone_trend`) and the calcification index
(:func:`k2lab.calcium.vessel.calcification_index`) on the daily grid. A test checks the
result against ``simulate_system``. Memory per person is a few hourly arrays over the
trial (8 bytes × 24 × days, e.g. 0.2 MB each for 3 years), freed before the next person;
only the visit values are kept.

Example
-------
>>> from k2lab.calcium.params import calcium_parameters
>>> from k2lab.physiology.params import default_parameters
>>> from k2lab.regimen import parse_regimen
>>> out = person_endpoints(Person.preset("postmenopausal"), [parse_regimen("MK-7 180 ug daily")],
...                        default_parameters(), calcium_parameters(), [0, 84])
>>> bool(out["dp_ucMGP_pmol_per_L"][1] < 0.8 * out["dp_ucMGP_pmol_per_L"][0])
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from k2lab.calcium.bone import SITES, bone_trend
from k2lab.calcium.vessel import calcification_index
from k2lab.calcium.vitamin_k import gla_daily
from k2lab.person import Person
from k2lab.physiology.exposure import group_doses
from k2lab.physiology.params import ParameterSet
from k2lab.regimen import Regimen

__all__ = ["TRIAL_ENDPOINTS", "person_endpoints"]

FloatArray = NDArray[np.float64]

#: Endpoints a virtual trial can measure.
TRIAL_ENDPOINTS = (
    "dp_ucMGP_pmol_per_L",
    "ucOC_ng_per_mL",
    "ucOC_cOC_ratio",
    "plasma_K1_nmol_per_L",
    "plasma_MK7_nmol_per_L",
    "bmd_lumbar_spine_change_percent",
    "bmd_femoral_neck_change_percent",
    "calcification_index_AU",
)


def person_endpoints(
    person: Person,
    regimens: Sequence[Regimen],
    phys: ParameterSet,
    cal: ParameterSet,
    visit_days: Sequence[int],
) -> dict[str, FloatArray]:
    """Every :data:`TRIAL_ENDPOINTS` value at ``visit_days`` (day 0 = first dose).

    ``phys`` and ``cal`` are the person's own physiology and calcium-extension parameters
    (a replicate's draw with the person's BSV applied).
    """
    days = np.asarray(visit_days, dtype=int)
    n_days = max(int(days.max()), 1)
    groups = group_doses([d for r in regimens for d in r.doses(n_days * 24.0)])
    population = person.vitamin_k_population
    if groups:
        daily = gla_daily(
            groups, population=population, medication=None, n_days=n_days, params=phys
        )
    else:  # nothing added: the vitamin K layers stay at their baseline
        flat = gla_daily({}, population=population, medication=None, n_days=1, params=phys)
        daily = {k: np.full(n_days + 1, v[0]) for k, v in flat.items()}
    out = {k: daily[k][days] for k in TRIAL_ENDPOINTS if k in daily}
    ucoc = daily["ucOC_ng_per_mL"]
    for site in SITES:
        trend = bone_trend(
            (1.0 - ucoc / ucoc[0])[None, :],
            loss_percent_per_year=cal.value(
                "bmd_loss_percent_per_year", f"{person.bone_scope}/{site}"
            ),
            k_effect_percent_per_year=cal.value("bmd_k_effect_percent_per_year", site),
        )[0]
        out[f"bmd_{site}_change_percent"] = 100.0 * (trend[days] - 1.0)
    mgp = daily["dp_ucMGP_pmol_per_L"]
    cac = calcification_index(
        np.ones((1, n_days + 1)),
        (1.0 - mgp / mgp[0])[None, :],
        baseline_au=person.calcification_au or 0.0,
        progression_au_per_year=cal.value("cac_progression_au_per_year"),
        caxp_gamma=cal.value("cac_caxp_gamma"),
        mgp_inhibition=cal.value("cac_mgp_inhibition"),
    )[0]
    out["calcification_index_AU"] = cac[days]
    return out
