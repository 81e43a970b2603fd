"""The model's figure for each trial arm, central and with a 90 % interval, for both layers.

A physiology arm runs the vitamin K exposure (a 9-h AUC is computed in closed form); a
calcium arm runs the calcium system's control and tested scenarios with the same draws, so
a difference between arms is paired. :func:`predict_arms` does every arm of a list.

Example
-------
>>> from k2lab.physiology.params import default_parameters
>>> from k2lab.validation.trials import load_trials
>>> arm = next(a for a in load_trials() if a.arm_id == "dalmeijer_180_mgp")
>>> round(predict_exposure(arm, default_parameters()), 1)
-30.8
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from k2lab.calcium.system import SystemScenario, simulate_system
from k2lab.physiology.absorption import ka_factor, relative_bioavailability
from k2lab.physiology.exposure import (
    ExposureOptions,
    group_doses,
    simulate_exposure,
    simulate_trajectories,
)
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.physiology.pk import auc_nmol_h_per_L, disposition_modes
from k2lab.units import ug_to_nmol
from k2lab.validation.scenarios import exposure_arm, system_arms
from k2lab.validation.trials import TrialArm

__all__ = [
    "EXPOSURE_SAMPLES",
    "SYSTEM_SAMPLES",
    "ArmResult",
    "predict_arms",
    "predict_exposure",
]

#: Parameter draws for the intervals of each layer (fixed seeds).
EXPOSURE_SAMPLES = 50
SYSTEM_SAMPLES = 30
_AUC_SEED = 99
_SYSTEM_SEED = 2026
_AUC_HOURS = 9.0
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ArmResult:
    """Observed against predicted for one arm (the model's figure in the arm's metric)."""

    arm: TrialArm
    predicted: float
    low: float
    high: float

    @property
    def error(self) -> float:
        """Model minus observed (see :meth:`TrialArm.error`)."""
        return self.arm.error(self.predicted)


def _auc_k1(arm: TrialArm, params: ParameterSet) -> float:
    dose = exposure_arm(arm).doses[0]
    conversion = params[("conversion_to_mk4_fraction", "K1")]
    absorbed = (
        ug_to_nmol("K1", dose.amount_ug)
        * relative_bioavailability("K1", dose.matrix, params)
        * (1.0 - conversion)
    )
    modes = disposition_modes("K1", params, ka_factor("K1", dose.matrix, params))
    return auc_nmol_h_per_L(modes, absorbed, _AUC_HOURS)


def predict_exposure(arm: TrialArm, params: ParameterSet) -> float:
    """The physiology's figure for an arm with one parameter set, in the arm's metric."""
    if arm.endpoint.startswith("auc_0_9h_K1"):
        return _auc_k1(arm, params)
    x = exposure_arm(arm)
    traj = simulate_trajectories(
        group_doses(x.doses),
        population=x.population,
        medication=x.medication,
        step_h=24.0,
        n_steps=round(x.hours / 24.0),
        params=params,
        inr_target=x.inr_target,
    )[arm.endpoint]
    return float(100.0 * (traj[-1] / traj[0] - 1.0))


def _exposure_result(arm: TrialArm, n_samples: int) -> ArmResult:
    params = default_parameters()
    central = predict_exposure(arm, params)
    if arm.endpoint.startswith("auc_0_9h_K1"):
        draws = [predict_exposure(arm, p) for p in params.sample(n_samples, _AUC_SEED)]
        lo, hi = np.percentile(draws, [5, 95])
    else:
        x = exposure_arm(arm)
        res = simulate_exposure(
            x.doses,
            population=x.population,
            medication=x.medication,
            hours=x.hours,
            options=ExposureOptions(step_h=24.0, n_samples=n_samples, inr_target=x.inr_target),
        )
        e = res.endpoints[arm.endpoint]
        lo, hi = e.change_percent_low, e.change_percent_high
    return ArmResult(arm, central, float(lo), float(hi))


def _system_result(
    arm: TrialArm,
    n_samples: int,
    runs: dict[tuple[SystemScenario, float], Mapping[str, FloatArray]],
) -> ArmResult:
    s = system_arms(arm)

    def change(scenario: SystemScenario) -> FloatArray:
        # Trials share control arms: each scenario runs once (the draws are seeded).
        if (scenario, s.years) not in runs:
            r = simulate_system(scenario, years=s.years, n_samples=n_samples, seed=_SYSTEM_SEED)
            runs[scenario, s.years] = r.draws
        draws = runs[scenario, s.years][arm.endpoint]
        return draws[:, -1] - draws[:, 0]

    value = change(s.control)
    if s.treatment is not None:
        value = change(s.treatment) - value
    lo, hi = np.percentile(value, [5.0, 95.0])
    return ArmResult(arm, float(value[0]), float(lo), float(hi))


def predict_arms(
    arms: Iterable[TrialArm],
    *,
    exposure_samples: int = EXPOSURE_SAMPLES,
    system_samples: int = SYSTEM_SAMPLES,
) -> list[ArmResult]:
    """Central figure and 90 % interval for every arm, in the order given."""
    runs: dict[tuple[SystemScenario, float], Mapping[str, FloatArray]] = {}
    return [
        _exposure_result(a, exposure_samples)
        if a.layer == "physiology"
        else _system_result(a, system_samples, runs)
        for a in arms
    ]
