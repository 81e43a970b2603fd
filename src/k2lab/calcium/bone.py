"""Bone mineral density at the lumbar spine and femoral neck.

Two parts, multiplied:

1. **Remodelling** (OpenBoneMin, after Riggs et al. 2012): relative BMD ``B`` follows the
   osteoblasts and osteoclasts of the Peterson & Riggs core,

       dB/dt = kout · (OB/OB0)^γOB − kout · (OC/OC0)^γOC · B,

   so a core at its own steady state keeps BMD constant and more resorption (high PTH at
   low calcium intake, low GFR) lowers it. ``kout`` and ``γOC`` are site-specific.
2. **Trend**: ``exp(∫ (r_K − r_age) dt)``. ``r_age`` is the age- and menopause-related loss,
   calibrated to placebo arms (the core has no oestrogen). ``r_K = β · E`` is the weak
   effect of carboxylated osteocalcin on mineralisation, with ``E = 1 − ucOC/ucOC(0)``
   the relative fall of undercarboxylated osteocalcin; β's prior range spans the null
   trials and the pooled meta-analysis.

Inputs are daily values (samples, days + 1); each day's coefficients are the mean of its
two ends and held constant within the day, for which the update is exact.

Example
-------
>>> import numpy as np
>>> one = np.ones((1, 366))
>>> bmd = remodelling_bmd(one, one, kout_per_day=0.0095, gamma_ob=0.08, gamma_oc=0.14)
>>> round(float(bmd[0, -1]), 9)
1.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["SITES", "bone_trend", "integrate_linear", "remodelling_bmd"]

FloatArray = NDArray[np.float64]

#: BMD sites, as the parameter scopes name them.
SITES: tuple[str, ...] = ("lumbar_spine", "femoral_neck")
DAYS_PER_YEAR = 365.0


def _interval_means(x: FloatArray) -> FloatArray:
    return 0.5 * (x[..., 1:] + x[..., :-1])


def integrate_linear(a: FloatArray, b: FloatArray, x0: FloatArray, dt: float) -> FloatArray:
    """Solve ``dx/dt = a − b·x`` exactly with ``a``, ``b`` constant per interval.

    ``a`` and ``b`` have shape (samples, intervals); ``x0`` (samples,). Returns
    (samples, intervals + 1), starting at ``x0``.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    bdt = b * dt
    q = np.exp(-bdt)
    small = np.abs(bdt) < 1e-12
    c = np.where(small, a * dt, a / np.where(small, 1.0, b) * (1.0 - q))
    # x_{n+1} = q_n x_n + c_n, solved with cumulative sums of log q (no Python loop).
    log_p = np.concatenate((np.zeros((*b.shape[:-1], 1)), np.cumsum(-bdt, axis=-1)), axis=-1)
    weighted = np.cumsum(c * np.exp(-log_p[..., 1:]), axis=-1)
    inner = np.concatenate((np.zeros((*b.shape[:-1], 1)), weighted), axis=-1)
    out: FloatArray = np.exp(log_p) * (np.asarray(x0, dtype=float)[..., None] + inner)
    return out


def remodelling_bmd(
    ob_rel: FloatArray,
    oc_rel: FloatArray,
    *,
    kout_per_day: FloatArray | float,
    gamma_ob: FloatArray | float,
    gamma_oc: FloatArray | float,
    step_days: float = 1.0,
) -> FloatArray:
    """Relative BMD (1 at day 0) from osteoblast and osteoclast ratios to baseline.

    Inputs are on a grid of ``step_days`` (daily by default); parameters are scalars or
    one value per sample (shape (samples,)).
    """
    ob = _interval_means(np.asarray(ob_rel, dtype=float))
    oc = _interval_means(np.asarray(oc_rel, dtype=float))
    kout = np.asarray(kout_per_day, dtype=float).reshape(-1, 1)
    g_ob = np.asarray(gamma_ob, dtype=float).reshape(-1, 1)
    g_oc = np.asarray(gamma_oc, dtype=float).reshape(-1, 1)
    a = kout * ob**g_ob
    b = kout * oc**g_oc
    return integrate_linear(a, b, np.ones(ob.shape[0]), step_days)


def bone_trend(
    ucoc_rel_fall: FloatArray,
    *,
    loss_percent_per_year: FloatArray | float,
    k_effect_percent_per_year: FloatArray | float,
    step_days: float = 1.0,
) -> FloatArray:
    """Multiplicative BMD trend (1 at day 0) from age/menopause loss and the K effect.

    ``ucoc_rel_fall`` is ``1 − ucOC/ucOC(0)`` on a grid of ``step_days`` (samples,
    steps + 1); the K effect adds ``k_effect_percent_per_year × fall`` percent per year.
    """
    fall = _interval_means(np.asarray(ucoc_rel_fall, dtype=float))
    loss = np.asarray(loss_percent_per_year, dtype=float).reshape(-1, 1)
    beta = np.asarray(k_effect_percent_per_year, dtype=float).reshape(-1, 1)
    rate_per_step = (beta * fall - loss) / 100.0 / DAYS_PER_YEAR * step_days
    log_trend = np.concatenate(
        (np.zeros((fall.shape[0], 1)), np.cumsum(rate_per_step, axis=-1)), axis=-1
    )
    out: FloatArray = np.exp(log_trend)
    return out
