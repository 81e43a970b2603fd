"""The whole calcium system for one person over years (:func:`simulate_system`).

For a :class:`~k2lab.calcium.system_scenario.SystemScenario` it runs

1. vitamin D input → 25(OH)D (:mod:`.vitamin_d`), calcium intake → the core's oral input
   with load-dependent absorption (:mod:`.absorption`);
2. the Peterson & Riggs core with k2lab's vitamin D hook (plasma calcium, phosphate, PTH,
   calcitriol, bone cells), all parameter draws in one vectorised call;
3. the vitamin K exposure and Gla status of :mod:`k2lab.physiology` (ucOC, dp-ucMGP, INR)
   on a daily grid;
4. the slow layers, driven by those daily values: BMD at two sites (:mod:`.bone`) and the
   vessel-wall calcification index (:mod:`.vessel`).

Every uncertain parameter (the extension table and the physiology tables) is drawn
``n_samples`` times; the first draw is the central one, and the prediction interval is the
central ``interval_percent`` of the draws; the same seed gives the same draws, so two runs
pair up (:class:`k2lab.trajectory.Comparison`). Day 0 is the person's own steady state: the core first
runs 10 years on their habitual food, sun and kidney function, then supplements and
medication start; a diet by itself shows no change, what is added to it does.

Example
-------
>>> s = SystemScenario(Person(age=62, sex="female"), calcium_supplement_mg_per_day=1000,
...                    vitamin_d_supplement_ug_per_day=50, k_regimens=("MK-7 180 ug daily",))
>>> r = simulate_system(s, years=1, n_samples=1)
>>> r.endpoints["dp_ucMGP_pmol_per_L"].change_percent < -20
True
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from k2lab.calcium.bone import SITES, bone_trend, remodelling_bmd
from k2lab.calcium.core_run import run_core
from k2lab.calcium.model import CALCIUM_MG_PER_MMOL, CalciumModel
from k2lab.calcium.params import calcium_parameters
from k2lab.calcium.system_scenario import (
    DAYS_PER_YEAR,
    DEFAULT_EGFR_ML_PER_MIN,
    DEFAULT_SUN,
    HOURS_PER_DAY,
    MAX_YEARS,
    SYSTEM_ENDPOINTS,
    SystemScenario,
    check_person,
    scenario_from_diet,
)
from k2lab.calcium.vessel import calcification_index
from k2lab.calcium.vitamin_k import gla_daily
from k2lab.errors import ScenarioError
from k2lab.person import DEFAULT_MENOPAUSE_AGE, Person
from k2lab.physiology.exposure import (
    Endpoint,
    endpoint_from_draws,
    group_doses,
)
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.regimen import Dose
from k2lab.vocab import ENDPOINTS

__all__ = [
    "SystemResult",
    "SystemScenario",
    "check_person",
    "scenario_from_diet",
    "simulate_system",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SystemResult:
    """Result of :func:`simulate_system`: daily endpoints with intervals, and the draws."""

    label: str
    years: float
    time_days: FloatArray = field(repr=False)
    endpoints: Mapping[str, Endpoint] = field(repr=False)
    draws: Mapping[str, FloatArray] = field(repr=False)
    seed: int = 0
    n_samples: int = 1
    interval_percent: float = 90.0
    inputs: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    source_keys: tuple[str, ...] = ()
    draw_ok: tuple[bool, ...] = ()

    def to_dict(self, *, every_days: int = 1) -> dict[str, Any]:
        """JSON-ready dict; trajectories every ``every_days`` days (and the last day)."""
        idx = np.unique(
            np.r_[np.arange(0, len(self.time_days), every_days), -1 % len(self.time_days)]
        )
        out_endpoints = {}
        for name, e in self.endpoints.items():
            d = e.to_dict()
            for key in ("trajectory", "trajectory_low", "trajectory_high"):
                d[key] = [d[key][i] for i in idx]
            out_endpoints[name] = d
        return {
            "label": self.label,
            "years": self.years,
            "time_days": [float(self.time_days[i]) for i in idx],
            "n_samples": self.n_samples,
            "interval_percent": self.interval_percent,
            "inputs": dict(self.inputs),
            "endpoints": out_endpoints,
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "source_keys": list(self.source_keys),
        }


def _doses(scenario: SystemScenario, hours: float) -> list[Dose]:
    doses = [d for d in scenario.k_doses if d.time_h < hours]
    for regimen in scenario.regimens:
        doses += regimen.doses(hours)
    return doses


def _per_sample(samples: Sequence[ParameterSet], name: str, scope: str = "all") -> FloatArray:
    return np.array([ps.value(name, scope) for ps in samples])


def _slow_layers(
    core: Mapping[str, FloatArray],
    draws: Mapping[str, FloatArray],
    cal: Sequence[ParameterSet],
    subject: Person,
) -> dict[str, FloatArray]:
    """BMD at both sites and the calcification index, from the core's bone cells and the
    daily Gla status and plasma calcium and phosphate."""
    out: dict[str, FloatArray] = {}
    ob = core["osteoblasts_pmol_per_l"]
    oc = core["osteoclasts_pmol_per_l"]
    ucoc = draws["ucOC_ng_per_mL"]
    fall_oc = 1.0 - ucoc / ucoc[:, :1]
    for site in SITES:
        remodel = remodelling_bmd(
            ob / ob[:, :1],
            oc / oc[:, :1],
            kout_per_day=_per_sample(cal, "bmd_kout_per_h", site) * HOURS_PER_DAY,
            gamma_ob=_per_sample(cal, "bmd_gamma_ob"),
            gamma_oc=_per_sample(cal, "bmd_gamma_oc", site),
        )
        trend = bone_trend(
            fall_oc,
            loss_percent_per_year=_per_sample(
                cal, "bmd_loss_percent_per_year", f"{subject.bone_scope}/{site}"
            ),
            k_effect_percent_per_year=_per_sample(cal, "bmd_k_effect_percent_per_year", site),
        )
        out[f"bmd_{site}_change_percent"] = 100.0 * (remodel * trend - 1.0)
    cap = draws["plasma_calcium_mmol_per_L"] * draws["plasma_phosphate_mmol_per_L"]
    mgp = draws["dp_ucMGP_pmol_per_L"]
    out["calcification_index_AU"] = calcification_index(
        cap / cap[:, :1],
        1.0 - mgp / mgp[:, :1],
        baseline_au=subject.calcification_au or 0.0,
        progression_au_per_year=_per_sample(cal, "cac_progression_au_per_year"),
        caxp_gamma=_per_sample(cal, "cac_caxp_gamma"),
        mgp_inhibition=_per_sample(cal, "cac_mgp_inhibition"),
    )
    return out


def simulate_system(
    scenario: SystemScenario,
    *,
    years: float,
    n_samples: int = 30,
    seed: int = 2026,
    interval_percent: float = 90.0,
    rtol: float = 1e-4,
    params: ParameterSet | None = None,
    throw: bool = True,
) -> SystemResult:
    """Simulate the calcium system of ``scenario`` for ``years`` with daily outputs.

    ``params`` replaces the extension parameters (default: ``calcium_parameters()``).
    ``throw=False`` keeps going when non-central draws fail: they are left out of the
    intervals and marked in ``SystemResult.draw_ok`` (a failing central draw still raises).
    ``rtol`` is the core's tolerance: 1e-4 keeps every endpoint within 0.4 % of a run at
    1e-5 (ten years, 30 draws) at a quarter of its cost. Draws whose bone cells settle at
    the core's RUNX2 switch (BCL2 = 105, where RUNX2 jumps from 10 to 15) chatter there and
    make the shared solver take many small steps; that, not the model size, sets the cost.

    Raises
    ------
    ScenarioError
        Impossible inputs (see :func:`check_person` and :class:`SystemScenario`), or a duration
        outside 1 day to 50 years.
    """
    if (
        not isinstance(years, int | float)
        or not math.isfinite(years)
        or not (1.0 / DAYS_PER_YEAR <= years <= MAX_YEARS)
    ):
        raise ScenarioError(f"years must be between one day and {MAX_YEARS:g}, not {years!r}.")
    if not 1 <= n_samples <= 2000:
        raise ScenarioError(f"n_samples must be between 1 and 2000, not {n_samples!r}.")
    if not 0 < interval_percent < 100:
        raise ScenarioError(f"interval_percent must lie in (0, 100), not {interval_percent!r}.")
    subject = scenario.subject
    egfr = DEFAULT_EGFR_ML_PER_MIN if subject.egfr_ml_per_min is None else subject.egfr_ml_per_min
    n_days = max(1, round(years * DAYS_PER_YEAR))
    hours = n_days * HOURS_PER_DAY
    warnings: list[str] = []

    cal = (params or calcium_parameters()).sample(n_samples, seed)
    phys = default_parameters().sample(n_samples, seed + 1)
    model = CalciumModel.extended()
    run = run_core(scenario, cal, n_days=n_days, rtol=rtol, model=model)
    warnings.extend(run.warnings)
    food_ca, supp_ca = run.food_ca_mg_per_day, run.supplement_ca_mg_per_day
    habitual_d, total_d = run.habitual_d_ug_per_day, run.total_d_ug_per_day
    failed = run.failed.copy()
    if failed.any() and (throw or failed[0]):
        raise ScenarioError(
            "The calcium model failed for these inputs (non-finite state"
            + ("" if failed[0] else f" in {failed.sum()} of {n_samples} draws")
            + "); check for extreme intakes or kidney function."
        )
    ce = run.endpoints
    draws: dict[str, FloatArray] = {
        "plasma_calcium_mmol_per_L": ce["plasma_calcium_mmol_per_l"],
        "plasma_phosphate_mmol_per_L": ce["plasma_phosphate_mmol_per_l"],
        "pth_pmol_per_L": ce["pth_pmol_per_l"],
        "calcitriol_pmol_per_L": ce["calcitriol_pmol_per_l"],
        "vitamin_d25_nmol_per_L": ce["vitamin_d25_nmol_per_l"],
        "calcium_absorbed_mg_per_day": ce["gut_calcium_absorption_mmol_per_h"]
        * HOURS_PER_DAY
        * CALCIUM_MG_PER_MMOL,
        "urinary_calcium_mg_per_day": ce["urinary_calcium_mmol_per_h"]
        * HOURS_PER_DAY
        * CALCIUM_MG_PER_MMOL,
    }

    # Vitamin K exposure and Gla status on the daily grid, one run per draw.
    groups = group_doses(_doses(scenario, hours))
    med = scenario.medication
    gla_runs = [
        gla_daily(
            groups,
            population=subject.vitamin_k_population,
            medication=med,
            n_days=n_days,
            params=ps,
        )
        for ps in phys
    ]
    for name in gla_runs[0]:
        if name in SYSTEM_ENDPOINTS:
            draws[name] = np.vstack([r[name] for r in gla_runs])

    # Slow layers, driven by the daily values (failed draws, if any, give NaN rows).
    with np.errstate(all="ignore") if failed.any() else contextlib.nullcontext():
        draws.update(_slow_layers(ce, draws, cal, subject))
    for name, arr in draws.items():
        bad = ~np.all(np.isfinite(arr), axis=1)
        if bad.any() and (throw or bad[0]):
            raise ScenarioError(f"The model produced non-finite {name}; check the inputs.")
        failed |= bad
    ok = ~failed

    time_days = np.arange(n_days + 1, dtype=float)
    tail = (100.0 - interval_percent) / 2.0
    endpoints = {
        name: endpoint_from_draws(
            name, ENDPOINTS[name].unit, draws[name][ok], time_days * HOURS_PER_DAY, tail
        )
        for name in SYSTEM_ENDPOINTS
        if name in draws
    }
    notes = list(scenario.notes)
    if subject.egfr_ml_per_min is None:
        notes.append(f"Kidney function not given: eGFR {DEFAULT_EGFR_ML_PER_MIN:g} mL/min assumed.")
    if subject.sun is None:
        notes.append(f"Sunlight not given: '{DEFAULT_SUN}' assumed (give sun to change it).")
    if subject.sex == "female" and subject.menopause_age is None and subject.postmenopausal:
        notes.append(
            f"Menopause assumed at {DEFAULT_MENOPAUSE_AGE:g}; give menopause_age to change it."
        )
    notes.append(
        "BMD and calcification carry wide intervals: in trials vitamin K lowers dp-ucMGP and "
        "ucOC reliably, while effects on BMD are small or null and on calcification null."
    )
    keys = {k for ps in (cal[0], phys[0]) for r in ps.records for k in r.source_key.split(";")}
    return SystemResult(
        label=scenario.label,
        years=n_days / DAYS_PER_YEAR,
        time_days=time_days,
        endpoints=endpoints,
        draws=draws,
        seed=seed,
        n_samples=n_samples,
        interval_percent=interval_percent,
        inputs={
            "calcium_food_mg_per_day": food_ca,
            "calcium_supplement_mg_per_day": supp_ca,
            "vitamin_d_input_ug_per_day": float(total_d[0]),
            "vitamin_d_habitual_ug_per_day": float(habitual_d[0]),
            "egfr_ml_per_min": egfr,
        },
        notes=tuple(notes),
        warnings=tuple(warnings),
        source_keys=tuple(sorted(keys | {model.source_key})),
        draw_ok=tuple(bool(x) for x in ok),
    )
