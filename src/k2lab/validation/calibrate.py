"""One calibration for both layers, from the calibration arms of the trials table.

- **Physiology**: the free parameters (:data:`PHYSIOLOGY_PARAMETERS`) are fitted to the
  physiology's calibration arms by least squares (in log space, within bounds), then refitted
  for parameter sets drawn from the priors to give each value a range. The shipped values
  are ``k2lab/data/calibrated_params.csv`` (written by :func:`calibrated_params_csv`).
- **Calcium system**: each calibration arm fixes one parameter of ``calcium_params.csv``
  (age/menopause BMD loss per site, calcification progression), solved from one central run
  without it: BMD loss enters as ``exp(-r*t)`` and progression is linear in its rate. The
  shipped values are these fits, rounded.

Validation arms are never used. :func:`shipped_parameters` lists what the tables hold now.

Example
-------
>>> [p.name for p in shipped_parameters() if p.layer == "calcium"]
['bmd_loss_percent_per_year', 'bmd_loss_percent_per_year', 'cac_progression_au_per_year']
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from k2lab.calcium.params import calcium_parameters
from k2lab.calcium.system import simulate_system
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.validation.predict import predict_exposure
from k2lab.validation.scenarios import system_arms
from k2lab.validation.trials import TrialArm, load_trials

__all__ = [
    "ENSEMBLE_SEED",
    "ENSEMBLE_SIZE",
    "PHYSIOLOGY_PARAMETERS",
    "Calibration",
    "FittedParameter",
    "calcium_parameter_key",
    "calibrate",
    "calibrated_params_csv",
    "shipped_parameters",
]

Key = tuple[str, str]

#: Physiology parameters fitted to the calibration arms, with search bounds and unit.
PHYSIOLOGY_PARAMETERS: dict[Key, tuple[float, float, str]] = {
    ("clearance_over_f_l_per_h", "K1"): (5.0, 200.0, "L/h"),
    ("potency_extrahepatic", "MK-7"): (0.05, 20.0, "1"),
    ("vessel_ec50_nmol_per_L", "all"): (0.1, 200.0, "nmol/L"),
    ("dose_response_factor", "hemodialysis"): (0.1, 20.0, "1"),
    ("liver_hill", "all"): (0.5, 10.0, "1"),
}
_NOTES = {
    ("clearance_over_f_l_per_h", "K1"): "Apparent oral clearance of K1 (supplement with meal).",
    ("potency_extrahepatic", "MK-7"): (
        "Extrahepatic (bone, vessel) potency of MK-7 per nmol/L vs K1."
    ),
    ("vessel_ec50_nmol_per_L", "all"): "Vessel-wall (MGP) EC50 in K1-equivalent nmol/L.",
    ("dose_response_factor", "hemodialysis"): (
        "Tissue response to added vitamin K in hemodialysis vs healthy adults (apparent: "
        "higher MK-7 exposure and tissue sensitivity cannot be separated)."
    ),
    ("liver_hill", "all"): "Steepness of hepatic carboxylation (INR response).",
}
_SOURCE_KEY = "k2lab_calibration"
ENSEMBLE_SIZE = 12
ENSEMBLE_SEED = 2012


@dataclass(frozen=True)
class FittedParameter:
    """A calibrated parameter: its value and, where known, its range (``None``: none)."""

    layer: str
    name: str
    scope: str
    value: float
    low: float | None
    high: float | None
    unit: str
    source_key: str

    @property
    def key(self) -> Key:
        """``(name, scope)``, the parameter tables' key."""
        return (self.name, self.scope)


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`: every fitted parameter of both layers, and the residuals
    (model minus observed) of the physiology's least-squares fit, by arm id."""

    parameters: tuple[FittedParameter, ...]
    residuals: dict[str, float]
    ensemble_size: int

    def values(self, layer: str) -> dict[Key, float]:
        """The fitted values of one layer by key."""
        return {p.key: p.value for p in self.parameters if p.layer == layer}


def calcium_parameter_key(arm: TrialArm) -> Key:
    """The ``calcium_params.csv`` key that a calcium calibration arm fixes."""
    if arm.endpoint == "calcification_index_AU":
        return ("cac_progression_au_per_year", "all")
    site = arm.endpoint.removeprefix("bmd_").removesuffix("_change_percent")
    return ("bmd_loss_percent_per_year", f"{system_arms(arm).control.subject.bone_scope}/{site}")


def _calibration_arms(layer: str) -> list[TrialArm]:
    return [a for a in load_trials() if a.layer == layer and a.role == "calibration"]


def _fit(
    arms: Sequence[TrialArm], params: ParameterSet, start: Sequence[float] | np.ndarray
) -> np.ndarray:
    from scipy.optimize import least_squares

    keys = list(PHYSIOLOGY_PARAMETERS)
    lo = np.log([PHYSIOLOGY_PARAMETERS[k][0] for k in keys])
    hi = np.log([PHYSIOLOGY_PARAMETERS[k][1] for k in keys])

    def fun(x: np.ndarray) -> np.ndarray:
        p = params.replace(dict(zip(keys, np.exp(x), strict=True)))
        return np.array([a.error(predict_exposure(a, p)) for a in arms])

    x0 = np.clip(np.log(np.asarray(start, dtype=float)), lo + 1e-9, hi - 1e-9)
    sol = least_squares(fun, x0, bounds=(lo, hi), x_scale=1.0, xtol=1e-10, ftol=1e-10)
    fitted: np.ndarray = np.exp(sol.x)
    return fitted


def _calibrate_physiology(
    ensemble_size: int, seed: int
) -> tuple[list[FittedParameter], dict[str, float]]:
    arms = _calibration_arms("physiology")
    base = default_parameters()
    keys = list(PHYSIOLOGY_PARAMETERS)
    central = _fit(arms, base, [base[k] for k in keys])
    fitted = [central] + [_fit(arms, d, central) for d in base.sample(ensemble_size, seed)[1:]]
    table = np.array(fitted)
    final = base.replace(dict(zip(keys, central.tolist(), strict=True)))
    parameters = [
        FittedParameter(
            "physiology",
            *key,
            float(central[i]),
            min(float(table[:, i].min()), float(central[i])),
            max(float(table[:, i].max()), float(central[i])),
            PHYSIOLOGY_PARAMETERS[key][2],
            _SOURCE_KEY,
        )
        for i, key in enumerate(keys)
    ]
    return parameters, {a.arm_id: a.error(predict_exposure(a, final)) for a in arms}


def _calibrate_calcium() -> list[FittedParameter]:
    base = calcium_parameters()
    out = []
    for arm in _calibration_arms("calcium"):
        key = calcium_parameter_key(arm)
        s = system_arms(arm)
        if arm.endpoint == "calcification_index_AU":
            r = simulate_system(
                s.control, years=s.years, n_samples=1, params=base.replace({key: 1.0})
            )
            per_unit = r.draws[arm.endpoint][0, -1] - r.draws[arm.endpoint][0, 0]
            value = arm.observed / per_unit
        else:
            r = simulate_system(
                s.control, years=s.years, n_samples=1, params=base.replace({key: 0.0})
            )
            without = 1.0 + r.draws[arm.endpoint][0, -1] / 100.0
            value = -100.0 * math.log((1.0 + arm.observed / 100.0) / without) / s.years
        unit, source_key = base.record(*key).unit, f"{arm.source_key};{_SOURCE_KEY}"
        out.append(FittedParameter("calcium", *key, float(value), None, None, unit, source_key))
    return out


def calibrate(*, ensemble_size: int = ENSEMBLE_SIZE, seed: int = ENSEMBLE_SEED) -> Calibration:
    """Fit both layers' calibrated parameters to the calibration arms.

    The physiology's values are refitted for ``ensemble_size - 1`` prior draws (``seed``)
    to give each a low-high range; the calcium system's parameters are single solves.
    """
    physiology, residuals = _calibrate_physiology(ensemble_size, seed)
    return Calibration((*physiology, *_calibrate_calcium()), residuals, ensemble_size)


def shipped_parameters() -> list[FittedParameter]:
    """The calibrated parameters as the shipped tables hold them (value and range)."""
    out = []
    for layer, params, keys in (
        ("physiology", default_parameters(), list(PHYSIOLOGY_PARAMETERS)),
        (
            "calcium",
            calcium_parameters(),
            [calcium_parameter_key(a) for a in _calibration_arms("calcium")],
        ),
    ):
        for key in keys:
            r = params.record(*key)
            out.append(FittedParameter(layer, *key, r.value, r.low, r.high, r.unit, r.source_key))
    return out


def _sig(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def calibrated_params_csv(result: Calibration) -> str:
    """The ``calibrated_params.csv`` text (the physiology's fitted values) of a result."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "scope", "value", "low", "high", "unit", "source_key", "notes"])
    for p in result.parameters:
        if p.layer != "physiology":
            continue
        w.writerow(
            [
                p.name,
                p.scope,
                _sig(p.value),
                _sig(p.low),
                _sig(p.high),
                p.unit,
                p.source_key,
                _NOTES[p.key] + " Fitted in docs/validation.md; range = refits over "
                f"{result.ensemble_size} prior draws.",
            ]
        )
    return buf.getvalue()
