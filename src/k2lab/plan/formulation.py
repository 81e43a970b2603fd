"""The planner's MILP: one integer ``x[f, d]`` = portions of candidate ``f`` on day ``d``.

Every row belongs to a named *family* (``k2``, ``protein_min``, ``energy_max``,
``group:fruit``, ``variety`` …) so that the same builder gives the plan, the elastic
model of the diagnosis (a slack on every family row), the binding constraints (rows at
their bound) and the deletion filter that finds an irreducible infeasible set of
families (``drop``). Per day (amounts include the fixed supplements)::

    target ≤ K2 form(d) ≤ band          K1(d) ≥ reference (or in a steady band)
    calcium, nutrients in [RDA/AI, UL]   energy in [min, max]
    share·E(d) ≤ kcal/g · macro(d) ≤ share·E(d)   (AMDR)
    grams of a food group in [min, max]  foods per day in [min, max]

plus daily and weekly portion limits, a food on at most N days, distinct days and the
anticoagulated rows. Distinct days: each day gets a signature ``S(d) = Σ_f h_f y[f, d]``
(``y`` = food used, ``h_f`` small integers); ``S(d) ≠ S(e)`` for every pair of days
(one binary per pair) implies different foods. Equal signatures of different days are
ruled out too, which only restricts the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k2lab.plan.candidates import Candidate
from k2lab.plan.caps import portion_caps
from k2lab.plan.milp import INF, Milp
from k2lab.plan.model import Objective, PlanConstraints

#: Most foods on one day of a whole-day plan (keeps the signature's big-M small).
MAX_FOODS_PER_DAY = 24
_SIGNATURE_MOD = 97
#: Cost of a food not in the current diet, per day it is used (closest, whole days).
NEW_FOOD_COST = 0.3


@dataclass
class Layout:
    """Where the columns and the family rows of a built model are."""

    x: dict[tuple[int, int], int] = field(default_factory=dict)
    y: dict[tuple[int, int], int] = field(default_factory=dict)
    slacks: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # family -> (day, col)
    rows: list[tuple[int, str, int, str]] = field(default_factory=list)  # row, family, day, sense
    families: set[str] = field(default_factory=set)


class _Builder:
    def __init__(
        self, cands: list[Candidate], c: PlanConstraints, elastic: bool, drop: frozenset[str]
    ) -> None:
        self.m = Milp()
        self.lay = Layout()
        self.cands, self.c, self.elastic, self.drop = cands, c, elastic, drop
        self.caps: list[int] = []

    def row(
        self, family: str, name: str, terms: dict[int, float], lo: float, hi: float, day: int
    ) -> None:
        """One row of ``family`` (sense 'min' if only ``lo`` is finite, else 'max')."""
        self.lay.families.add(family)
        if family in self.drop:
            return
        sense = "min" if hi == INF else "max"
        if self.elastic:
            scale = max(abs(lo if sense == "min" else hi), 1.0)
            col = self.m.add_col(f"s[{name}]", 1.0 / scale, 0.0, INF)
            self.lay.slacks.setdefault(family, []).append((day, col))
            terms = terms | {col: 1.0 if sense == "min" else -1.0}
        r = self.m.add_row(name, terms, lo, hi)
        self.lay.rows.append((r, family, day, sense))

    def total(self, nutrient: str, d: int) -> dict[int, float]:
        return {self.lay.x[f, d]: cand.per_portion[nutrient] for f, cand in enumerate(self.cands)}

    def bound(
        self,
        nutrient: str,
        lo: float | None,
        hi: float | None,
        names: tuple[str, str] | None = None,
    ) -> None:
        """Rows ``lo ≤ nutrient(d) ≤ hi`` (families ``<nutrient>_min``/``_max`` or ``names``)."""
        fam_lo, fam_hi = names or (f"{nutrient}_min", f"{nutrient}_max")
        supp = self.c.supplement_per_day(nutrient) if nutrient != "energy" else 0.0
        for d in range(self.c.days):
            if lo is not None:
                self.row(fam_lo, f"{fam_lo}[{d + 1}]", self.total(nutrient, d), lo - supp, INF, d)
            if hi is not None:
                self.row(fam_hi, f"{fam_hi}[{d + 1}]", self.total(nutrient, d), -INF, hi - supp, d)


def build_model(
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
    *,
    elastic: bool = False,
    current: dict[str, float] | None = None,
    drop: frozenset[str] = frozenset(),
    feasibility: bool = False,
    tighten: bool = True,
) -> tuple[Milp, Layout]:
    """The MILP of the plan.

    ``elastic`` adds a non-negative slack (cost 1/bound) to every family row; ``drop``
    leaves out the rows of the named families; ``feasibility`` zeroes the objective;
    ``tighten`` caps each food's daily portions by what the upper rows imply
    (:mod:`k2lab.plan.caps`; never in the elastic model).
    """
    b = _Builder(cands, c, elastic, drop)
    b.caps = (
        portion_caps(cands, c, drop)
        if tighten and not elastic
        else [cand.max_per_day for cand in cands]
    )
    m, lay, days = b.m, b.lay, range(c.days)
    current = current or {}
    grams_weight = 1e-4 if objective != Objective.CLOSEST else 1.0
    for f, cand in enumerate(cands):
        cur = current.get(cand.key, 0.0)
        if objective == Objective.COST:
            cost = (cand.price_per_portion or 0.0) + 1e-4 * cand.portion_g / 100
        elif cur > 0:
            cost = 0.0  # deviation columns carry the cost
        else:
            cost = grams_weight * cand.portion_g / 100
        if elastic or feasibility:
            cost = 1e-6 * cand.portion_g / 100 if elastic else 0.0
        for d in days:
            lay.x[f, d] = m.add_col(
                f"x[{cand.key},{d + 1}]", cost, 0.0, float(b.caps[f]), integer=True
            )
    b.bound(c.k2_form, c.k2_target_ug, c.k2_max_ug, ("k2", "k2_max"))
    if c.k1_steady_ug is not None:
        b.bound("K1", *c.k1_steady_ug, ("k1_steady_min", "k1_steady_max"))
    elif c.k1_min_ug is not None:
        b.bound("K1", c.k1_min_ug, None, ("k1", ""))
    b.bound("calcium", c.calcium_min_mg, c.calcium_max_mg)
    b.bound("energy", c.energy_min_kcal, c.energy_max_kcal)
    for nb in c.nutrient_bounds:
        b.bound(nb.nutrient, nb.min, nb.max)
    for share in c.energy_shares:
        for side, fraction, lo, hi in (
            ("min", share.min_share, 0.0, INF),
            ("max", share.max_share, -INF, 0.0),
        ):
            family = f"{share.nutrient}_share_{side}"
            for d in days:
                terms = {
                    lay.x[f, d]: share.kcal_per_g * cand.per_portion[share.nutrient]
                    - fraction * cand.per_portion["energy"]
                    for f, cand in enumerate(cands)
                }
                b.row(family, f"{family}[{d + 1}]", terms, lo, hi, d)
    for g in c.group_servings:
        members = [f for f, cand in enumerate(cands) if cand.category in g.categories]
        for d in days:
            terms = {lay.x[f, d]: cands[f].portion_g for f in members}
            if g.min_g > 0:
                b.row(
                    f"group_min:{g.group}", f"group_min[{g.group},{d + 1}]", terms, g.min_g, INF, d
                )
            if g.max_g is not None:
                b.row(
                    f"group_max:{g.group}", f"group_max[{g.group},{d + 1}]", terms, -INF, g.max_g, d
                )
    if c.anticoagulated:
        for d in days:
            b.row(
                "vka_mk7",
                f"vka_mk7[{d + 1}]",
                b.total("MK-7", d),
                -INF,
                c.vka_mk7_max_ug - c.supplement_per_day("MK-7"),
                d,
            )
    for f, cand in enumerate(cands):
        if cand.max_per_week < cand.max_per_day * c.days:
            b.row(
                "week",
                f"week[{cand.key}]",
                {lay.x[f, d]: 1.0 for d in days},
                -INF,
                cand.max_per_week,
                -1,
            )
    if c.anticoagulated and c.steady_k_range_ug is not None:
        lo = m.add_col("k_lo", 0.0, 0.0, INF)
        hi = m.add_col("k_hi", 0.0, 0.0, INF)
        for d in days:
            m.add_row(f"k_hi[{d + 1}]", b.total("K", d) | {hi: -1.0}, -INF, 0.0)
            m.add_row(f"k_lo[{d + 1}]", b.total("K", d) | {lo: -1.0}, 0.0, INF)
        b.row("steady", "k_range", {hi: 1.0, lo: -1.0}, -INF, c.steady_k_range_ug, -1)
    _variety(b, objective, current)
    _distance(b, objective, current)
    return m, lay


#: A food giving at least this fraction of the K2 target per portion is a K2 source.
K2_SOURCE_SHARE = 0.25


def varies_freely(cand: Candidate, c: PlanConstraints, current: dict[str, float]) -> bool:
    """True for foods exempt from "a food on at most N days": foods of the current diet,
    and K2 sources (a portion gives ≥ 25 % of the target: natto, which people who eat
    it eat daily, and the daily target needs)."""
    return cand.key in current or cand.per_portion[c.k2_form] >= K2_SOURCE_SHARE * c.k2_target_ug


def _variety(b: _Builder, objective: Objective, current: dict[str, float]) -> None:
    """Binary ``y[f, d]`` (food used) and the rows that count foods and days."""
    c, m, lay, cands, days = b.c, b.m, b.lay, b.cands, range(b.c.days)
    need_y = (
        c.min_foods_per_day > 1
        or c.max_days_per_food is not None
        or c.distinct_days
        or c.whole_day
        or objective == Objective.FEWEST_CHANGES
    )
    if not need_y:
        return
    fewest = objective == Objective.FEWEST_CHANGES and not b.elastic
    # Closest on whole days: a food not in the current diet also costs NEW_FOOD_COST
    # (as 30 g) per day it appears, so the plan adjusts the foods eaten before adding one.
    new_cost = (
        1.0 if fewest else NEW_FOOD_COST if objective == Objective.CLOSEST and c.whole_day else 0.0
    )
    if b.elastic:
        new_cost = 0.0
    for f, cand in enumerate(cands):
        cost = new_cost if current.get(cand.key, 0.0) <= 0 else 0.0
        for d in days:
            y = lay.y[f, d] = m.add_col(f"y[{cand.key},{d + 1}]", cost, 0.0, 1.0, integer=True)
            x = lay.x[f, d]
            m.add_row(f"link[{cand.key},{d + 1}]", {x: 1.0, y: -float(b.caps[f])}, -INF, 0.0)
            m.add_row(f"used[{cand.key},{d + 1}]", {y: 1.0, x: -1.0}, -INF, 0.0)
        if c.max_days_per_food is not None and not varies_freely(cand, c, current):
            b.row(
                "variety",
                f"variety[{cand.key}]",
                {lay.y[f, d]: 1.0 for d in days},
                -INF,
                c.max_days_per_food,
                -1,
            )
    max_foods = MAX_FOODS_PER_DAY if c.whole_day or c.distinct_days else None
    for d in days:
        count = {lay.y[f, d]: 1.0 for f in range(len(cands))}
        if c.min_foods_per_day > 1:
            b.row("min_foods", f"min_foods[{d + 1}]", count, c.min_foods_per_day, INF, d)
        if max_foods is not None:
            m.add_row(f"max_foods[{d + 1}]", count, -INF, max_foods)
    if c.distinct_days:
        big = float(_SIGNATURE_MOD * MAX_FOODS_PER_DAY + 1)
        sig = {
            d: {lay.y[f, d]: float(1 + f % _SIGNATURE_MOD) for f in range(len(cands))} for d in days
        }
        for d in days:
            for e in range(d + 1, c.days):
                z = m.add_col(f"order[{d + 1},{e + 1}]", 0.0, 0.0, 1.0, integer=True)
                diff = sig[d] | {k: -v for k, v in sig[e].items()}
                # S(d) − S(e) ≥ 1 when z = 1; S(e) − S(d) ≥ 1 when z = 0.
                b.row(
                    "distinct_days",
                    f"distinct_a[{d + 1},{e + 1}]",
                    diff | {z: -big},
                    1.0 - big,
                    INF,
                    d,
                )
                b.row(
                    "distinct_days",
                    f"distinct_b[{d + 1},{e + 1}]",
                    {k: -v for k, v in diff.items()} | {z: big},
                    1.0,
                    INF,
                    d,
                )


def _distance(b: _Builder, objective: Objective, current: dict[str, float]) -> None:
    """Distance from the current diet: grams (closest) or changed entries (fewest)."""
    m, lay, days = b.m, b.lay, range(b.c.days)
    if objective == Objective.COST:
        return
    for f, cand in enumerate(b.cands):
        cur_g = current.get(cand.key, 0.0)
        if cur_g <= 0:
            continue
        for d in days:
            x = lay.x[f, d]
            if objective == Objective.CLOSEST:
                weight = 0.0 if b.elastic else 1.0
                up = m.add_col(f"dev_up[{cand.key},{d + 1}]", weight, 0.0, INF)
                down = m.add_col(f"dev_down[{cand.key},{d + 1}]", weight, 0.0, INF)
                m.add_row(
                    f"dev[{cand.key},{d + 1}]",
                    {x: cand.portion_g / 100, up: -1.0, down: 1.0},
                    cur_g / 100,
                    cur_g / 100,
                )
            else:
                base = min(round(cur_g / cand.portion_g), cand.max_per_day)
                z = m.add_col(
                    f"z[{cand.key},{d + 1}]", 0.0 if b.elastic else 1.0, 0.0, 1.0, integer=True
                )
                big = float(cand.max_per_day + base)
                m.add_row(f"chg_up[{cand.key},{d + 1}]", {x: 1.0, z: -big}, -INF, base)
                m.add_row(f"chg_dn[{cand.key},{d + 1}]", {x: 1.0, z: big}, base, INF)


__all__ = ["K2_SOURCE_SHARE", "MAX_FOODS_PER_DAY", "Layout", "build_model", "varies_freely"]
