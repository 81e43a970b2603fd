"""The vessel-wall calcification index: new calcification in Agatston-equivalent units.

Deposition rises with the plasma calcium × phosphate product and falls as matrix Gla
protein is carboxylated:

    dI/dt = k · (CaP / CaP0)^γ · max(0, 1 − ε · D),   D = 1 − dp-ucMGP / dp-ucMGP(0)

``k`` is the progression of coronary calcium in older adults without treatment (Shea
2009 control arm), ``CaP0`` the product at day 0 of the reference adult, γ a prior, and
ε (inhibition per unit relative fall of dp-ucMGP) a prior kept small because no large
randomised trial of MK-7 slowed calcification (Zwakenberg 2019, Valkyrie). Calcium in
the wall is tiny next to plasma and bone, so the compartment does not feed back.

Example
-------
>>> import numpy as np
>>> i = calcification_index(np.ones((1, 366)), np.zeros((1, 366)), baseline_au=0.0,
...     progression_au_per_year=12.0, caxp_gamma=2.0, mgp_inhibition=0.15)
>>> round(float(i[0, -1]), 1)
12.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["calcification_index"]

FloatArray = NDArray[np.float64]
DAYS_PER_YEAR = 365.0


def calcification_index(
    caxp_rel: FloatArray,
    dp_ucmgp_rel_fall: FloatArray,
    *,
    baseline_au: FloatArray | float,
    progression_au_per_year: FloatArray | float,
    caxp_gamma: FloatArray | float,
    mgp_inhibition: FloatArray | float,
    step_days: float = 1.0,
) -> FloatArray:
    """Calcification index (samples, steps + 1) from CaP/CaP0 and the fall of dp-ucMGP.

    Inputs are on a grid of ``step_days`` (daily by default); parameters are scalars or
    one value per sample (shape (samples,)).
    """
    cap = np.asarray(caxp_rel, dtype=float)
    fall = np.asarray(dp_ucmgp_rel_fall, dtype=float)
    k = np.asarray(progression_au_per_year, dtype=float).reshape(-1, 1)
    gamma = np.asarray(caxp_gamma, dtype=float).reshape(-1, 1)
    eps = np.asarray(mgp_inhibition, dtype=float).reshape(-1, 1)
    rate = k * np.maximum(cap, 0.0) ** gamma * np.maximum(1.0 - eps * fall, 0.0)
    per_step = 0.5 * (rate[:, 1:] + rate[:, :-1]) / DAYS_PER_YEAR * step_days
    start = np.broadcast_to(np.asarray(baseline_au, dtype=float).reshape(-1, 1), (rate.shape[0], 1))
    out: FloatArray = np.concatenate((start, start + np.cumsum(per_step, axis=-1)), axis=-1)
    return out
