"""Calibration and validation against published trial arms.

The arms are in ``k2lab/data/trial_arms.csv``; the ``set`` column keeps calibration and
validation apart. :func:`calibrate` fits the free parameters (:data:`FREE_PARAMETERS`)
to the calibration arms by least squares, and repeats the fit for parameter sets drawn
from the priors to give each fitted value a range. :func:`validation_report` renders the
fit and validation errors via :mod:`k2lab.physiology.validation`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from k2lab.errors import DataError
from k2lab.physiology.absorption import ka_factor, relative_bioavailability
from k2lab.physiology.exposure import (
    ExposureOptions,
    group_doses,
    simulate_exposure,
    simulate_trajectories,
)
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.physiology.pk import auc_nmol_h_per_L, disposition_modes
from k2lab.regimen import Dose, parse_regimen
from k2lab.units import ug_to_nmol

__all__ = [
    "FREE_PARAMETERS",
    "Arm",
    "ArmPrediction",
    "CalibrationResult",
    "calibrate",
    "calibrated_params_csv",
    "load_arms",
    "predict_all",
    "predict_arm",
]

#: Parameters fitted to the calibration arms, with search bounds.
FREE_PARAMETERS: dict[tuple[str, str], tuple[float, float, str]] = {
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
_PHASE = re.compile(r"^(?P<regimen>.+?)\s*@\s*(?P<start>[\d.]+)\s*-\s*(?P<end>[\d.]+)\s*$")
ENSEMBLE_SIZE = 12
ENSEMBLE_SEED = 2012


@dataclass(frozen=True)
class Arm:
    """One published trial arm x endpoint."""

    arm_id: str
    set: str
    trial_key: str
    population: str
    medication: str | None
    inr_target: float | None
    regimen: str
    matrix: str
    weeks: float
    endpoint: str
    metric: str
    observed: float
    source_key: str
    notes: str

    def doses(self) -> list[Dose]:
        """Doses of the arm (phases ``"REGIMEN @start-end"`` in weeks)."""
        out: list[Dose] = []
        for part in self.regimen.split(";"):
            m = _PHASE.match(part.strip())
            if m:
                start, end = float(m.group("start")) * 168, float(m.group("end")) * 168
                phase = parse_regimen(m.group("regimen")).doses(end - start, matrix=self.matrix)
                out += [Dose(d.time_h + start, d.vitamer, d.amount_ug, d.matrix) for d in phase]
            else:
                out += parse_regimen(part.strip()).doses(self.weeks * 168, matrix=self.matrix)
        return out


def load_arms() -> list[Arm]:
    """The shipped calibration and validation arms."""
    text = resources.files("k2lab.data").joinpath("trial_arms.csv").read_text(encoding="utf-8")
    arms = []
    for row in csv.DictReader(io.StringIO(text)):
        if row["set"] not in ("calibration", "validation"):
            raise DataError(f"trial_arms.csv: bad set {row['set']!r} for {row['arm_id']}.")
        arms.append(
            Arm(
                arm_id=row["arm_id"],
                set=row["set"],
                trial_key=row["trial_key"],
                population=row["population"],
                medication=row["medication"] or None,
                inr_target=float(row["inr_target"]) if row["inr_target"] else None,
                regimen=row["regimen"],
                matrix=row["matrix"],
                weeks=float(row["weeks"]),
                endpoint=row["endpoint"],
                metric=row["metric"],
                observed=float(row["observed"]),
                source_key=row["source_key"],
                notes=row["notes"],
            )
        )
    return arms


def _auc_k1(arm: Arm, params: ParameterSet) -> float:
    dose = arm.doses()[0]
    conversion = params[("conversion_to_mk4_fraction", "K1")]
    absorbed = (
        ug_to_nmol("K1", dose.amount_ug)
        * relative_bioavailability("K1", dose.matrix, params)
        * (1.0 - conversion)
    )
    modes = disposition_modes("K1", params, ka_factor("K1", dose.matrix, params))
    return auc_nmol_h_per_L(modes, absorbed, 9.0)


def predict_arm(arm: Arm, params: ParameterSet) -> float:
    """Central model prediction for an arm, in the arm's metric."""
    if arm.endpoint.startswith("auc_0_9h_K1"):
        return _auc_k1(arm, params)
    hours = arm.weeks * 168.0
    traj = simulate_trajectories(
        group_doses(arm.doses()),
        population=arm.population,
        medication=arm.medication,
        step_h=24.0,
        n_steps=round(hours / 24.0),
        params=params,
        inr_target=arm.inr_target,
    )[arm.endpoint]
    return float(100.0 * (traj[-1] / traj[0] - 1.0))


