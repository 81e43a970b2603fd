"""Where, within one solver step, a watched sign first changes (for events' triggers).

The step's states and derivatives at its ends define a cubic Hermite interpolant;
:func:`first_change` finds on it the earliest time at which any of the watched values
(the two sides' differences of a trigger's comparisons) has a sign other than at the step's
start, by Illinois' false position with bisection for jumps, to 1e-14 relative in time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def first_change(
    watch: Callable[[float, FloatArray], FloatArray],
    ref: FloatArray,
    which: NDArray[np.intp],
    step: tuple[FloatArray, FloatArray, FloatArray, FloatArray, float, float],
) -> float:
    """The earliest time in the step where a sign of ``watch`` (of those ``which``
    changed by the step's end) differs from ``ref``, on the step's Hermite interpolant."""
    y0, f0, y1, f1, t0, t1 = step

    def g(s: float) -> FloatArray:
        return watch(s, hermite(y0, f0, y1, f1, t0, t1, s))

    end = t1
    for k in which:
        lo, hi = t0, end
        g_lo, g_hi = float(g(lo)[k]), float(g(hi)[k])
        if np.sign(g_hi) == ref[k]:
            continue  # changed only after an earlier change shortened the interval
        side = 0
        tol = 1e-14 * max(1.0, abs(hi))
        if end < t1 and np.sign(g(end - 2.0 * tol)[k]) == ref[k]:
            continue  # changes together with an earlier one: no earlier change
        for it in range(200):
            if hi - lo <= tol:
                break
            # Illinois' false position; every third try, or for a jump, bisection.
            if it % 3 == 2 or not (np.isfinite(g_lo) and np.isfinite(g_hi)) or g_lo == g_hi:
                mid = 0.5 * (lo + hi)
            else:
                mid = hi - g_hi * (hi - lo) / (g_hi - g_lo)
                if not lo < mid < hi:
                    mid = 0.5 * (lo + hi)
            g_mid = float(g(mid)[k])
            if np.sign(g_mid) != ref[k]:
                hi, g_hi = mid, g_mid
                if side == 1:
                    g_lo *= 0.5
                side = 1
                # False position converges from one side: try just beside the new point.
                probe = hi - 2.0 * tol
                if lo < probe and np.sign(g_probe := float(g(probe)[k])) == ref[k]:
                    lo, g_lo = probe, g_probe
                    break
            else:
                lo, g_lo = mid, g_mid
                if side == -1:
                    g_hi *= 0.5
                side = -1
                probe = lo + 2.0 * tol
                if probe < hi and np.sign(g_probe := float(g(probe)[k])) != ref[k]:
                    hi, g_hi = probe, g_probe
                    break
        end = hi
    return end


def hermite(
    y0: FloatArray, f0: FloatArray, y1: FloatArray, f1: FloatArray, t0: float, t1: float, s: float
) -> FloatArray:
    """Cubic Hermite interpolation of the state at ``s`` within the step ``[t0, t1]``."""
    h = t1 - t0
    th = (s - t0) / h
    h00 = (1 + 2 * th) * (1 - th) ** 2
    h10 = th * (1 - th) ** 2
    h01 = th**2 * (3 - 2 * th)
    h11 = th**2 * (th - 1)
    return h00 * y0 + h10 * h * f0 + h01 * y1 + h11 * h * f1
