"""Disposition: linear compartment kinetics per vitamer, solved by exact superposition.

Each vitamer has first-order absorption after a lag (gut -> plasma) and one or two
disposition compartments. Linear kinetics make the plasma concentration after any dosing
history a sum of exponentials over doses, so no ODE solver is needed:

    C(t) = sum_doses u_d * sum_i coef_i * exp(-rate_i * (t - s_d)),  t >= s_d

with ``u_d`` the absorbed amount (nmol) and ``s_d`` the dose time plus lag (h). On a
uniform output grid the sum over doses is a first-order recursion per exponential, run
with :func:`scipy.signal.lfilter` (vectorised, O(doses + grid points)).

Example
-------
>>> from k2lab.physiology.params import default_parameters
>>> m = disposition_modes("MK-7", default_parameters())
>>> round(float(m.terminal_half_life_h), 1)
68.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from k2lab.errors import RegimenError

__all__ = [
    "Modes",
    "accumulation_ratio",
    "apparent_clearance_l_per_h",
    "auc_nmol_h_per_L",
    "concentration_at",
    "disposition_modes",
    "steady_state_mean_nmol_per_L",
    "superpose_grid",
]

FloatArray = NDArray[np.float64]
_LN2 = math.log(2.0)


@dataclass(frozen=True)
class Modes:
    """Unit impulse response of one vitamer: ``coef_i * exp(-rate_i * t)`` after the lag.

    ``coef`` is in nmol/L per nmol absorbed, ``rate`` in 1/h, ``tlag_h`` in h.
    """

    rate_per_h: FloatArray
    coef_per_L: FloatArray
    tlag_h: float
    clearance_l_per_h: float
    v_central_l: float

    @property
    def terminal_half_life_h(self) -> float:
        """Half-life of the slowest exponential (h)."""
        return _LN2 / float(np.min(self.rate_per_h))


def apparent_clearance_l_per_h(vitamer: str, params: Mapping[tuple[str, str], float]) -> float:
    """Apparent oral clearance CL/F (L/h) for a supplement taken with a meal.

    K1 is calibrated (Garber 1999); the others follow from exposure ratios to K1.
    """
    cl_k1 = params[("clearance_over_f_l_per_h", "K1")]
    if vitamer == "K1":
        return cl_k1
    if vitamer == "MK-7":
        return cl_k1 / params[("accumulation_ratio_vs_k1", "MK-7")]
    return cl_k1 / params[("auc_ratio_vs_k1", vitamer)]


def disposition_modes(
    vitamer: str, params: Mapping[tuple[str, str], float], ka_factor: float = 1.0
) -> Modes:
    """Exponential modes of the plasma response to one absorbed nmol of ``vitamer``."""
    ka = params[("ka_per_h", vitamer)] * ka_factor
    tlag = params[("tlag_h", vitamer)]
    cl = apparent_clearance_l_per_h(vitamer, params)
    if ka <= 0 or cl <= 0 or tlag < 0:
        raise RegimenError(f"Non-physical PK parameters for {vitamer}.")
    if ("t_half_beta_h", vitamer) in params:
        alpha = _LN2 / params[("t_half_alpha_h", vitamer)]
        beta = _LN2 / params[("t_half_beta_h", vitamer)]
        phi = params[("beta_auc_fraction", vitamer)]
        # IV bolus C = a e^{-alpha t} + b e^{-beta t} (a + b = 1) with beta-phase AUC share phi.
        ratio = phi * beta / ((1.0 - phi) * alpha)
        a = 1.0 / (1.0 + ratio)
        b = 1.0 - a
        k21 = a * beta + b * alpha
        k10 = alpha * beta / k21
        disposition = [alpha, beta]
        k21_or_none: float | None = k21
    else:
        k10 = _LN2 / params[("t_half_h", vitamer)]
        disposition = [k10]
        k21_or_none = None
    v_central = cl / k10
    # Keep the absorption root apart from the disposition roots (the closed form divides
    # by their differences); the shift is far below any parameter's uncertainty.
    for lam in disposition:
        if abs(ka - lam) < 1e-6 * max(ka, lam):
            ka *= 1.0 + 1e-5
    roots = [ka, *disposition]
    coefs = []
    for lam in roots:
        denominator = math.prod(mu - lam for mu in roots if mu != lam)
        numerator = 1.0 if k21_or_none is None else k21_or_none - lam
        coefs.append(ka / v_central * numerator / denominator)
    return Modes(
        rate_per_h=np.array(roots, dtype=np.float64),
        coef_per_L=np.array(coefs, dtype=np.float64),
        tlag_h=float(tlag),
        clearance_l_per_h=float(cl),
        v_central_l=float(v_central),
    )


def concentration_at(
    times_h: FloatArray, dose_times_h: FloatArray, absorbed_nmol: FloatArray, modes: Modes
) -> FloatArray:
    """Concentration increment (nmol/L) at arbitrary times, by direct summation.

    O(times x doses); the reference against which :func:`superpose_grid` is tested.
    """
    t = np.asarray(times_h, dtype=np.float64)
    s = np.asarray(dose_times_h, dtype=np.float64) + modes.tlag_h
    u = np.asarray(absorbed_nmol, dtype=np.float64)
    dt = t[:, None] - s[None, :]
    active = dt >= 0
    dt = np.where(active, dt, 0.0)
    kernel = np.exp(-dt[..., None] * modes.rate_per_h) @ modes.coef_per_L
    out: FloatArray = np.sum(np.where(active, kernel, 0.0) * u, axis=1)
    return out


def superpose_grid(
    dose_times_h: FloatArray,
    absorbed_nmol: FloatArray,
    modes: Modes,
    step_h: float,
    n_steps: int,
) -> tuple[FloatArray, FloatArray]:
    """Concentration increment on the grid ``t_k = k * step_h`` (k = 0..n_steps).

    Returns
    -------
    points : (n_steps + 1,) concentration at each grid time (nmol/L).
    means : (n_steps,) exact mean concentration over each interval (t_{k-1}, t_k] (nmol/L).
    """
    s = np.asarray(dose_times_h, dtype=np.float64) + modes.tlag_h
    u = np.asarray(absorbed_nmol, dtype=np.float64)
    idx = np.ceil(s / step_h - 1e-12).astype(np.int64)
    keep = idx <= n_steps
    s, u, idx = s[keep], u[keep], idx[keep]
    idx = np.maximum(idx, 0)
    age = idx * step_h - s  # time from dose to the next grid point, in [0, step)
    points = np.zeros(n_steps + 1)
    means = np.zeros(n_steps)
    from scipy.signal import lfilter  # here: importing scipy.signal costs ~0.6 s at start-up

    for rate, coef in zip(modes.rate_per_h, modes.coef_per_L, strict=True):
        q = math.exp(-rate * step_h)
        x = np.bincount(idx, weights=u * np.exp(-rate * age), minlength=n_steps + 1)
        state = np.asarray(lfilter([1.0], [1.0, -q], x), dtype=np.float64)
        inside = np.bincount(idx, weights=u * -np.expm1(-rate * age), minlength=n_steps + 1)
        mean = (state[:-1] * -math.expm1(-rate * step_h) + inside[1:]) / (rate * step_h)
        points += coef * state
        means += coef * mean
    return points, means


def auc_nmol_h_per_L(modes: Modes, absorbed_nmol: float, t_end_h: float) -> float:
    """AUC from 0 to ``t_end_h`` after one dose at time 0 (nmol*h/L)."""
    t = max(t_end_h - modes.tlag_h, 0.0)
    r = modes.rate_per_h
    return float(absorbed_nmol * np.sum(modes.coef_per_L * -np.expm1(-r * t) / r))


def steady_state_mean_nmol_per_L(modes: Modes, absorbed_nmol: float, interval_h: float) -> float:
    """Mean concentration increment at steady state for a dose every ``interval_h`` hours.

    >>> from k2lab.physiology.params import default_parameters
    >>> m = disposition_modes("K1", default_parameters())
    >>> round(steady_state_mean_nmol_per_L(m, 24.0 * m.clearance_l_per_h, 24.0), 6)
    1.0
    """
    return absorbed_nmol / (modes.clearance_l_per_h * interval_h)


def accumulation_ratio(modes: Modes, interval_h: float) -> float:
    """Steady-state mean over the mean of the first dosing interval (dimensionless).

    Large for slowly eliminated vitamers (MK-7 at daily dosing), near 1 for K1 and MK-4.
    """
    first = auc_nmol_h_per_L(modes, 1.0, interval_h) / interval_h
    return steady_state_mean_nmol_per_L(modes, 1.0, interval_h) / first
