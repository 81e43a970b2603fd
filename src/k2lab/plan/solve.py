"""``plan_diet``: whole portions of foods for N days that meet vitamin K and calcium bounds.

Model (one integer ``x[f, d]`` = portions of candidate ``f`` on day ``d``)::

    K2 form(d)  ≥ target − supplements          (µg; total menaquinones or one MK-n)
    K1(d)       ≥ K1 reference − supplements    (µg)
    Ca(d)       ∈ [reference, UL] − supplements (mg)
    energy(d)   ∈ [min, max]                    (kcal, optional)
    x[f, d] ≤ daily limit, Σ_d x[f, d] ≤ weekly limit, optional variety rows
    anticoagulated: K(d) ∈ [k_lo, k_hi], k_hi − k_lo ≤ steady range; MK-7(d) ≤ cap

When no plan exists the same model is solved with a non-negative slack on every
nutrient row (minimising the relative slack): the slacks say which constraint binds
and by how much, and a supplement that closes a shortfall is proposed and checked.

Example
-------
>>> plan = plan_diet(db, PlanConstraints(k2_target_ug=180, pattern="vegan"))  # doctest: +SKIP
>>> plan.status                                                               # doctest: +SKIP
<PlanStatus.OK: 'ok'>
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from k2lab.foods.database import FoodDatabase
from k2lab.intake.supplements import Supplement
from k2lab.plan.milp import INF, Milp, MilpResult, SolveStatus, solve_milp
from k2lab.plan.model import Candidate, Objective, PlanConstraints, PlanError, candidate_foods

#: Nutrients reported per planned day.
DAY_NUTRIENTS = ("K1", "MK-4", "MK-7", "K2", "K", "calcium", "energy")
UNITS = {"calcium": "mg", "energy": "kcal"}


class PlanStatus(StrEnum):
    """Outcome of :func:`plan_diet`."""

    OK = "ok"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass(frozen=True)
class PlannedPortion:
    """Portions of one food on one day (day is 1-based)."""

    day: int
    food_key: str
    name: str
    portion_name: str
    portions: int
    grams: float


@dataclass(frozen=True)
class Shortfall:
    """A constraint that cannot hold: by how much (in ``unit``) on its worst day."""

    constraint: str
    amount: float
    unit: str
    days: tuple[int, ...]
    message: str


@dataclass(frozen=True)
class Diagnosis:
    """Why no plan exists and what would make one."""

    shortfalls: tuple[Shortfall, ...]
    max_k2_from_food_ug_per_day: float  # mean per day, from allowed foods within limits
    proposals: tuple[str, ...]
    proposed_supplements: tuple[Supplement, ...]
    proposal_feasible: bool | None  # re-solved with the proposed supplements


@dataclass(frozen=True)
class DietPlan:
    """A plan: status, portions per day, totals per day, and a diagnosis when infeasible."""

    status: PlanStatus
    message: str
    constraints: PlanConstraints
    objective: Objective
    items: tuple[PlannedPortion, ...]
    day_totals: tuple[dict[str, float], ...]  # per day: nutrient -> amount (incl. supplements)
    objective_value: float
    backend: str
    n_candidates: int
    solve_seconds: float
    diagnosis: Diagnosis | None = None

    @property
    def ok(self) -> bool:
        """True when the plan meets every constraint."""
        return self.status == PlanStatus.OK


@dataclass
class _Layout:
    x: dict[tuple[int, int], int]
    slacks: dict[str, list[tuple[int, int]]]  # family -> (day or -1, column)


def _per_day(cand: Candidate, nutrient: str) -> float:
    return cand.per_portion[nutrient]


def build_model(
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
    *,
    elastic: bool = False,
    current: dict[str, float] | None = None,
) -> tuple[Milp, _Layout]:
    """The MILP of the plan (``elastic`` adds slacks on every nutrient row)."""
    m = Milp()
    current = current or {}
    days = range(c.days)
    lay = _Layout({}, {})
    grams_weight = 1e-4 if objective != Objective.CLOSEST else 1.0
    for f, cand in enumerate(cands):
        cur = current.get(cand.key, 0.0)
        if objective == Objective.COST:
            cost = (cand.price_per_portion or 0.0) + 1e-4 * cand.portion_g / 100
        elif cur > 0:
            cost = 0.0  # deviation columns carry the cost
        else:
            cost = grams_weight * cand.portion_g / 100
        if elastic:
            cost = 1e-6 * cand.portion_g / 100
        for d in days:
            lay.x[f, d] = m.add_col(
                f"x[{cand.key},{d + 1}]", cost, 0.0, cand.max_per_day, integer=True
            )

    def slack(family: str, d: int, scale: float) -> dict[int, float]:
        if not elastic:
            return {}
        col = m.add_col(f"s[{family},{d + 1}]", 1.0 / max(scale, 1.0), 0.0, INF)
        lay.slacks.setdefault(family, []).append((d, col))
        return {col: 1.0}

    def neg(terms: dict[int, float]) -> dict[int, float]:
        return {k: -v for k, v in terms.items()}

    def total(nutrient: str, d: int) -> dict[int, float]:
        return {lay.x[f, d]: _per_day(cand, nutrient) for f, cand in enumerate(cands)}

    form = c.k2_form
    for d in days:
        rhs = c.k2_target_ug - c.supplement_per_day(form)
        m.add_row(f"k2[{d + 1}]", total(form, d) | slack("k2", d, c.k2_target_ug), rhs, INF)
        if c.k1_min_ug is not None:
            rhs = c.k1_min_ug - c.supplement_per_day("K1")
            m.add_row(f"k1[{d + 1}]", total("K1", d) | slack("k1", d, c.k1_min_ug), rhs, INF)
        ca_supp = c.supplement_per_day("calcium")
        if c.calcium_min_mg is not None:
            m.add_row(
                f"ca_min[{d + 1}]",
                total("calcium", d) | slack("calcium_min", d, c.calcium_min_mg),
                c.calcium_min_mg - ca_supp,
                INF,
            )
        if c.calcium_max_mg is not None:
            m.add_row(
                f"ca_max[{d + 1}]",
                total("calcium", d) | neg(slack("calcium_max", d, c.calcium_max_mg)),
                -INF,
                c.calcium_max_mg - ca_supp,
            )
        if c.energy_min_kcal is not None:
            m.add_row(
                f"energy_min[{d + 1}]",
                total("energy", d) | slack("energy_min", d, c.energy_min_kcal),
                c.energy_min_kcal,
                INF,
            )
        if c.energy_max_kcal is not None:
            m.add_row(
                f"energy_max[{d + 1}]",
                total("energy", d) | neg(slack("energy_max", d, c.energy_max_kcal)),
                -INF,
                c.energy_max_kcal,
            )
        if c.anticoagulated:
            m.add_row(
                f"vka_mk7[{d + 1}]",
                total("MK-7", d) | neg(slack("vka_mk7", d, c.vka_mk7_max_ug)),
                -INF,
                c.vka_mk7_max_ug - c.supplement_per_day("MK-7"),
            )
    for f, cand in enumerate(cands):
        if cand.max_per_week < cand.max_per_day * c.days:
            m.add_row(
                f"week[{cand.key}]", {lay.x[f, d]: 1.0 for d in days}, -INF, cand.max_per_week
            )
    if c.anticoagulated and c.steady_k_range_ug is not None:
        lo = m.add_col("k_lo", 0.0, 0.0, INF)
        hi = m.add_col("k_hi", 0.0, 0.0, INF)
        for d in days:
            m.add_row(f"k_hi[{d + 1}]", total("K", d) | {hi: -1.0}, -INF, 0.0)
            m.add_row(f"k_lo[{d + 1}]", total("K", d) | {lo: -1.0}, 0.0, INF)
        m.add_row(
            "k_range",
            {hi: 1.0, lo: -1.0} | neg(slack("steady", -1, c.steady_k_range_ug)),
            -INF,
            c.steady_k_range_ug,
        )
    need_y = (
        c.min_foods_per_day > 1
        or c.max_days_per_food is not None
        or objective == Objective.FEWEST_CHANGES
    )
    if need_y:
        y = {}
        for f, cand in enumerate(cands):
            fewest = objective == Objective.FEWEST_CHANGES and not elastic
            cost = 1.0 if fewest and current.get(cand.key, 0.0) <= 0 else 0.0
            for d in days:
                y[f, d] = m.add_col(f"y[{cand.key},{d + 1}]", cost, 0.0, 1.0, integer=True)
                m.add_row(
                    f"link[{cand.key},{d + 1}]",
                    {lay.x[f, d]: 1.0, y[f, d]: -float(cand.max_per_day)},
                    -INF,
                    0.0,
                )
                m.add_row(f"used[{cand.key},{d + 1}]", {y[f, d]: 1.0, lay.x[f, d]: -1.0}, -INF, 0.0)
            if c.max_days_per_food is not None:
                m.add_row(
                    f"variety[{cand.key}]", {y[f, d]: 1.0 for d in days}, -INF, c.max_days_per_food
                )
        if c.min_foods_per_day > 1:
            for d in days:
                m.add_row(
                    f"min_foods[{d + 1}]",
                    {y[f, d]: 1.0 for f in range(len(cands))}
                    | slack("min_foods", d, c.min_foods_per_day),
                    c.min_foods_per_day,
                    INF,
                )
    # Distance from the current diet (grams, or number of changed entries).
    for f, cand in enumerate(cands):
        cur_g = current.get(cand.key, 0.0)
        if cur_g <= 0 or objective == Objective.COST:
            continue
        for d in days:
            if objective == Objective.CLOSEST:
                weight = 0.0 if elastic else 1.0
                up = m.add_col(f"dev_up[{cand.key},{d + 1}]", weight, 0.0, INF)
                down = m.add_col(f"dev_down[{cand.key},{d + 1}]", weight, 0.0, INF)
                m.add_row(
                    f"dev[{cand.key},{d + 1}]",
                    {lay.x[f, d]: cand.portion_g / 100, up: -1.0, down: 1.0},
                    cur_g / 100,
                    cur_g / 100,
                )
            else:
                base = min(round(cur_g / cand.portion_g), cand.max_per_day)
                z = m.add_col(
                    f"z[{cand.key},{d + 1}]", 0.0 if elastic else 1.0, 0.0, 1.0, integer=True
                )
                big = float(cand.max_per_day + base)
                m.add_row(f"chg_up[{cand.key},{d + 1}]", {lay.x[f, d]: 1.0, z: -big}, -INF, base)
                m.add_row(f"chg_dn[{cand.key},{d + 1}]", {lay.x[f, d]: 1.0, z: big}, base, INF)
    return m, lay


def _day_totals(
    cands: list[Candidate], c: PlanConstraints, counts: np.ndarray
) -> tuple[dict[str, float], ...]:
    out = []
    for d in range(c.days):
        tot = {}
        for n in DAY_NUTRIENTS:
            food = float(sum(counts[f, d] * cand.per_portion[n] for f, cand in enumerate(cands)))
            tot[n] = food + (c.supplement_per_day(n) if n != "energy" else 0.0)
        out.append(tot)
    return tuple(out)


def _round_up(x: float, step: float) -> float:
    return step * math.ceil(x / step - 1e-9)


def plan_diet(
    db: FoodDatabase,
    constraints: PlanConstraints,
    objective: Objective | str = Objective.CLOSEST,
    *,
    backend: str = "highs",
    time_limit_s: float = 60.0,
    diagnose: bool = True,
) -> DietPlan:
    """Plan whole portions for ``constraints.days`` days (pure apart from reading ``db``).

    Parameters
    ----------
    db : the food database (read-only).
    constraints : what every day must meet (µg, mg, kcal per day).
    objective : 'closest' (grams from the current diet), 'fewest_changes', or 'cost'.
    backend : 'highs' (highspy) or 'cbc' (PuLP), same model.

    Returns
    -------
    DietPlan with status ``ok`` or ``infeasible`` (with a :class:`Diagnosis`), never an
    exception for an infeasible plan. Bad input raises :class:`PlanError`.
    """
    try:
        objective = Objective(objective)
    except ValueError:
        raise PlanError(
            f"Unknown objective '{objective}'. Use one of: {', '.join(o.value for o in Objective)}."
        ) from None
    c = constraints
    cands = candidate_foods(db, c)
    if objective == Objective.COST:
        cands = [x for x in cands if x.price_per_portion is not None]
        if not cands:
            raise PlanError(
                "The cost objective needs prices: give a price per 100 g for the foods you "
                "would buy (e.g. natto=0.9), or use the 'closest' objective."
            )
    if not cands:
        raise PlanError(
            "No food is left after the diet pattern and exclusions: exclude fewer groups or foods."
        )
    current = {db.resolve(k).key: g for k, g in c.current_g_per_day.items()}
    if c.days > 1 and (c.max_days_per_food is None or c.max_days_per_food >= c.days):
        shortcut = _solve_one_day(cands, c, objective, current, backend, time_limit_s)
        if shortcut is not None:
            return shortcut
    model, lay = build_model(cands, c, objective, current=current)
    res = solve_milp(model, backend, time_limit_s=time_limit_s)
    if res.status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT) and len(res.x):
        counts = _counts(res, lay, len(cands), c.days)
        return _plan_from(res, counts, cands, c, objective)
    if res.status == SolveStatus.INFEASIBLE:
        diag = _diagnose(cands, c, objective, backend, time_limit_s) if diagnose else None
        msg = "No plan meets every constraint."
        if diag is not None and diag.shortfalls:
            msg += " " + " ".join(s.message for s in diag.shortfalls)
        if diag is not None and diag.proposals:
            msg += " To make it feasible: " + "; ".join(diag.proposals) + "."
        return DietPlan(
            PlanStatus.INFEASIBLE, msg, c, objective, (), (), math.nan, res.backend,
            len(cands), res.seconds, diag,
        )  # fmt: skip
    return DietPlan(
        PlanStatus.TIME_LIMIT if res.status == SolveStatus.TIME_LIMIT else PlanStatus.ERROR,
        f"The solver stopped without a plan ({res.status.value}); raise the time limit or "
        "use fewer candidate foods.",
        c, objective, (), (), math.nan, res.backend, len(cands), res.seconds,
    )  # fmt: skip


def _counts(res: MilpResult, lay: _Layout, n_foods: int, days: int) -> np.ndarray:
    counts = np.zeros((n_foods, days), dtype=np.int64)
    for (f, d), col in lay.x.items():
        counts[f, d] = round(res.x[col])
    return counts


def _solve_one_day(
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
    current: dict[str, float],
    backend: str,
    time_limit_s: float,
) -> DietPlan | None:
    """Exact shortcut: every day has the same constraints, so solve one day and repeat it.

    The N-day model is N copies of the one-day model plus rows that link days (weekly
    limits, days per food, the steady range). The one-day optimum repeated N times is a
    lower bound of the N-day objective; identical days always keep the steady range, so
    if the repeated day also keeps the weekly limits (and every food may appear on every
    day) it is an optimal N-day plan. Otherwise (or if one day is infeasible) return
    None and solve the full model.
    """
    one = replace(c, days=1)
    model, lay = build_model(cands, one, objective, current=current)
    res = solve_milp(model, backend, time_limit_s=time_limit_s)
    if res.status != SolveStatus.OPTIMAL or not len(res.x):
        return None
    day = _counts(res, lay, len(cands), 1)[:, 0]
    if any(day[f] * c.days > cand.max_per_week for f, cand in enumerate(cands)):
        return None
    counts = np.repeat(day[:, None], c.days, axis=1)
    repeated = MilpResult(res.status, res.x, res.objective * c.days, res.seconds, res.backend)
    return _plan_from(repeated, counts, cands, c, objective)


def _plan_from(
    res: MilpResult,
    counts: np.ndarray,
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
) -> DietPlan:
    items = tuple(
        PlannedPortion(
            d + 1,
            cand.key,
            cand.name,
            cand.portion_name,
            int(counts[f, d]),
            float(counts[f, d] * cand.portion_g),
        )
        for d in range(c.days)
        for f, cand in enumerate(cands)
        if counts[f, d] > 0
    )
    totals = _day_totals(cands, c, counts)
    status = PlanStatus.OK if res.status == SolveStatus.OPTIMAL else PlanStatus.TIME_LIMIT
    k2 = [t[c.k2_form] for t in totals]
    msg = (
        f"{c.days}-day plan: {c.k2_form} {min(k2):.0f}–{max(k2):.0f} µg/day "
        f"(target {c.k2_target_ug:g}), from {len({i.food_key for i in items})} foods."
    )
    if status == PlanStatus.TIME_LIMIT:
        msg += " The solver hit its time limit: the plan meets every constraint but may not be the best."
    return DietPlan(
        status,
        msg,
        c,
        objective,
        items,
        totals,
        res.objective,
        res.backend,
        len(cands),
        res.seconds,
    )


_SHOW = {"ug": "µg"}
_LABELS = {
    "k2": ("K2 target", "ug"),
    "k1": ("K1 reference", "ug"),
    "calcium_min": ("calcium reference", "mg"),
    "calcium_max": ("calcium upper limit", "mg"),
    "energy_min": ("energy minimum", "kcal"),
    "energy_max": ("energy budget", "kcal"),
    "vka_mk7": ("MK-7 cap with a vitamin K antagonist", "ug"),
    "steady": ("day-to-day vitamin K range", "ug"),
    "min_foods": ("minimum number of foods per day", "foods"),
}


def max_k2_from_food(cands: list[Candidate], c: PlanConstraints) -> float:
    """Mean µg/day of the target form reachable from the candidates within portion limits."""
    best = sum(
        cand.per_portion[c.k2_form] * min(cand.max_per_day * c.days, cand.max_per_week)
        for cand in cands
    )
    return best / c.days


def _diagnose(
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
    backend: str,
    time_limit_s: float,
) -> Diagnosis:
    model, lay = build_model(cands, c, objective, elastic=True)
    res = solve_milp(model, backend, time_limit_s=time_limit_s)
    reachable = max_k2_from_food(cands, c)
    if not len(res.x):
        return Diagnosis((), reachable, ("relax the portion limits or variety rules",), (), None)
    shortfalls = []
    proposals: list[str] = []
    supplements: list[Supplement] = []
    for family, cols in lay.slacks.items():
        vals = [(d, res.x[col]) for d, col in cols]
        worst = float(max(v for _, v in vals))
        if worst <= 1e-6:
            continue
        label, unit = _LABELS[family]
        days = tuple(d + 1 for d, v in vals if v > 1e-6 and d >= 0)
        verb = (
            "exceeds" if family in ("calcium_max", "energy_max", "vka_mk7", "steady") else "misses"
        )
        shortfalls.append(
            Shortfall(
                family,
                round(worst, 2),
                unit,
                days,
                f"The best plan {verb} the {label} by {worst:,.1f} {_SHOW.get(unit, unit)}/day"
                + (f" (on {len(days)} of {c.days} days)." if days else "."),
            )
        )
        if family == "k2":
            if c.anticoagulated:
                proposals.append(
                    "with a vitamin K antagonist do not add MK-7 or natto; lower the K2 target "
                    f"by {worst:.0f} µg or discuss a DOAC or a supervised plan with your doctor"
                )
            else:
                dose = _round_up(worst, 5.0)
                form = "MK-7" if c.k2_form in ("K2", "MK-7") else c.k2_form
                proposals.append(
                    f"add {form} {dose:g} µg/day as a supplement (food within the limits "
                    f"reaches at most {reachable:.0f} µg/day of {c.k2_form} on average)"
                )
                supplements.append(Supplement(form, dose, "ug", f"{form} {dose:g} ug"))
        elif family == "k1":
            dose = _round_up(worst, 5.0)
            proposals.append(
                f"add {dose:g} µg/day of K1 (leafy greens beyond the portion limits, or a K1 "
                "supplement)"
            )
            supplements.append(Supplement("K1", dose, "ug", f"K1 {dose:g} ug"))
        elif family == "calcium_min":
            dose = _round_up(worst, 50.0)
            proposals.append(f"add calcium {dose:g} mg/day (a supplement or fortified foods)")
            supplements.append(Supplement("calcium", dose, "mg", f"calcium {dose:g} mg"))
        elif family == "calcium_max":
            proposals.append(
                f"lower the calcium supplement by at least {_round_up(worst, 50.0):g} mg/day"
            )
        elif family == "energy_max":
            proposals.append(f"raise the energy budget by {_round_up(worst, 10.0):g} kcal/day")
        elif family == "energy_min":
            proposals.append(f"lower the energy minimum by {_round_up(worst, 10.0):g} kcal/day")
        elif family == "vka_mk7":
            proposals.append("stop MK-7 supplements while taking a vitamin K antagonist")
        elif family == "steady":
            proposals.append(f"allow {_round_up(worst, 5.0):g} µg more day-to-day vitamin K range")
        elif family == "min_foods":
            proposals.append("ask for fewer foods per day or exclude fewer foods")
    feasible: bool | None = None
    if supplements:
        merged = list(c.supplements) + supplements
        trial = replace(c, supplements=tuple(merged))
        m2, _ = build_model(cands, trial, objective)
        feasible = solve_milp(m2, backend, time_limit_s=time_limit_s).status in (
            SolveStatus.OPTIMAL,
            SolveStatus.TIME_LIMIT,
        )
    return Diagnosis(tuple(shortfalls), reachable, tuple(proposals), tuple(supplements), feasible)


__all__ = [
    "DAY_NUTRIENTS",
    "Diagnosis",
    "DietPlan",
    "PlanStatus",
    "PlannedPortion",
    "Shortfall",
    "build_model",
    "max_k2_from_food",
    "plan_diet",
]
