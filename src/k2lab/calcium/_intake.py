"""Shared checks for daily intakes given to the vitamin D and absorption links."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
import pint
from numpy.typing import NDArray

from k2lab.errors import AmountError, IntakeWarning, UnitError
from k2lab.units import parse_quantity, ureg

FloatArray = NDArray[np.float64]


def amount(value: Any, unit: str, what: str, *, allow_iu: bool = False) -> FloatArray:
    """A daily amount in ``unit`` (``"microgram"`` or ``"milligram"``) as a float array.

    A plain number (or array) is taken as ``unit`` per day; a pint quantity or a string
    such as ``"2000 IU"`` is converted, per day if it has no time unit (IU only for vitamin
    D: 1 µg = 40 IU). Refuses NaN, infinities and negative values.
    """
    if isinstance(value, str):
        value = parse_quantity(value)
    if isinstance(value, bool):
        raise AmountError(f"{what} must be a number, not {value!r}.")
    if isinstance(value, ureg.Quantity):
        if not allow_iu and "international_unit" in str(value.units):
            raise UnitError(f"{what} cannot be given in IU (IU is for vitamin D); use mg.")
        per_day = f"{unit} / day"
        try:
            if value.check("[mass] / [time]"):
                magnitude = value.to(per_day).magnitude
            else:
                magnitude = value.to(unit).magnitude
        except pint.errors.DimensionalityError as exc:
            raise UnitError(
                f"{what} must be a mass per day (e.g. '25 ug', '1000 IU', '500 mg'), "
                f"not '{value.units:~}'."
            ) from exc
        value = magnitude
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AmountError(f"{what} must be a number, not {value!r}.") from exc
    if not np.all(np.isfinite(arr)):
        raise AmountError(f"{what} must be a finite number (got NaN or infinity).")
    if np.any(arr < 0):
        raise AmountError(f"{what} must be ≥ 0, not {float(np.min(arr)):g}.")
    return arr


def scalar_or_array(arr: Any) -> float | FloatArray:
    """A float for a 0-d result (scalar inputs), else a float array."""
    out = np.asarray(arr, dtype=float)
    return float(out) if out.ndim == 0 else out


def check_limits(
    arr: FloatArray,
    *,
    what: str,
    unit: str,
    warn_above: float,
    warn_reason: str,
    refuse_above: float,
    refuse_reason: str,
) -> None:
    """Refuse values above ``refuse_above``; warn (:class:`IntakeWarning`) above ``warn_above``."""
    top = float(np.max(arr)) if arr.size else 0.0
    if top > refuse_above:
        raise AmountError(
            f"{what} of {top:g} {unit}/day is above {refuse_above:g} {unit}/day "
            f"({refuse_reason}); check the amount and its unit."
        )
    if top > warn_above:
        warnings.warn(
            f"{what} of {top:g} {unit}/day is above {warn_above:g} {unit}/day ({warn_reason}).",
            IntakeWarning,
            stacklevel=3,
        )


def whole_number(value: Any, what: str) -> int:
    """A count ≥ 1 (meals, doses), or a precise error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AmountError(f"{what} must be a whole number ≥ 1, not {value!r}.")
    number = float(value)
    if not math.isfinite(number) or not number.is_integer() or number < 1:
        raise AmountError(f"{what} must be a whole number ≥ 1, not {value!r}.")
    return round(number)
