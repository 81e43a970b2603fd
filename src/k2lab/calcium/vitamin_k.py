"""The vitamin K layers on the calcium system's daily grid.

Carboxylation saturates, so the Gla status is computed from hourly concentrations and
then averaged per day (:func:`gla_daily`); the slow layers (BMD, calcification) take
those daily values.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from k2lab.physiology.status import simulate_trajectories

__all__ = ["gla_daily"]

FloatArray = NDArray[np.float64]


def gla_daily(
    groups: Mapping[tuple[str, str], tuple[FloatArray, FloatArray]],
    *,
    population: str,
    medication: str | None,
    n_days: int,
    params: Mapping[tuple[str, str], float],
) -> dict[str, FloatArray]:
    """Gla status (and INR) once a day, from a run that resolves every dose hourly.

    Carboxylation saturates, so it must see the hourly concentrations: at the daily mean
    concentration, 1 mg/day of K1 would look 27 % more effective on BMD. Each daily value is
    the mean of the hourly values within 12 hours of midnight (the last day: the half-window
    that exists), so the slow layers' trapezoids integrate the hourly course; day 0 keeps
    the baseline.
    """
    hourly = simulate_trajectories(
        groups,
        population=population,
        medication=medication,
        step_h=1.0,
        n_steps=n_days * 24,
        params=params,
    )
    return {k: _centred_daily_means(v) for k, v in hourly.items()}


def _centred_daily_means(hourly: FloatArray) -> FloatArray:
    n_days = (len(hourly) - 1) // 24
    csum = np.concatenate(([0.0], np.cumsum(hourly)))
    lo = np.clip(np.arange(n_days + 1) * 24 - 12, 0, None)
    hi = np.clip(np.arange(n_days + 1) * 24 + 12, None, len(hourly) - 1)
    out: FloatArray = (csum[hi + 1] - csum[lo]) / (hi + 1 - lo)
    out[0] = hourly[0]
    return out