def _residual(arm: Arm, predicted: float) -> float:
    if arm.metric == "value":
        return 100.0 * (predicted / arm.observed - 1.0)
    return predicted - arm.observed


@dataclass(frozen=True)
class CalibrationResult:
    """Fitted values, their ranges over the prior ensemble, and the fit residuals."""

    values: dict[tuple[str, str], float]
    low: dict[tuple[str, str], float]
    high: dict[tuple[str, str], float]
    residuals: dict[str, float]
    ensemble_size: int


def _fit(
    arms: Sequence[Arm], params: ParameterSet, start: Sequence[float] | np.ndarray
) -> np.ndarray:
    from scipy.optimize import least_squares

    keys = list(FREE_PARAMETERS)
    lo = np.log([FREE_PARAMETERS[k][0] for k in keys])
    hi = np.log([FREE_PARAMETERS[k][1] for k in keys])

    def fun(x: np.ndarray) -> np.ndarray:
        p = params.replace(dict(zip(keys, np.exp(x), strict=True)))
        return np.array([_residual(a, predict_arm(a, p)) for a in arms])

    x0 = np.clip(np.log(np.asarray(start, dtype=float)), lo + 1e-9, hi - 1e-9)
    sol = least_squares(fun, x0, bounds=(lo, hi), x_scale=1.0, xtol=1e-10, ftol=1e-10)
    fitted: np.ndarray = np.exp(sol.x)
    return fitted


def calibrate(ensemble_size: int = ENSEMBLE_SIZE, seed: int = ENSEMBLE_SEED) -> CalibrationResult:
    """Fit :data:`FREE_PARAMETERS` to the calibration arms (central priors), then refit for
    ``ensemble_size - 1`` prior draws to give each fitted value a low-high range."""
    arms = [a for a in load_arms() if a.set == "calibration"]
    base = default_parameters()
    keys = list(FREE_PARAMETERS)
    start = [base[k] for k in keys]
    central = _fit(arms, base, start)
    fitted = [central]
    for draw in base.sample(ensemble_size, seed)[1:]:
        fitted.append(_fit(arms, draw, central))
    table = np.array(fitted)
    values = dict(zip(keys, central.tolist(), strict=True))
    final = base.replace(values)
    return CalibrationResult(
        values=values,
        low=dict(zip(keys, table.min(axis=0).tolist(), strict=True)),
        high=dict(zip(keys, table.max(axis=0).tolist(), strict=True)),
        residuals={a.arm_id: _residual(a, predict_arm(a, final)) for a in arms},
        ensemble_size=ensemble_size,
    )


def _sig(x: float) -> str:
    return f"{x:.4g}"


def calibrated_params_csv(result: CalibrationResult) -> str:
    """The ``calibrated_params.csv`` text for a calibration result."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "scope", "value", "low", "high", "unit", "source_key", "notes"])
    for key, (_, _, unit) in FREE_PARAMETERS.items():
        w.writerow(
            [
                key[0],
                key[1],
                _sig(result.values[key]),
                _sig(min(result.low[key], result.values[key])),
                _sig(max(result.high[key], result.values[key])),
                unit,
                "k2lab_calibration",
                _NOTES[key] + " Fitted in docs/validation.md; range = refits over "
                f"{result.ensemble_size} prior draws.",
            ]
        )
    return buf.getvalue()


@dataclass(frozen=True)
class ArmPrediction:
    """Observed vs predicted for one arm."""

    arm: Arm
    predicted: float
    low: float
    high: float
    error: float


def _predict_with_interval(arm: Arm, n_samples: int) -> ArmPrediction:
    params = default_parameters()
    central = predict_arm(arm, params)
    if arm.endpoint.startswith("auc_0_9h_K1"):
        draws = [predict_arm(arm, p) for p in params.sample(n_samples, 99)]
        lo, hi = np.percentile(draws, [5, 95])
    else:
        res = simulate_exposure(
            arm.doses(),
            population=arm.population,
            medication=arm.medication,
            hours=arm.weeks * 168.0,
            options=ExposureOptions(step_h=24.0, n_samples=n_samples, inr_target=arm.inr_target),
        )
        e = res.endpoints[arm.endpoint]
        lo, hi = e.change_percent_low, e.change_percent_high
    return ArmPrediction(arm, central, float(lo), float(hi), _residual(arm, central))


def predict_all(n_samples: int = 50) -> list[ArmPrediction]:
    """Predictions with 90% intervals for every calibration and validation arm."""
    return [_predict_with_interval(a, n_samples) for a in load_arms()]


def _rms(xs: Sequence[float]) -> float:
    return math.sqrt(sum(x * x for x in xs) / len(xs)) if xs else math.nan
