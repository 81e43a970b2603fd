"""INR stability under a vitamin K antagonist: what the day-to-day swings of a diary's
vitamin K do to the INR, against a steady intake at the same mean.

The patient is taken as titrated on their average diet: the antagonist dose (the INR
model's target parameter) is solved, per parameter draw, so that the diary's mean intake,
eaten the same every day, keeps the INR at ``inr_target``. The diary is then eaten as
written, cycling, and the INR followed for ``weeks`` after a warm-up. Time in therapeutic
range is computed by linear interpolation between model points (the Rosendaal method on a
3-hour grid). Only the vitamin K part of INR variability is modelled: missed doses, drug
interactions, illness and alcohol are not, so real time in range is lower.

Example
-------
>>> import numpy as np
>>> round(time_in_range(np.array([0.0, 1.0]), np.array([1.5, 2.5]), 2.0, 3.0), 3)
0.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from k2lab import checks
from k2lab.errors import RegimenError
from k2lab.intake.diet import Diet
from k2lab.physiology.diet import MEAL_HOUR, diet_doses
from k2lab.physiology.exposure import POPULATIONS
from k2lab.physiology.inr import VKAS
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.physiology.status import group_doses, simulate_trajectories
from k2lab.regimen import Dose

__all__ = [
    "InrStability",
    "InrStats",
    "inr_sensitivity",
    "inr_stability",
    "parse_range",
    "time_in_range",
]

FloatArray = NDArray[np.float64]
#: Model grid (h): fine enough that a meal's INR response is resolved.
STEP_H = 3.0
#: Warm-up before the analysed weeks (days, rounded up to whole diary cycles).
WARM_UP_DAYS = 42
_TITRATION_ROUNDS = 40
#: Largest pre-supplement target searched (the antagonist dose, in INR units).
_MAX_TITRATION = 1e6


def parse_range(text: str) -> tuple[float, float]:
    """A therapeutic range written ``LOW-HIGH`` (``2-3``, ``2.5–3.5``); errors name ``range``.

    >>> parse_range("2.5–3.5")
    (2.5, 3.5)
    """
    try:
        low, high = (float(part[:20]) for part in text.replace("–", "-").split("-"))
    except ValueError:
        raise RegimenError(
            f"Cannot read the range '{text[:20]}': write LOW-HIGH, e.g. 2-3 or 2.5-3.5.",
            field="range",
        ) from None
    return low, high


def time_in_range(t: FloatArray, inr: FloatArray, low: float, high: float) -> float:
    """Fraction of the time in ``[low, high]``, INR linear between the points (Rosendaal)."""
    if len(t) < 2:
        return float(low <= inr[0] <= high) if len(t) else math.nan
    y0, y1, dt = inr[:-1], inr[1:], np.diff(t)
    lo_y, hi_y = np.minimum(y0, y1), np.maximum(y0, y1)
    span = hi_y - lo_y
    flat = span <= 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = (np.minimum(hi_y, high) - np.maximum(lo_y, low)).clip(min=0.0) / span
    share = np.where(flat, ((lo_y >= low) & (lo_y <= high)).astype(float), overlap)
    return float(np.sum(share * dt) / np.sum(dt))


@dataclass(frozen=True)
class InrStats:
    """INR over the analysed weeks: mean, SD, CV, extremes and time in/below/above range."""

    mean: float
    sd: float
    cv_percent: float
    lowest: float
    highest: float
    in_range_percent: float
    below_percent: float
    above_percent: float

    @classmethod
    def of(cls, t: FloatArray, inr: FloatArray, low: float, high: float) -> InrStats:
        """Statistics of one INR curve on times ``t`` (h)."""
        mean = float(np.mean(inr))
        below = 1.0 - time_in_range(t, inr, low, math.inf)
        above = 1.0 - time_in_range(t, inr, -math.inf, high)
        return cls(
            mean=mean,
            sd=float(np.std(inr)),
            cv_percent=float(100.0 * np.std(inr) / mean),
            lowest=float(np.min(inr)),
            highest=float(np.max(inr)),
            in_range_percent=100.0 * time_in_range(t, inr, low, high),
            below_percent=100.0 * below,
            above_percent=100.0 * above,
        )

    def to_dict(self) -> dict[str, float]:
        """JSON-ready dict, rounded."""
        return {k: round(float(v), 4) for k, v in vars(self).items()}


@dataclass(frozen=True)
class InrStability:
    """Result of :func:`inr_stability` (``central``: the central parameter set)."""

    medication: str
    inr_target: float
    therapeutic_range: tuple[float, float]
    cycle_days: int
    #: The label of each day of the cycle (a diary's own; "day N" for a typical day).
    day_labels: tuple[str, ...]
    daily_ug: Mapping[str, FloatArray] = field(repr=False)
    time_h: FloatArray = field(repr=False)
    diary_inr: FloatArray = field(repr=False)
    steady_inr: FloatArray = field(repr=False)
    diary: InrStats
    steady: InrStats
    in_range_percent_interval: tuple[float, float]
    sd_interval: tuple[float, float]
    lowest_day: int
    lowest_day_label: str
    highest_day_label: str
    n_samples: int
    interval_percent: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with units in the names (INR is unitless, time in days)."""
        return {
            "medication": self.medication,
            "inr_target": self.inr_target,
            "therapeutic_range": list(self.therapeutic_range),
            "cycle_days": self.cycle_days,
            "day_labels": list(self.day_labels),
            "daily_intake_ug": {
                v: [round(float(x), 2) for x in a] for v, a in self.daily_ug.items()
            },
            "diary": self.diary.to_dict(),
            "steady": self.steady.to_dict(),
            "in_range_percent_interval": [round(x, 2) for x in self.in_range_percent_interval],
            "sd_interval": [round(x, 4) for x in self.sd_interval],
            "lowest_day": self.lowest_day,
            "lowest_day_label": self.lowest_day_label,
            "highest_day_label": self.highest_day_label,
            "n_samples": self.n_samples,
            "interval_percent": self.interval_percent,
            "time_days": [round(float(t) / 24.0, 4) for t in self.time_h],
            "diary_inr": [round(float(x), 4) for x in self.diary_inr],
            "steady_inr": [round(float(x), 4) for x in self.steady_inr],
            "notes": list(self.notes),
        }


