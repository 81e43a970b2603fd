"""Carboxylation of Gla proteins with tissue priority, and biomarker turnover.

Vitamin K availability in a tissue is a potency-weighted sum of plasma vitamer levels in
K1-equivalent nmol/L. Each tissue carboxylates a saturable fraction

    f = A^h / ((EC50 * m)^h + A^h)

with a small hepatic EC50 (clotting factors saturate first, "triage"), and larger
extrahepatic ones for bone (osteocalcin) and the vessel wall (MGP). ``m`` > 1 under a
vitamin K antagonist. Biomarkers follow the carboxylated fractions with first-order
turnover, so they lag exposure by days to weeks.

Example
-------
>>> round(carboxylated_fraction(2.0, 2.0, hill=1.0), 2)
0.5
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = ["carboxylated_fraction", "ec50_multiplier_for_target", "turnover"]

FloatArray = NDArray[np.float64]


def carboxylated_fraction(
    availability: FloatArray | float, ec50: float, hill: float = 1.0
) -> FloatArray | float:
    """Fraction carboxylated for availability ``A`` (K1-eq nmol/L) and EC50 (same unit)."""
    a = np.maximum(np.asarray(availability, dtype=np.float64), 0.0)
    ratio = (a / ec50) ** hill
    out = ratio / (1.0 + ratio)
    return float(out) if out.ndim == 0 else out


def ec50_multiplier_for_target(
    availability: float, ec50: float, hill: float, target_fraction: float
) -> float:
    """The EC50 multiplier ``m`` that brings the fraction at ``availability`` to a target."""
    if not 0.0 < target_fraction < 1.0:
        raise ValueError("target_fraction must be in (0, 1)")
    return float(availability * (1.0 / target_fraction - 1.0) ** (1.0 / hill) / ec50)


def turnover(
    steady_state: FloatArray, initial: float, half_life_h: float, step_h: float
) -> FloatArray:
    """First-order approach to a piecewise-constant target on a uniform grid.

    ``steady_state[k]`` is the target during interval k (k = 0..n-1); the result has n+1
    points starting at ``initial``. Exact for a target that is constant within intervals.
    """
    q = math.exp(-math.log(2.0) * step_h / half_life_h)
    x = np.asarray(steady_state, dtype=np.float64)
    from scipy.signal import lfilter  # imported here: scipy.signal takes 0.5 s to load

    y, _ = lfilter([1.0 - q], [1.0, -q], x, zi=np.array([q * initial]))
    return np.concatenate(([initial], y))
