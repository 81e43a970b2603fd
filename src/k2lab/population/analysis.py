"""The analysis of a virtual trial: change from baseline, per-arm summaries, and the
difference between arms with a 95 % CI and a two-sided p-value: Welch's t-test on the
change (``change``) or ANCOVA of the change on arm and baseline (``ancova``).

People who dropped out before the analysed visit are left out (a completers analysis).

Example
-------
>>> import numpy as np
>>> a = np.array([[100.0, 70.0], [120.0, 80.0], [90.0, 60.0]])
>>> c = np.array([[100.0, 100.0], [110.0, 104.5], [95.0, 95.0]])
>>> changes(a, 1, "percent").round(1).tolist()
[-30.0, -33.3, -33.3]
>>> d = difference(changes(a, 1, "percent"), changes(c, 1, "percent"))
>>> round(d.estimate, 1), d.p_value < 0.001
(-30.6, True)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = [
    "METHODS",
    "ArmSummary",
    "Difference",
    "ancova",
    "baselines",
    "changes",
    "difference",
    "summarise",
]

#: Analysis methods a spec may ask for.
METHODS = ("change", "ancova")

FloatArray = NDArray[np.float64]


def changes(observed: FloatArray, visit: int, change: str) -> FloatArray:
    """Change from baseline at ``visit`` (column of ``observed``, shape (people, visits)) of
    the people seen then: ``absolute`` (visit − baseline) or ``percent`` of baseline."""
    y0 = observed[:, 0]
    y = observed[:, visit]
    seen = np.isfinite(y)
    d = y[seen] - y0[seen]
    out: FloatArray = d if change == "absolute" else 100.0 * d / y0[seen]
    return out


def baselines(observed: FloatArray, visit: int) -> FloatArray:
    """Baseline values of the people seen at ``visit`` (aligned with :func:`changes`)."""
    out: FloatArray = observed[np.isfinite(observed[:, visit]), 0]
    return out


@dataclass(frozen=True)
class ArmSummary:
    """Change from baseline in one arm: completers, mean, SD and 95 % CI of the mean."""

    n: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as ``None``)."""
        return {
            k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in asdict(self).items()
        }


def summarise(x: FloatArray) -> ArmSummary:
    """Mean change with a t-based 95 % CI (NaN below two people)."""
    n = int(x.size)
    if n < 2:
        return ArmSummary(n, float(np.mean(x)) if n else math.nan, math.nan, math.nan, math.nan)
    mean, sd = float(np.mean(x)), float(np.std(x, ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return ArmSummary(n, mean, sd, mean - half, mean + half)


@dataclass(frozen=True)
class Difference:
    """Treatment minus control in mean change: estimate, 95 % CI, Welch df and p-value."""

    estimate: float
    ci_low: float
    ci_high: float
    df: float
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as ``None``)."""
        return {k: None if not math.isfinite(v) else v for k, v in asdict(self).items()}


def difference(treated: FloatArray, control: FloatArray, *, level: float = 0.95) -> Difference:
    """Welch's two-sample comparison of mean change (NaN when an arm has < 2 people)."""
    n1, n0 = treated.size, control.size
    if n1 < 2 or n0 < 2:
        return Difference(math.nan, math.nan, math.nan, math.nan, math.nan)
    v1 = float(np.var(treated, ddof=1)) / n1
    v0 = float(np.var(control, ddof=1)) / n0
    est = float(np.mean(treated) - np.mean(control))
    se = math.sqrt(v1 + v0)
    if se == 0:
        return Difference(est, est, est, math.inf, 0.0 if est else 1.0)
    df = (v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    p = float(2.0 * stats.t.sf(abs(est) / se, df))
    return Difference(est, est - half, est + half, df, p)


def ancova(
    treated: FloatArray,
    treated_baseline: FloatArray,
    control: FloatArray,
    control_baseline: FloatArray,
    *,
    level: float = 0.95,
) -> Difference:
    """Treated minus control in change, adjusted for baseline: least squares of change on
    an intercept, the arm and the centred baseline (NaN with fewer than 4 people)."""
    y = np.concatenate((treated, control))
    n = y.size
    if n < 4 or treated.size < 1 or control.size < 1:
        return Difference(math.nan, math.nan, math.nan, math.nan, math.nan)
    base = np.concatenate((treated_baseline, control_baseline))
    x = np.column_stack(
        (np.ones(n), np.r_[np.ones(treated.size), np.zeros(control.size)], base - base.mean())
    )
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    df = n - 3
    resid = y - x @ coef
    sigma2 = float(resid @ resid) / df
    se = math.sqrt(sigma2 * float(np.linalg.pinv(x.T @ x)[1, 1]))
    est = float(coef[1])
    if se == 0:
        return Difference(est, est, est, math.inf, 0.0 if est else 1.0)
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    p = float(2.0 * stats.t.sf(abs(est) / se, df))
    return Difference(est, est - half, est + half, float(df), p)
