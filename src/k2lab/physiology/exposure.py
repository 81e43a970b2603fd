"""Vitamin K exposure and Gla-protein status: the entry function of the physiology.

:func:`simulate_exposure` takes doses (supplements, and foods appended by the caller),
a population and an optional medication, and returns plasma vitamer levels, osteocalcin
and MGP carboxylation biomarkers and, under a vitamin K antagonist, INR - each with a
baseline, a final value, a percent change, a prediction interval and a trajectory.

Example
-------
>>> from k2lab.regimen import parse_regimen
>>> doses = parse_regimen("MK-7 180 ug daily").doses(12 * 168)
>>> res = simulate_exposure(doses, hours=12 * 168)
>>> res.endpoints["dp_ucMGP_pmol_per_L"].change_percent < -20
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from k2lab.errors import RegimenError
from k2lab.physiology.inr import (
    DOAC_NOTE,
    DOACS,
    MEDICATIONS,
    VKAS,
)
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.physiology.status import group_doses, simulate_trajectories
from k2lab.regimen import Dose
from k2lab.vocab import ENDPOINTS

__all__ = [
    "POPULATIONS",
    "Endpoint",
    "ExposureOptions",
    "ExposureResult",
    "endpoint_from_draws",
    "exposure_notes",
    "group_doses",
    "simulate_exposure",
    "simulate_trajectories",
]

FloatArray = NDArray[np.float64]

#: Populations with their own baselines.
POPULATIONS: tuple[str, ...] = ("healthy", "postmenopausal", "hemodialysis")
_MAX_HOURS = 50 * 365 * 24.0


@dataclass(frozen=True)
class ExposureOptions:
    """How to simulate.

    step_h : output and integration step (h); None -> 1 h up to 10 days, else 24 h.
    n_samples : Monte Carlo parameter draws for the intervals (1 = central only).
    seed : random seed of the draws.
    interval_percent : width of the prediction interval (central percentiles).
    inr_target : INR the patient is titrated to before the supplement (None -> parameter).
    params : parameter set to use (None -> the shipped one).
    """

    step_h: float | None = None
    n_samples: int = 50
    seed: int = 20121
    interval_percent: float = 90.0
    inr_target: float | None = None
    params: ParameterSet | None = None


@dataclass(frozen=True)
class Endpoint:
    """One predicted quantity: values, interval and trajectory (units in ``name``)."""

    name: str
    unit: str
    baseline: float
    final: float
    change_percent: float
    low: float
    high: float
    change_percent_low: float
    change_percent_high: float
    time_h: FloatArray = field(repr=False)
    trajectory: FloatArray = field(repr=False)
    trajectory_low: FloatArray = field(repr=False)
    trajectory_high: FloatArray = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN -> None)."""

        def num(x: float) -> float | None:
            return None if not math.isfinite(x) else round(float(x), 6)

        return {
            "unit": self.unit,
            "baseline": num(self.baseline),
            "final": num(self.final),
            "change_percent": num(self.change_percent),
            "low": num(self.low),
            "high": num(self.high),
            "change_percent_low": num(self.change_percent_low),
            "change_percent_high": num(self.change_percent_high),
            "trajectory": [num(x) for x in self.trajectory],
            "trajectory_low": [num(x) for x in self.trajectory_low],
            "trajectory_high": [num(x) for x in self.trajectory_high],
        }