def _steady(doses: Sequence[Dose], cycle_days: int, days: int) -> list[Dose]:
    """The same vitamin K every day: each (vitamer, matrix, hour) averaged over a cycle."""
    mean: dict[tuple[str, str, float], float] = {}
    for d in doses:
        if d.time_h < cycle_days * 24:
            key = (d.vitamer, d.matrix, d.time_h % 24)
            mean[key] = mean.get(key, 0.0) + d.amount_ug / cycle_days
    return [
        Dose(day * 24 + hour, vitamer, ug, matrix)
        for day in range(days)
        for (vitamer, matrix, hour), ug in mean.items()
    ]


def _run(
    doses: Sequence[Dose], population: str, medication: str, n_steps: int,
    params: Mapping[tuple[str, str], float], target: float,
) -> FloatArray:  # fmt: skip
    out = simulate_trajectories(
        group_doses(doses), population=population, medication=medication, step_h=STEP_H,
        n_steps=n_steps, params=params, inr_target=target,
    )  # fmt: skip
    return out["INR"]


def _titrate(
    steady: Sequence[Dose], population: str, medication: str, n_steps: int, start: int,
    params: Mapping[tuple[str, str], float], inr_target: float,
) -> float:  # fmt: skip
    """The model's pre-supplement target (the antagonist dose) that holds the steady diet
    at ``inr_target``: regula falsi (Illinois) on log INR against log target, which is
    monotone; the bracket starts at no antagonist effect and grows until it holds the root."""

    def log_gap(log_x: float) -> float:
        inr = _run(steady, population, medication, n_steps, params, math.exp(log_x))
        return math.log(float(np.mean(inr[start:])) / inr_target)

    lo, hi = math.log(1.0 + 1e-6), math.log(inr_target)
    g_lo, g_hi = log_gap(lo), log_gap(hi)
    while g_hi < 0:
        if hi > math.log(_MAX_TITRATION):
            raise RegimenError(
                f"No antagonist dose in the model holds this diet at INR {inr_target:g}: its "
                "vitamin K is beyond the model's range. Ask the clinic; simulate less."
            )
        lo, g_lo, hi = hi, g_hi, hi + math.log(4.0)
        g_hi = log_gap(hi)
    side = 0
    for _ in range(_TITRATION_ROUNDS):
        mid = hi - g_hi * (hi - lo) / (g_hi - g_lo)
        g_mid = log_gap(mid)
        if abs(g_mid) < 1e-7:
            return math.exp(mid)
        if g_mid > 0:
            hi, g_hi = mid, g_mid
            if side == -1:
                g_lo /= 2
            side = -1
        else:
            lo, g_lo = mid, g_mid
            if side == 1:
                g_hi /= 2
            side = 1
    return math.exp(mid)


