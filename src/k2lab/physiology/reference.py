"""Numerical reference for the analytic PK: the same compartments solved by an ODE solver.

Used by the tests and ``benchmarks/bench_exposure.py`` to check
:func:`k2lab.physiology.pk.superpose_grid` against :func:`scipy.integrate.solve_ivp`.
Doses enter the gut compartment as instantaneous boluses at ``dose time + lag``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from k2lab.physiology.pk import apparent_clearance_l_per_h

__all__ = ["ode_concentration"]

FloatArray = NDArray[np.float64]
_LN2 = math.log(2.0)


def _microconstants(
    vitamer: str, params: Mapping[tuple[str, str], float]
) -> tuple[float, float, float, float]:
    """(k10, k12, k21, V_c) from the same parameter rows as :mod:`k2lab.physiology.pk`."""
    cl = apparent_clearance_l_per_h(vitamer, params)
    if ("t_half_beta_h", vitamer) in params:
        alpha = _LN2 / params[("t_half_alpha_h", vitamer)]
        beta = _LN2 / params[("t_half_beta_h", vitamer)]
        phi = params[("beta_auc_fraction", vitamer)]
        a = 1.0 / (1.0 + phi * beta / ((1.0 - phi) * alpha))
        k21 = a * beta + (1.0 - a) * alpha
        k10 = alpha * beta / k21
        k12 = alpha + beta - k21 - k10
    else:
        k10, k12, k21 = _LN2 / params[("t_half_h", vitamer)], 0.0, 0.0
    return k10, k12, k21, cl / k10


def ode_concentration(
    vitamer: str,
    params: Mapping[tuple[str, str], float],
    dose_times_h: FloatArray,
    absorbed_nmol: FloatArray,
    times_h: FloatArray,
    ka_factor: float = 1.0,
    rtol: float = 1e-10,
    atol: float = 1e-14,
) -> FloatArray:
    """Plasma concentration increment (nmol/L) at ``times_h`` by piecewise ODE integration."""
    from scipy.integrate import solve_ivp

    ka = params[("ka_per_h", vitamer)] * ka_factor
    tlag = params[("tlag_h", vitamer)]
    k10, k12, k21, vc = _microconstants(vitamer, params)
    matrix = np.array(
        [[-ka, 0.0, 0.0], [ka, -(k10 + k12), k21], [0.0, k12, -k21]], dtype=np.float64
    )

    def rhs(_t: float, x: FloatArray) -> FloatArray:
        out: FloatArray = matrix @ x
        return out

    events = sorted(
        zip(
            (np.asarray(dose_times_h) + tlag).tolist(),
            np.asarray(absorbed_nmol).tolist(),
            strict=True,
        )
    )
    times = np.asarray(times_h, dtype=np.float64)
    result = np.zeros(times.size)
    state = np.zeros(3)
    t_now = 0.0
    boundaries = [t for t, _ in events] + [float(times.max()) + 1.0]
    amounts = [u for _, u in events] + [0.0]
    for t_next, amount in zip(boundaries, amounts, strict=True):
        if t_next > t_now:
            sol = solve_ivp(
                rhs,
                (t_now, t_next),
                state,
                method="LSODA",
                dense_output=True,
                rtol=rtol,
                atol=atol,
                jac=lambda _t, _x: matrix,
            )
            mask = (times >= t_now) & (times < t_next)
            if mask.any():
                result[mask] = sol.sol(times[mask])[1] / vc
            state = np.array(sol.y[:, -1], dtype=np.float64)
            t_now = t_next
        state[0] += amount
    return result
