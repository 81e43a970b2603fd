"""The calcium core of one system run: the person's steady state, then what is added.

:func:`run_core` turns a :class:`~k2lab.calcium.system_scenario.SystemScenario` into the
core's inputs per parameter draw (25(OH)D from food, sun and supplements; oral calcium
with load-dependent absorption), runs the Peterson & Riggs core for
:data:`~k2lab.calcium.system_scenario.BURN_IN_YEARS` on the habitual food, sun and kidney
function, and then ``n_days`` with the supplements. Both
:func:`k2lab.calcium.system.simulate_system` and the virtual trials' calcium arms
(:mod:`k2lab.population.endpoints`) use it.

Example
-------
>>> from k2lab.calcium.params import calcium_parameters
>>> from k2lab.person import Person
>>> s = SystemScenario(Person(age=62, sex="female"), calcium_supplement_mg_per_day=1000)
>>> run = run_core(s, [calcium_parameters()], n_days=30)
>>> bool(run.endpoints["pth_pmol_per_l"][0, -1] < run.endpoints["pth_pmol_per_l"][0, 0])
True
"""

from __future__ import annotations

import warnings as warnings_module
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from k2lab.calcium.model import CalciumModel
from k2lab.calcium.scenario import CalciumScenario
from k2lab.calcium.simulate import simulate_calcium
from k2lab.calcium.system_scenario import (
    BURN_IN_YEARS,
    DAYS_PER_YEAR,
    DEFAULT_EGFR_ML_PER_MIN,
    HOURS_PER_DAY,
    SystemScenario,
    daily_inputs,
)
from k2lab.errors import IntakeWarning
from k2lab.physiology.params import ParameterSet

__all__ = ["CoreRun", "run_core"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CoreRun:
    """The core's daily endpoints (draws, days + 1) from day 0 and what went in."""

    endpoints: Mapping[str, FloatArray]
    failed: NDArray[np.bool_]
    food_ca_mg_per_day: float
    supplement_ca_mg_per_day: float
    habitual_d_ug_per_day: FloatArray
    total_d_ug_per_day: FloatArray
    egfr_ml_per_min: float
    warnings: tuple[str, ...]


def run_core(
    scenario: SystemScenario,
    cal: Sequence[ParameterSet],
    *,
    n_days: int,
    rtol: float = 1e-4,
    model: CalciumModel | None = None,
) -> CoreRun:
    """Burn-in on the habitual inputs, then ``n_days`` with the scenario's supplements,
    one row per draw in ``cal`` (the extension parameters)."""
    model = model or CalciumModel.extended()
    subject = scenario.subject
    egfr = DEFAULT_EGFR_ML_PER_MIN if subject.egfr_ml_per_min is None else subject.egfr_ml_per_min
    food_ca = (
        model.default_calcium_intake_mg_per_day
        if scenario.calcium_food_mg_per_day is None
        else float(scenario.calcium_food_mg_per_day)
    )
    supp_ca = float(scenario.calcium_supplement_mg_per_day)
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always", IntakeWarning)
        habitual_d, total_d, oral, habitual_oral, d_params = daily_inputs(
            scenario, cal, food_ca, supp_ca
        )
    messages = tuple(dict.fromkeys(str(w.message) for w in caught if w.category is IntakeWarning))
    habitual_params = {k: np.array(v) for k, v in d_params.items()}
    habitual_params["k2lab_d25_target"] = habitual_params["k2lab_d25_start"]
    # Burn-in: the person has lived on their food and sun for years (bone cells reach
    # their steady state within 1e-4 in 10 years); supplements and changes start at day 0.
    burn_in = simulate_calcium(
        model,
        CalciumScenario(
            calcium_intake_mg_per_day=habitual_oral[:, None],
            gfr_ml_per_min=egfr,
            parameters=habitual_params,
        ),
        years=BURN_IN_YEARS,
        output_every_h=HOURS_PER_DAY,
        rtol=rtol,
    )
    core = simulate_calcium(
        model,
        CalciumScenario(
            calcium_intake_mg_per_day=oral[:, None],
            gfr_ml_per_min=egfr,
            parameters={k: np.array(v) for k, v in d_params.items()},
        ),
        years=n_days / DAYS_PER_YEAR,
        rtol=rtol,
        initial_state=burn_in.states[:, -1],
    )
    failed = np.array(
        [
            a.value != "ok" or b.value != "ok"
            for a, b in zip(burn_in.status, core.status, strict=True)
        ]
    )
    return CoreRun(
        endpoints=core.endpoints,
        failed=failed,
        food_ca_mg_per_day=food_ca,
        supplement_ca_mg_per_day=supp_ca,
        habitual_d_ug_per_day=habitual_d,
        total_d_ug_per_day=total_d,
        egfr_ml_per_min=float(egfr),
        warnings=messages,
    )