def inr_stability(
    diet: Diet,
    *,
    medication: str = "warfarin",
    inr_target: float = 2.5,
    therapeutic_range: tuple[float, float] = (2.0, 3.0),
    weeks: float = 8,
    population: str = "healthy",
    n_samples: int = 20,
    seed: int = 20121,
    interval_percent: float = 90.0,
    params: ParameterSet | None = None,
) -> InrStability:
    """INR over ``weeks`` on ``diet`` as written vs. the same mean every day.

    Raises
    ------
    RegimenError
        A medication that is not a vitamin K antagonist with INR parameters, a target
        outside the range, or weeks outside 1-52.
    """
    checks.instance(diet, Diet, "diet", what="a k2lab Diet (k2lab.intake.load_diet)")
    med = checks.text(medication, "medication").strip().lower()
    if med not in VKAS:
        raise RegimenError(
            f"INR stability needs a vitamin K antagonist ({', '.join(VKAS)}), not "
            f"'{medication}'; a DOAC's effect does not depend on vitamin K.",
            field="medication",
        )
    if population not in POPULATIONS:
        raise RegimenError(f"Unknown population '{population}'. Use one of {POPULATIONS}.")
    low, high = (
        checks.number(x, "therapeutic_range", low=1.0, high=6.0, error=RegimenError)
        for x in therapeutic_range
    )
    if not low < high:
        raise RegimenError(
            f"The therapeutic range {low:g}-{high:g} must be LOW-HIGH with LOW < HIGH, e.g. 2-3.",
            field="therapeutic_range",
        )
    target = checks.number(inr_target, "inr_target", low=1.0, high=6.0, error=RegimenError)
    if not low < target < high:
        raise RegimenError(
            f"The INR target {target:g} must lie inside the range {low:g}-{high:g}, e.g. 2.5 in "
            "2-3.",
            field="inr_target",
        )
    weeks = checks.number(weeks, "weeks", low=1.0, high=52.0, error=RegimenError)
    n_samples = checks.whole(n_samples, "n_samples", low=1, high=500, error=RegimenError)
    cycle = 7 if diet.typical_day else len(diet.days)
    warm = -(-WARM_UP_DAYS // cycle) * cycle
    days = warm + math.ceil(weeks * 7)
    n_steps = days * 24 // int(STEP_H)
    start = warm * 24 // int(STEP_H)
    diary_doses = diet_doses(diet, days * 24.0)
    steady_doses = _steady(diary_doses, cycle, days)
    samples = (params or default_parameters()).sample(n_samples, seed)
    t = np.arange(n_steps + 1 - start, dtype=np.float64) * STEP_H
    curves, titrated = [], []
    for ps in samples:
        titrated.append(_titrate(steady_doses, population, med, n_steps, start, ps, target))
        curves.append(_run(diary_doses, population, med, n_steps, ps, titrated[-1])[start:])
    # Only the central draw's steady curve is shown.
    steady = _run(steady_doses, population, med, n_steps, samples[0], titrated[0])[start:]
    stats = [InrStats.of(t, c, low, high) for c in curves]
    tail = (100.0 - interval_percent) / 2.0
    ttr = np.percentile([s.in_range_percent for s in stats], [tail, 100.0 - tail])
    sd = np.percentile([s.sd for s in stats], [tail, 100.0 - tail])
    central = curves[0]
    lowest = int(t[int(np.argmin(central))] // 24) % cycle
    highest = int(t[int(np.argmax(central))] // 24) % cycle

    def label(i: int) -> str:
        return f"day {i + 1}" if diet.typical_day else diet.days[i].label

    daily: dict[str, FloatArray] = {}
    for d in diary_doses:
        if d.time_h < cycle * 24:
            daily.setdefault(d.vitamer, np.zeros(cycle))[int(d.time_h // 24)] += d.amount_ug
    notes = (
        "Only vitamin K intake moves the INR here; the antagonist dose is held at the dose "
        "titrated on the diary's average, with no clinic re-dosing.",
        f"Foods are eaten at {MEAL_HOUR:g}:00 on their day; the INR is followed every "
        f"{STEP_H:g} h after a {warm}-day warm-up.",
    )
    return InrStability(
        medication=med,
        inr_target=target,
        therapeutic_range=(low, high),
        cycle_days=cycle,
        day_labels=tuple(label(i) for i in range(cycle)),
        daily_ug=daily,
        time_h=t,
        diary_inr=central,
        steady_inr=steady,
        diary=stats[0],
        steady=InrStats.of(t, steady, low, high),
        in_range_percent_interval=(float(ttr[0]), float(ttr[1])),
        sd_interval=(float(sd[0]), float(sd[1])),
        lowest_day=lowest,
        lowest_day_label=label(lowest),
        highest_day_label=label(highest),
        n_samples=len(samples),
        interval_percent=interval_percent,
        notes=notes,
    )


def inr_sensitivity(
    *,
    background_ug_per_day: float = 150.0,
    added_ug_per_day: float = 100.0,
    added_days: int = 4,
    vitamer: str = "K1",
    matrix: str = "vegetable",
    medication: str = "warfarin",
    inr_target: float = 2.5,
    params: Mapping[tuple[str, str], float] | None = None,
) -> float:
    """INR change after ``added_days`` of extra vitamin K in a patient titrated at
    ``inr_target`` on a steady background (central parameters). For the published checks:
    Khan 2004 report -0.2 INR per +100 µg/day averaged over 4 days."""
    ps = params if params is not None else default_parameters().sample(1, 0)[0]
    warm = WARM_UP_DAYS
    days = warm + added_days
    n_steps = days * 24 // int(STEP_H)
    base = [Dose(d * 24 + MEAL_HOUR, vitamer, background_ug_per_day, matrix) for d in range(days)]
    extra = [Dose(d * 24 + MEAL_HOUR, vitamer, added_ug_per_day, matrix) for d in range(warm, days)]
    x = _titrate(base, "healthy", medication, n_steps, warm * 24 // int(STEP_H), ps, inr_target)
    before = _run(base, "healthy", medication, n_steps, ps, x)
    after = _run(base + extra, "healthy", medication, n_steps, ps, x)
    return float(after[-1] - before[-1])