@dataclass(frozen=True)
class ExposureResult:
    """Result of :func:`simulate_exposure`."""

    population: str
    medication: str | None
    hours: float
    step_h: float
    time_h: FloatArray = field(repr=False)
    endpoints: Mapping[str, Endpoint] = field(repr=False)
    notes: tuple[str, ...] = ()
    source_keys: tuple[str, ...] = ()
    interval_percent: float = 90.0
    n_samples: int = 1
    draws: Mapping[str, FloatArray] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with units in the field names."""
        return {
            "population": self.population,
            "medication": self.medication,
            "hours": self.hours,
            "step_h": self.step_h,
            "time_h": [float(t) for t in self.time_h],
            "interval_percent": self.interval_percent,
            "n_samples": self.n_samples,
            "endpoints": {k: e.to_dict() for k, e in self.endpoints.items()},
            "notes": list(self.notes),
            "source_keys": list(self.source_keys),
        }


def endpoint_from_draws(
    name: str, unit: str, stack: FloatArray, time_h: FloatArray, tail: float
) -> Endpoint:
    """An :class:`Endpoint` from draws (rows; the first is the central one) over time.

    ``tail`` is the percentile cut at each end of the interval (5 for 90 %).
    """
    central = stack[0]
    lo, hi = np.percentile(stack, [tail, 100.0 - tail], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        changes = 100.0 * (stack[:, -1] / stack[:, 0] - 1.0)
        change = 100.0 * (central[-1] / central[0] - 1.0)
    c_lo, c_hi = (
        np.percentile(changes, [tail, 100.0 - tail])
        if np.all(np.isfinite(changes))
        else (math.nan, math.nan)
    )
    return Endpoint(
        name=name,
        unit=unit,
        baseline=float(central[0]),
        final=float(central[-1]),
        change_percent=float(change),
        low=float(lo[-1]),
        high=float(hi[-1]),
        change_percent_low=float(c_lo),
        change_percent_high=float(c_hi),
        time_h=time_h,
        trajectory=central,
        trajectory_low=lo,
        trajectory_high=hi,
    )


def _check_inputs(population: str, medication: str | None, hours: float) -> str | None:
    if population not in POPULATIONS:
        raise RegimenError(
            f"Unknown population '{population}'. Use one of {', '.join(POPULATIONS)}, "
            "e.g. --population postmenopausal."
        )
    med = None if medication is None else medication.strip().lower()
    if med in ("", "none"):
        med = None
    if med is not None and med not in MEDICATIONS:
        raise RegimenError(
            f"Unknown medication '{medication}'. Use one of {', '.join(MEDICATIONS)}, "
            "e.g. --medication warfarin."
        )
    if not math.isfinite(hours) or hours <= 0 or hours > _MAX_HOURS:
        raise RegimenError(f"The duration must be between 1 hour and 50 years, not {hours} h.")
    return med


def exposure_notes(doses: Sequence[Dose], medication: str | None, population: str) -> list[str]:
    """What the reader of a vitamin K simulation must know about these inputs."""
    notes = []
    if medication in DOACS:
        notes.append(DOAC_NOTE.format(drug=medication.capitalize()))
    elif medication is not None and medication not in VKAS:
        notes.append(
            f"{medication.capitalize()}: no interaction with vitamin K kinetics or "
            "carboxylation is modelled, so it does not change these results."
        )
    if medication in VKAS:
        notes.append(
            "INR assumes the antagonist dose stays fixed; in practice it is re-titrated, so "
            "a steady vitamin K intake matters more than its level. Ask the clinic before "
            "starting or stopping a vitamin K supplement."
        )
    daily: dict[tuple[str, int], float] = {}
    for d in doses:
        key = (d.vitamer, int(d.time_h // 24))
        daily[key] = daily.get(key, 0.0) + d.amount_ug
    if any(v == "MK-4" and ug > 5000 for (v, _), ug in daily.items()):
        notes.append(
            "MK-4 at pharmacological doses (mg/day): plasma MK-4 uses nutritional-dose "
            "kinetics; label data suggest several-fold higher exposure per ug at 15-30 mg."
        )
    if any(d.vitamer == "K1" for d in doses):
        notes.append(
            "K1 -> tissue MK-4 conversion uses a prior fraction (0-25%); no human "
            "percentage is published."
        )
    if any(d.vitamer in ("MK-8", "MK-9") for d in doses):
        notes.append("MK-8/MK-9 kinetics are essentially unparameterised (wide priors).")
    if population == "hemodialysis":
        notes.append(
            "Hemodialysis: vitamin K status calibrated to one arm of Westenfeld 2012; "
            "MK-7 kinetics assumed as in healthy adults."
        )
    return notes


def simulate_exposure(
    doses: Sequence[Dose],
    *,
    population: str = "healthy",
    medication: str | None = None,
    hours: float,
    options: ExposureOptions | None = None,
) -> ExposureResult:
    """Simulate plasma vitamin K and Gla-protein biomarkers for a dosing history.

    Parameters
    ----------
    doses : supplement and food doses (time in h from the start, amount in µg).
    population : ``healthy``, ``postmenopausal`` or ``hemodialysis``.
    medication : ``warfarin``/``acenocoumarol`` (INR predicted), a DOAC (note only) or None.
    hours : simulated duration (h).
    options : step, Monte Carlo draws, seed, INR target, parameter set.

    Raises
    ------
    RegimenError
        Unknown population or medication, or a duration outside 1 h..50 years.
    """
    opts = options or ExposureOptions()
    med = _check_inputs(population, medication, hours)
    step_h = opts.step_h if opts.step_h is not None else (1.0 if hours <= 240 else 24.0)
    if not step_h > 0:
        raise RegimenError(f"The step must be > 0 h, not {step_h}.")
    n_steps = max(math.ceil(hours / step_h - 1e-9), 1)
    time_h = np.arange(n_steps + 1, dtype=np.float64) * step_h
    groups = group_doses(doses)
    base_params = opts.params or default_parameters()
    samples = base_params.sample(max(opts.n_samples, 1), opts.seed)
    runs = [
        simulate_trajectories(
            groups,
            population=population,
            medication=med,
            step_h=step_h,
            n_steps=n_steps,
            params=ps,
            inr_target=opts.inr_target,
        )
        for ps in samples
    ]
    tail = (100.0 - opts.interval_percent) / 2.0
    endpoints: dict[str, Endpoint] = {}
    draws: dict[str, FloatArray] = {}
    for name in runs[0]:
        unit = ENDPOINTS[name].unit
        draws[name] = stack = np.vstack([r[name] for r in runs])
        endpoints[name] = endpoint_from_draws(name, unit, stack, time_h, tail)
    keys = sorted({k for r in base_params.records for k in r.source_key.split(";")})
    return ExposureResult(
        population=population,
        medication=med,
        hours=float(hours),
        step_h=float(step_h),
        time_h=time_h,
        endpoints=endpoints,
        notes=tuple(exposure_notes(doses, med, population)),
        source_keys=tuple(keys),
        interval_percent=opts.interval_percent,
        n_samples=len(samples),
        draws=draws,
    )
