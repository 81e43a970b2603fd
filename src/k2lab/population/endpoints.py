"""One virtual person's endpoints at the visit days, without keeping daily trajectories.

Two paths:

- **vitamin K only** (the fast path): an arm whose regimens are all vitamin K leaves the
  person's calcium core at the steady state their habitual food, sun and kidney function
  set (:func:`k2lab.calcium.system.simulate_system` runs 10 years of burn-in to reach it,
  and then its osteoblast and osteoclast ratios and its Ca×P ratio stay at 1). This path
  takes that steady state as given and runs only what changes: the vitamin K layers hour
  by hour (:func:`k2lab.calcium.vitamin_k.gla_daily`), then the BMD trend
  (:func:`k2lab.calcium.bone.bone_trend`) and the calcification index
  (:func:`k2lab.calcium.vessel.calcification_index`) on the daily grid. A test checks the
  result against ``simulate_system``.
- **calcium core**: an arm with calcium or vitamin D regimens (or a trial measuring
  :data:`CORE_ENDPOINTS`) runs the person's Peterson & Riggs core
  (:func:`k2lab.calcium.core_run.run_core`): burn-in on their habitual calcium, vitamin D
  food, sun and eGFR, then the supplements. Its bone cells drive the remodelling part of
  BMD (:func:`k2lab.calcium.bone.remodelling_bmd`) and its Ca×P the calcification index,
  exactly as in ``simulate_system``; this costs about 15 times the fast path per person on MK-7.

Memory per person is a few hourly arrays over the trial (8 bytes × 24 × days, e.g. 0.2 MB
each for 3 years) and, on the core path, daily core states; all freed before the next
person; only the visit values are kept.

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

from k2lab.calcium.bone import SITES, bone_trend, remodelling_bmd
from k2lab.calcium.core_run import run_core
from k2lab.calcium.system_scenario import SystemScenario
from k2lab.calcium.vessel import calcification_index
from k2lab.calcium.vitamin_k import gla_daily
from k2lab.errors import ScenarioError
from k2lab.person import Person
from k2lab.physiology.exposure import group_doses
from k2lab.physiology.params import ParameterSet
from k2lab.regimen import Regimen

__all__ = ["CORE_ENDPOINTS", "TRIAL_ENDPOINTS", "person_endpoints", "supplement_amounts"]

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
    "plasma_calcium_mmol_per_L",
    "pth_pmol_per_L",
    "vitamin_d25_nmol_per_L",
)
#: Endpoints only the calcium core gives (a trial measuring one runs the core in every arm).
CORE_ENDPOINTS = ("plasma_calcium_mmol_per_L", "pth_pmol_per_L", "vitamin_d25_nmol_per_L")
_CORE_NAMES = {
    "plasma_calcium_mmol_per_L": "plasma_calcium_mmol_per_l",
    "pth_pmol_per_L": "pth_pmol_per_l",
    "vitamin_d25_nmol_per_L": "vitamin_d25_nmol_per_l",
}
HOURS_PER_DAY = 24.0


def supplement_amounts(regimens: Sequence[Regimen], n_days: int) -> tuple[float, int, float]:
    """Calcium (mg/day, mean over the trial), its intakes per day (at most 6) and
    vitamin D (µg/day) of the calcium and vitamin D regimens; the core takes daily means."""
    calcium, doses, vitamin_d = 0.0, 1, 0.0
    for r in regimens:
        if r.substance == "calcium":
            calcium += r.mean_per_day(n_days)
            doses = max(doses, min(r.intakes_per_day, 6))
        elif r.substance == "vitamin_d":
            vitamin_d += r.mean_per_day(n_days)
    return calcium, doses, vitamin_d


def _core(
    person: Person, regimens: Sequence[Regimen], cal: ParameterSet, n_days: int
) -> dict[str, np.ndarray]:
    """The person's calcium core over the trial (daily), after burn-in."""
    calcium, doses, vitamin_d = supplement_amounts(regimens, n_days)
    try:
        scenario = SystemScenario(
            person,
            calcium_food_mg_per_day=person.calcium_food_mg_per_day,
            calcium_supplement_mg_per_day=calcium,
            calcium_supplement_doses=doses,
            vitamin_d_food_ug_per_day=person.vitamin_d_food_ug_per_day or 0.0,
            vitamin_d_supplement_ug_per_day=vitamin_d,
        )
    except ScenarioError as exc:
        raise ScenarioError(
            f"A virtual person cannot be given calcium or vitamin D arms: {exc.message} "
            "Restrict the population (e.g. inclusion egfr_ml_per_min = [15, 150], "
            "dialysis = [false]) or keep the trial to vitamin K arms.",
            field="population.inclusion",
        ) from None
    run = run_core(scenario, [cal], n_days=n_days)
    if run.failed[0]:
        raise ScenarioError(
            "The calcium core failed for a virtual person (non-finite state); check the "
            "calcium and vitamin D amounts of the arms.",
            field="arms",
        )
    return {k: v[0] for k, v in run.endpoints.items()}


