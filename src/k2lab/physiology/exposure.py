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
from k2lab.physiology.absorption import ka_factor, relative_bioavailability
from k2lab.physiology.gla import carboxylated_fraction, ec50_multiplier_for_target, turnover
from k2lab.physiology.inr import (
    DOAC_NOTE,
    DOACS,
    MEDICATIONS,
    VKAS,
    activity_for_inr,
    inr_from_activity,
)
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.physiology.pk import Modes, disposition_modes, superpose_grid
from k2lab.regimen import Dose
from k2lab.units import ug_to_nmol
from k2lab.vocab import ENDPOINTS, plasma_endpoint_name
from k2lab.vocab import SIMULATED_VITAMERS as VITAMERS

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
_PLASMA_BASE = {"healthy": "healthy", "postmenopausal": "postmenopausal", "hemodialysis": "healthy"}
_PLASMA_SHOWN = ("K1", "MK-4", "MK-7")
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


def group_doses(doses: Sequence[Dose]) -> dict[tuple[str, str], tuple[FloatArray, FloatArray]]:
    """Dose times (h) and amounts (nmol) by ``(vitamer, matrix)``, the core's input."""
    groups: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for d in doses:
        times, amounts = groups.setdefault((d.vitamer, d.matrix), ([], []))
        times.append(d.time_h)
        amounts.append(ug_to_nmol(d.vitamer, d.amount_ug))
    return {k: (np.array(t), np.array(a)) for k, (t, a) in groups.items()}


def simulate_trajectories(
    groups: Mapping[tuple[str, str], tuple[FloatArray, FloatArray]],
    *,
    population: str,
    medication: str | None,
    step_h: float,
    n_steps: int,
    params: Mapping[tuple[str, str], float],
    inr_target: float | None = None,
) -> dict[str, FloatArray]:
    """Deterministic core: one parameter set -> trajectories on ``k * step_h``, k=0..n.

    ``groups`` maps ``(vitamer, matrix)`` to dose times (h) and amounts (nmol).
    """
    p = params
    status = p[("vitamin_k_status", population)]
    base = _PLASMA_BASE[population]
    baseline = {v: status * p.get(("plasma_nmol_per_L", f"{base}/{v}"), 0.0) for v in VITAMERS}
    reference = {v: p.get(("plasma_nmol_per_L", f"healthy/{v}"), 0.0) for v in VITAMERS}
    zero_pts, zero_means = np.zeros(n_steps + 1), np.zeros(n_steps)
    points = dict.fromkeys(VITAMERS, zero_pts)
    means = dict.fromkeys(VITAMERS, zero_means)
    tissue_times: list[FloatArray] = []
    tissue_nmol: list[FloatArray] = []
    cache: dict[tuple[str, float], Modes] = {}
    for (vitamer, matrix), (times, nmol) in groups.items():
        absorbed = nmol * relative_bioavailability(vitamer, matrix, p)
        if vitamer == "K1":
            conversion = p[("conversion_to_mk4_fraction", "K1")]
            tissue_times.append(times)
            tissue_nmol.append(absorbed * conversion)
            absorbed = absorbed * (1.0 - conversion)
        kf = ka_factor(vitamer, matrix, p)
        modes = cache.get((vitamer, kf))
        if modes is None:
            modes = cache[(vitamer, kf)] = disposition_modes(vitamer, p, kf)
        pts, mns = superpose_grid(times, absorbed, modes, step_h, n_steps)
        points[vitamer] = points[vitamer] + pts
        means[vitamer] = means[vitamer] + mns
    tissue_means = zero_means
    if tissue_times:
        # K1 -> MK-4 in tissues (oral route): MK-4 kinetics, extrahepatic activity only.
        _, tissue_means = superpose_grid(
            np.concatenate(tissue_times),
            np.concatenate(tissue_nmol),
            disposition_modes("MK-4", p),
            step_h,
            n_steps,
        )

    def availability(tissue: str, level: Mapping[str, FloatArray | float]) -> FloatArray:
        total = np.zeros(n_steps)
        for v in VITAMERS:
            total = total + p[(f"potency_{tissue}", v)] * level[v]
        return total

    # Added vitamin K reaches the tissues scaled by the population's response factor
    # (1 for healthy adults; calibrated for hemodialysis).
    response = p[("dose_response_factor", population)]
    liver_0 = float(availability("liver", baseline)[0])
    ext_0 = float(availability("extrahepatic", baseline)[0])
    liver_now = liver_0 + response * availability("liver", means)
    ext_now = ext_0 + response * (
        availability("extrahepatic", means) + p[("potency_extrahepatic", "MK-4")] * tissue_means
    )
    liver_ref = float(availability("liver", reference)[0])
    ext_ref = float(availability("extrahepatic", reference)[0])

    ec50_liver = p[("liver_ec50_fraction", "all")] * liver_ref
    hill = p[("liver_hill", "all")]
    ec50_vessel = p[("vessel_ec50_nmol_per_L", "all")]
    ec50_bone = p[("ucoc_coc_ratio", "healthy")] * ext_ref
    exponent = p[("inr_activity_exponent", "all")]

    multiplier = 1.0
    f_liver_ref = float(carboxylated_fraction(liver_0, ec50_liver, hill))
    activity_0 = 1.0
    if medication in VKAS:
        target = inr_target if inr_target is not None else p[("inr_target", medication)]
        activity_0 = activity_for_inr(target, exponent)
        multiplier = ec50_multiplier_for_target(liver_0, ec50_liver, hill, f_liver_ref * activity_0)

    day_h = 24.0
    out: dict[str, FloatArray] = {}
    dosed = {vitamer for vitamer, _ in groups}
    for v in VITAMERS:
        if v in _PLASMA_SHOWN or v in dosed:
            if step_h <= 1.0:
                out[plasma_endpoint_name(v)] = baseline[v] + points[v]
            else:
                out[plasma_endpoint_name(v)] = baseline[v] + np.concatenate(
                    ([points[v][0]], means[v])
                )

    def extrahepatic(ec50: float, t_half: str, baseline: str) -> tuple[FloatArray, FloatArray]:
        """Carboxylated fraction over time and the uncarboxylated level (baseline units)."""
        f = turnover(
            np.asarray(carboxylated_fraction(ext_now, ec50 * multiplier)),
            float(carboxylated_fraction(ext_0, ec50 * multiplier)),
            p[(t_half, "all")] * day_h,
            step_h,
        )
        total = p[(baseline, population)] / (1.0 - float(carboxylated_fraction(ext_0, ec50)))
        return f, total * (1.0 - f)

    _, out["dp_ucMGP_pmol_per_L"] = extrahepatic(
        ec50_vessel, "mgp_response_t_half_d", "dp_ucmgp_pmol_per_L"
    )
    f_bone, out["ucOC_ng_per_mL"] = extrahepatic(
        ec50_bone, "oc_response_t_half_d", "ucoc_ng_per_mL"
    )
    out["ucOC_cOC_ratio"] = (1.0 - f_bone) / f_bone

    if medication in VKAS:
        activity = turnover(
            np.asarray(carboxylated_fraction(liver_now, ec50_liver * multiplier, hill))
            / f_liver_ref,
            activity_0,
            p[("clotting_response_t_half_h", "all")],
            step_h,
        )
        out["INR"] = np.asarray(inr_from_activity(activity, exponent))
    return out


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
