"""Leave-one-trial-out cross-validation of the physiology's calibration (least squares).

For each calibration trial, the free parameters (:data:`PHYSIOLOGY_PARAMETERS`) are refitted
by the same least squares as :func:`~k2lab.validation.calibrate.calibrate` to the other
calibration trials' arms, starting from the centre of the prior bounds (geometric mean, so a
parameter the remaining arms do not inform stays at its prior centre rather than at the
full fit), and the left-out trial's arms are predicted. Least squares, not MCMC: one
posterior run per trial would take minutes each.

Example
-------
>>> # loo = leave_one_trial_out(); loo[0].trial
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from k2lab.physiology.params import default_parameters
from k2lab.validation.calibrate import PHYSIOLOGY_PARAMETERS, _fit
from k2lab.validation.predict import predict_exposure
from k2lab.validation.trials import TrialArm, load_trials

__all__ = ["LooResult", "leave_one_trial_out", "loo_endpoint_errors"]


@dataclass(frozen=True)
class LooResult:
    """One left-out arm: predicted from a fit without its trial."""

    arm: TrialArm
    predicted: float

    @property
    def error(self) -> float:
        """Model minus observed (see :meth:`TrialArm.error`)."""
        return self.arm.error(self.predicted)


def leave_one_trial_out() -> list[LooResult]:
    """Every physiology calibration arm, predicted from a fit without its trial."""
    arms = [a for a in load_trials() if a.layer == "physiology" and a.role == "calibration"]
    base = default_parameters()
    keys = list(PHYSIOLOGY_PARAMETERS)
    start = [math.sqrt(PHYSIOLOGY_PARAMETERS[k][0] * PHYSIOLOGY_PARAMETERS[k][1]) for k in keys]
    out = []
    for trial in dict.fromkeys(a.trial for a in arms):
        rest = [a for a in arms if a.trial != trial]
        fitted = _fit(rest, base, start)
        p = base.replace(dict(zip(keys, fitted.tolist(), strict=True)))
        out += [LooResult(a, predict_exposure(a, p)) for a in arms if a.trial == trial]
    return out


def loo_endpoint_errors(results: list[LooResult]) -> list[tuple[str, int, float, float, str]]:
    """Per endpoint (and all percent-change arms): arms, RMS error, mean error, unit."""
    groups: dict[str, list[LooResult]] = {}
    for r in results:
        groups.setdefault(r.arm.endpoint, []).append(r)
    pp = [r for r in results if r.arm.error_unit == "pp"]
    if pp:
        groups["all endpoints in pp"] = pp
    rows = []
    for name, rs in groups.items():
        e = np.array([r.error for r in rs])
        unit = rs[0].arm.error_unit
        rows.append((name, len(rs), float(np.sqrt(np.mean(e**2))), float(e.mean()), unit))
    return rows
