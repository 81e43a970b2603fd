"""Power curves: many virtual trials per n per arm (:func:`power_curve`).

Each replicate is one virtual trial with its own draw of the parameter uncertainty
(replicates 1..R) and its own people. The trials are simulated once at the largest ``n``;
for each smaller ``n`` the first ``n`` people of every arm are analysed: with a stream per
person, those are exactly the trials of size ``n`` of the same replicates.

Example
-------
>>> from k2lab.population.spec import spec_from_dict
>>> spec = spec_from_dict({"trial": {"visits_weeks": [0, 12]},
...     "arms": [{"name": "placebo", "n": 4}, {"name": "MK-7", "n": 4,
...              "regimens": ["MK-7 180 ug daily"]}],
...     "endpoints": [{"name": "dp_ucMGP_pmol_per_L"}]})
>>> c = power_curve(spec, "dp_ucMGP_pmol_per_L", [4, 8], replicates=4)
>>> c.ns, c.power[-1] >= 0.5
((4, 8), True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from k2lab import checks
from k2lab.errors import ScenarioError
from k2lab.population.backends import Backend
from k2lab.population.spec import TrialSpec
from k2lab.population.trial import DEFAULT_CHUNK, effects, simulate

__all__ = ["PowerCurve", "power_curve"]


@dataclass(frozen=True)
class PowerCurve:
    """Power by n per arm for one endpoint and arm against the control, with the spread of
    the estimated effect across replicates (a 95 % prediction interval)."""

    endpoint: str
    arm: str
    ns: tuple[int, ...]
    replicates: int
    power: tuple[float, ...]
    power_low: tuple[float, ...]
    power_high: tuple[float, ...]
    effect_mean: tuple[float, ...]
    effect_low: tuple[float, ...]
    effect_high: tuple[float, ...]
    person_years: float = 0.0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, one row per n."""
        rows = [
            {
                "n_per_arm": n,
                "power": self.power[i],
                "power_ci": [self.power_low[i], self.power_high[i]],
                "effect_mean": self.effect_mean[i],
                "effect_95_prediction_interval": [self.effect_low[i], self.effect_high[i]],
            }
            for i, n in enumerate(self.ns)
        ]
        return {
            "endpoint": self.endpoint,
            "arm": self.arm,
            "replicates": self.replicates,
            "rows": rows,
            "person_years": self.person_years,
            "seconds": self.seconds,
        }


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def power_curve(
    spec: TrialSpec,
    endpoint: str,
    ns: Sequence[int],
    *,
    replicates: int = 50,
    arm: str | None = None,
    backend: Backend | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    store: Path | None = None,
) -> PowerCurve:
    """Power to detect ``arm`` (default: the first non-control arm) against the control on
    ``endpoint`` at each n per arm in ``ns``, from ``replicates`` virtual trials that each
    draw the parameter uncertainty (replicates 1..R). ``store`` keeps finished chunks so
    a rerun resumes.

    Raises
    ------
    ScenarioError
        An endpoint or arm the spec does not have, or bad ``ns``/``replicates``.
    """
    checks.instance(spec, TrialSpec, "spec", error=ScenarioError, what="a TrialSpec (load_spec)")
    checks.text(endpoint, "endpoint", error=ScenarioError)
    for n in checks.items(ns, int, "ns", error=ScenarioError, what="whole numbers"):
        checks.whole(n, "ns", low=1, error=ScenarioError)
    names = [e.name for e in spec.endpoints]
    if endpoint not in names:
        raise ScenarioError(
            f"The spec has no endpoint {endpoint!r}; it has {', '.join(names)}.", field="endpoint"
        )
    treated = [a.name for a in spec.arms if a.name != spec.control_arm]
    arm = arm or treated[0]
    if arm not in treated:
        raise ScenarioError(
            f"No treated arm {arm!r}; use one of {', '.join(treated)}.", field="arm"
        )
    ns = sorted({spec.with_n(n).arms[0].n for n in ns})
    if not ns:
        raise ScenarioError("Give at least one n per arm.", field="n")
    if (
        isinstance(replicates, bool)
        or not isinstance(replicates, int)
        or not 2 <= replicates <= 10_000
    ):
        raise ScenarioError(f"replicates must be 2-10,000, not {replicates!r}.", field="replicates")
    t0 = time.perf_counter()
    big = spec.with_n(ns[-1])
    reps = list(range(1, replicates + 1))
    sims = simulate(big, reps, backend, chunk, progress, store)
    p = np.empty((len(ns), replicates))
    est = np.empty((len(ns), replicates))
    for r_i, r in enumerate(reps):
        observed = {a: sims[(r, a)][0] for a in range(len(spec.arms))}
        for n_i, n in enumerate(ns):
            e = next(
                x for x in effects(big, observed, n) if x.endpoint == endpoint and x.arm == arm
            )
            p[n_i, r_i] = e.difference.p_value
            est[n_i, r_i] = e.difference.estimate
    hits = [int(np.sum(row < spec.alpha)) for row in p]
    bounds = [_wilson(k, replicates) for k in hits]
    return PowerCurve(
        endpoint=endpoint,
        arm=arm,
        ns=tuple(ns),
        replicates=replicates,
        power=tuple(k / replicates for k in hits),
        power_low=tuple(b[0] for b in bounds),
        power_high=tuple(b[1] for b in bounds),
        effect_mean=tuple(float(np.nanmean(row)) for row in est),
        effect_low=tuple(float(np.nanpercentile(row, 2.5)) for row in est),
        effect_high=tuple(float(np.nanpercentile(row, 97.5)) for row in est),
        person_years=replicates * len(spec.arms) * ns[-1] * spec.years,
        seconds=time.perf_counter() - t0,
    )
