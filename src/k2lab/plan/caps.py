"""Per-food daily portion caps implied by the plan's own upper bounds (tighter big-M).

Every upper-bound row of a day with non-negative coefficients (the K2 band's top,
nutrient upper limits, the energy maximum, a food group's maximum grams, the K1 steady
band's top, the MK-7 ceiling under a VKA) also bounds each single food: portions of f
on a day ≤ ⌊(bound − supplements) / (amount per portion of f)⌋, because every other
food adds a non-negative amount. The cap is therefore implied by rows that stay in the
model: no feasible plan is cut off. It replaces ``max_per_day`` as the column's upper
bound and as the big-M of the link ``x ≤ M·y``, which makes the LP bound of the fixed
cost of using a food much stronger. Not valid for the elastic model (its slacks let the
rows be exceeded) nor for a family left out with ``drop``; the caller skips those.
"""

from __future__ import annotations

import math

from k2lab.plan.candidates import Candidate
from k2lab.plan.model import PlanConstraints

#: Slack on a cap so that a food exactly at a bound (rounding) keeps its portion.
_CAP_TOL = 1e-9


def _upper_rows(c: PlanConstraints) -> list[tuple[str, str, float]]:
    """(family, nutrient, bound − supplements) of every non-negative upper row of a day."""
    rows: list[tuple[str, str, float]] = []
    if c.k2_max_ug is not None:
        rows.append(("k2_max", c.k2_form, c.k2_max_ug - c.supplement_per_day(c.k2_form)))
    if c.k1_steady_ug is not None:
        rows.append(("k1_steady_max", "K1", c.k1_steady_ug[1] - c.supplement_per_day("K1")))
    if c.calcium_max_mg is not None:
        rows.append(("calcium_max", "calcium", c.calcium_max_mg - c.supplement_per_day("calcium")))
    if c.energy_max_kcal is not None:
        rows.append(("energy_max", "energy", c.energy_max_kcal))
    for nb in c.nutrient_bounds:
        if nb.max is not None:
            supp = c.supplement_per_day(nb.nutrient) if nb.nutrient != "energy" else 0.0
            rows.append((f"{nb.nutrient}_max", nb.nutrient, nb.max - supp))
    if c.anticoagulated:
        rows.append(("vka_mk7", "MK-7", c.vka_mk7_max_ug - c.supplement_per_day("MK-7")))
    return rows


def _cap(limit: float, per_portion: float) -> int | None:
    if per_portion <= 0:
        return None
    return max(0, math.floor(limit / per_portion + _CAP_TOL))


def portion_caps(
    cands: list[Candidate], c: PlanConstraints, drop: frozenset[str] = frozenset()
) -> list[int]:
    """Most portions of each candidate on one day that the model's upper rows allow
    (never above its ``max_per_day``; 0: the food cannot be in any plan)."""
    rows = [r for r in _upper_rows(c) if r[0] not in drop]
    groups = [
        g for g in c.group_servings if g.max_g is not None and f"group_max:{g.group}" not in drop
    ]
    caps = []
    for cand in cands:
        cap = cand.max_per_day
        for _, nutrient, limit in rows:
            implied = _cap(limit, cand.per_portion[nutrient])
            if implied is not None:
                cap = min(cap, implied)
        for g in groups:
            if cand.category in g.categories and g.max_g is not None:
                implied = _cap(g.max_g, cand.portion_g)
                if implied is not None:
                    cap = min(cap, implied)
        caps.append(cap)
    return caps


__all__ = ["portion_caps"]