def person_endpoints(
    person: Person,
    regimens: Sequence[Regimen],
    phys: ParameterSet,
    cal: ParameterSet,
    visit_days: Sequence[int],
    *,
    core: bool | None = None,
) -> dict[str, FloatArray]:
    """Every :data:`TRIAL_ENDPOINTS` value at ``visit_days`` (day 0 = first dose); the
    :data:`CORE_ENDPOINTS` only with the calcium core.

    ``phys`` and ``cal`` are the person's own physiology and calcium-extension parameters
    (a replicate's draw with the person's BSV applied). ``core`` runs the calcium core
    (default: when a regimen is calcium or vitamin D).
    """
    days = np.asarray(visit_days, dtype=int)
    n_days = max(int(days.max()), 1)
    k_regimens = [r for r in regimens if r.is_vitamin_k]
    if core is None:
        core = len(k_regimens) < len(regimens)
    groups = group_doses([d for r in k_regimens for d in r.doses(n_days * HOURS_PER_DAY)])
    population = person.vitamin_k_population
    if groups:
        daily = gla_daily(
            groups, population=population, medication=None, n_days=n_days, params=phys
        )
    else:  # nothing added: the vitamin K layers stay at their baseline
        flat = gla_daily({}, population=population, medication=None, n_days=1, params=phys)
        daily = {k: np.full(n_days + 1, v[0]) for k, v in flat.items()}
    out = {k: daily[k][days] for k in TRIAL_ENDPOINTS if k in daily}
    ce = _core(person, regimens, cal, n_days) if core else None
    if ce is not None:
        out.update({k: ce[v][days] for k, v in _CORE_NAMES.items()})
    ucoc = daily["ucOC_ng_per_mL"]
    for site in SITES:
        trend = bone_trend(
            (1.0 - ucoc / ucoc[0])[None, :],
            loss_percent_per_year=cal.value(
                "bmd_loss_percent_per_year", f"{person.bone_scope}/{site}"
            ),
            k_effect_percent_per_year=cal.value("bmd_k_effect_percent_per_year", site),
        )[0]
        if ce is not None:
            ob, oc = ce["osteoblasts_pmol_per_l"], ce["osteoclasts_pmol_per_l"]
            trend = (
                trend
                * remodelling_bmd(
                    (ob / ob[0])[None, :],
                    (oc / oc[0])[None, :],
                    kout_per_day=cal.value("bmd_kout_per_h", site) * HOURS_PER_DAY,
                    gamma_ob=cal.value("bmd_gamma_ob"),
                    gamma_oc=cal.value("bmd_gamma_oc", site),
                )[0]
            )
        out[f"bmd_{site}_change_percent"] = 100.0 * (trend[days] - 1.0)
    mgp = daily["dp_ucMGP_pmol_per_L"]
    if ce is not None:
        cap = ce["plasma_calcium_mmol_per_l"] * ce["plasma_phosphate_mmol_per_l"]
        cap_rel = (cap / cap[0])[None, :]
    else:
        cap_rel = np.ones((1, n_days + 1))
    cac = calcification_index(
        cap_rel,
        (1.0 - mgp / mgp[0])[None, :],
        baseline_au=person.calcification_au or 0.0,
        progression_au_per_year=cal.value("cac_progression_au_per_year"),
        caxp_gamma=cal.value("cac_caxp_gamma"),
        mgp_inhibition=cal.value("cac_mgp_inhibition"),
    )[0]
    out["calcification_index_AU"] = cac[days]
    return out
