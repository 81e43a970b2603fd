"""Load-dependent calcium absorption, applied to the oral input of the calcium model.

The Peterson & Riggs model absorbs a near-constant ~15 % of oral calcium whatever the
intake (net J40/OralCa ≈ 0.147–0.150 at steady state from 200 to 2,500 mg/day). Isotope
studies show the fraction absorbed from one load falls with the load's size: 64.0 % at
15 mg and 28.6 % at 500 mg (Heaney et al. 1990). k2lab uses the line through those two
points in the logarithm of the load,

    f(L) = a − b · ln(L / mg),   a = 0.9134, b = 0.10095,

with loads below 15 mg taking f(15 mg) (no extrapolation), and, above the load where the
absorbed amount L·f(L) peaks (L* = exp((a − b)/b) ≈ 3,130 mg), the absorbed amount held at
its peak (a saturable transport does not absorb less from more). Diet calcium is split over
``meals`` equal loads (default 3) and a supplement over ``supplement_doses`` equal doses
(default 1); the mixed fraction is the absorbed total over the intake.

The model's oral input is then scaled by the ratio of this mixed fraction to the fraction at
the model's own intake (964 mg/day of food in 3 meals), so the published model is unchanged
at its own intake: :func:`effective_oral_calcium_mg_per_day` is what to pass as
``CalciumScenario(calcium_intake_mg_per_day=...)``.

Intake above 2,000 mg/day (the UL from 51 years; 2,500 mg/day at 19–50 y) gives an
:class:`~k2lab.errors.IntakeWarning`; above 5,000 mg/day is refused as an entry error.

Example
-------
>>> round(float(absorption_factor(964.0, 0.0)), 12)
1.0
>>> absorbed_fraction(0.0, 1000.0) < absorbed_fraction(0.0, 1000.0, supplement_doses=2)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from k2lab.calcium._intake import (
    FloatArray,
    amount,
    check_limits,
    scalar_or_array,
    whole_number,
)
from k2lab.calcium.params import calcium_parameters
from k2lab.errors import AmountError
from k2lab.physiology.params import ParameterSet

__all__ = [
    "REFERENCE_MEALS",
    "absorbed_fraction",
    "absorption_factor",
    "effective_oral_calcium_mg_per_day",
    "load_fraction",
]

#: Meals the model's own intake (964 mg/day of food) is taken to be split over.
REFERENCE_MEALS = 3


def _params(params: ParameterSet | None) -> ParameterSet:
    return params if params is not None else calcium_parameters()


def _absorbed_mg(load_mg: FloatArray, p: ParameterSet) -> FloatArray:
    """Calcium absorbed from one load, mg (the load-fraction line, floored and capped)."""
    a = p.value("ca_abs_load_intercept")
    b = p.value("ca_abs_load_slope")
    peak = float(np.exp((a - b) / b))  # where d(L·f)/dL = f − b = 0
    low = p.value("ca_abs_min_load_mg")
    clipped = np.clip(load_mg, low, peak)
    fraction = a - b * np.log(clipped)
    absorbed = np.where(load_mg > peak, peak * fraction, load_mg * fraction)
    return np.asarray(absorbed, dtype=float)


def load_fraction(load_mg: Any, params: ParameterSet | None = None) -> float | FloatArray:
    """Fraction absorbed from one load of calcium (mg), by Heaney et al. 1990's line.

    Example
    -------
    >>> round(load_fraction(15.0), 3), round(load_fraction(500.0), 3)
    (0.64, 0.286)
    """
    p = _params(params)
    load = amount(load_mg, "milligram", "Calcium load")
    safe = np.where(load > 0, load, 1.0)
    zero = _absorbed_mg(np.array([p.value("ca_abs_min_load_mg")]), p)[0] / p.value(
        "ca_abs_min_load_mg"
    )
    out = np.where(load > 0, _absorbed_mg(safe, p) / safe, zero)
    return scalar_or_array(out)


def _inputs(
    food_mg_per_day: Any,
    supplement_mg_per_day: Any,
    p: ParameterSet,
    meals: Any,
    supplement_doses: Any,
) -> tuple[FloatArray, FloatArray, int, int]:
    food = amount(food_mg_per_day, "milligram", "Calcium from food")
    supplement = amount(supplement_mg_per_day, "milligram", "Calcium from supplements")
    n_meals = whole_number(meals, "meals")
    n_doses = whole_number(supplement_doses, "supplement_doses")
    try:
        total = food + supplement
    except ValueError as exc:
        raise AmountError(
            f"Calcium from food (shape {food.shape}) and from supplements (shape "
            f"{supplement.shape}) must have the same shape or broadcast."
        ) from exc
    check_limits(
        total,
        what="Calcium intake (food + supplements)",
        unit="mg",
        warn_above=p.value("ca_ul_mg_per_day"),
        warn_reason="the tolerable upper intake level from 51 years; 2,500 mg/day at 19-50 y",
        refuse_above=p.value("ca_max_mg_per_day"),
        refuse_reason="no daily calcium intake this large is plausible",
    )
    return food, supplement, n_meals, n_doses


def _mixed_fraction(
    food: FloatArray, supplement: FloatArray, n_meals: int, n_doses: int, p: ParameterSet
) -> FloatArray:
    food, supplement = np.broadcast_arrays(food, supplement)
    absorbed = n_meals * _absorbed_mg(food / n_meals, p) + n_doses * _absorbed_mg(
        supplement / n_doses, p
    )
    total = food + supplement
    low = p.value("ca_abs_min_load_mg")
    at_zero = _absorbed_mg(np.array([low]), p)[0] / low
    return np.asarray(
        np.where(total > 0, absorbed / np.where(total > 0, total, 1.0), at_zero), dtype=float
    )


def absorbed_fraction(
    food_mg_per_day: Any,
    supplement_mg_per_day: Any = 0.0,
    params: ParameterSet | None = None,
    *,
    meals: int = 3,
    supplement_doses: int = 1,
) -> float | FloatArray:
    """Fraction of daily calcium absorbed (isotope-study scale), food and supplement mixed.

    Food calcium is split over ``meals`` equal loads and the supplement over
    ``supplement_doses`` equal doses; each load absorbs :func:`load_fraction`. This is a
    true fractional absorption (0.33 at 964 mg/day of food in three meals), not the
    model's net absorption; the model uses only its ratio (:func:`absorption_factor`).
    Amounts are mg/day (numbers, arrays, pint quantities or strings such as ``"1 g"``).

    Raises
    ------
    AmountError
        Negative, NaN or non-numeric amounts, more than 5,000 mg/day, or ``meals`` /
        ``supplement_doses`` that are not whole numbers ≥ 1.

    Warns
    -----
    IntakeWarning
        More than 2,000 mg/day (the UL from 51 years).
    """
    p = _params(params)
    food, supplement, n_meals, n_doses = _inputs(
        food_mg_per_day, supplement_mg_per_day, p, meals, supplement_doses
    )
    out = _mixed_fraction(food, supplement, n_meals, n_doses, p)
    return scalar_or_array(out)


def absorption_factor(
    food_mg_per_day: Any,
    supplement_mg_per_day: Any = 0.0,
    params: ParameterSet | None = None,
    *,
    meals: int = 3,
    supplement_doses: int = 1,
) -> float | FloatArray:
    """:func:`absorbed_fraction` over the fraction at the model's own intake (964 mg/day
    of food in three meals): 1 there, above 1 for smaller or more divided loads."""
    p = _params(params)
    fraction = absorbed_fraction(
        food_mg_per_day, supplement_mg_per_day, p, meals=meals, supplement_doses=supplement_doses
    )
    return scalar_or_array(np.asarray(fraction) / _reference_fraction(p))


def _reference_fraction(p: ParameterSet) -> float:
    ref_intake = np.array([p.value("ca_abs_reference_intake_mg_per_day")])
    return float(_mixed_fraction(ref_intake, np.zeros(1), REFERENCE_MEALS, 1, p)[0])


def effective_oral_calcium_mg_per_day(
    food_mg_per_day: Any,
    supplement_mg_per_day: Any,
    params: ParameterSet | None = None,
    *,
    meals: int = 3,
    supplement_doses: int = 1,
) -> float | FloatArray:
    """Oral calcium for the Peterson & Riggs model, mg/day, with load-dependent absorption.

    ``(food + supplement) × absorption_factor``: the intake that, absorbed at the model's
    own constant net fraction, gives the absorption the load curve predicts relative to the
    model's reference intake. Pass it as ``CalciumScenario(calcium_intake_mg_per_day=...)``;
    arrays (e.g. (people, days)) are handled element-wise.

    Example
    -------
    >>> round(float(effective_oral_calcium_mg_per_day(964.0, 0.0)), 6)
    964.0
    >>> effective_oral_calcium_mg_per_day(964.0, 1000.0) < 1964.0
    True
    """
    p = _params(params)
    food, supplement, n_meals, n_doses = _inputs(
        food_mg_per_day, supplement_mg_per_day, p, meals, supplement_doses
    )
    factor = _mixed_fraction(food, supplement, n_meals, n_doses, p) / _reference_fraction(p)
    out = np.asarray((food + supplement) * factor, dtype=float)
    return scalar_or_array(out)
