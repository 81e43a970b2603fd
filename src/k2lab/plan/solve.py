"""``plan_diet``: whole portions of foods for N days, from the MILP of
:mod:`k2lab.plan.formulation`, with the binding constraints, a note on the K2, the diff
against the current diet, and a diagnosis when no plan exists (:mod:`k2lab.plan.explain`).

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

from k2lab import checks
from k2lab.foods.database import FoodDatabase
from k2lab.plan.candidates import Candidate, candidate_foods
from k2lab.plan.diff import Change, diary_changes
from k2lab.plan.explain import Binding, Diagnosis, binding, diagnose
from k2lab.plan.formulation import Layout, build_model, varies_freely
from k2lab.plan.milp import INF, MIP_REL_GAP, MilpResult, SolveStatus, solve_milp
from k2lab.plan.model import (
    TRACKED,
    Objective,
    PlanConstraints,
    PlanError,
)

#: Relative MIP gap of whole-day plans (2 %: the objective is grams or changes, and a
#: plan within 2 % of the best is as good a plan).
WHOLE_DAY_GAP = 2e-2
#: Absolute gap of whole-day plans: two new foods' cost (objective units).
WHOLE_DAY_ABS_GAP = 0.6
#: Seconds per day of a day-by-day plan: the solver keeps its best plan so far (the
#: LP bound of fixed-cost rows is weak, so proving the last few percent takes long).
DAY_TIME_LIMIT_S = 5.0
#: Nutrients reported per planned day (every tracked nutrient, with supplements).
DAY_NUTRIENTS = TRACKED


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
    binding: tuple[Binding, ...] = ()
    k2_note: str = ""
    changes: tuple[Change, ...] = ()
    mip_gap: float = math.nan

    @property
    def ok(self) -> bool:
        """True when the plan meets every constraint."""
        return self.status == PlanStatus.OK


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


def plan_diet(
    db: FoodDatabase,
    constraints: PlanConstraints,
    objective: Objective | str = Objective.CLOSEST,
    *,
    backend: str = "highs",
    time_limit_s: float = 60.0,
    with_diagnosis: bool = True,
    week_model: bool = False,
) -> DietPlan:
    """Plan whole portions for ``constraints.days`` days (pure apart from reading ``db``).

    Parameters
    ----------
    db : the food database (read-only).
    constraints : what every day must meet (µg, mg, kcal per day).
    objective : 'closest' (grams from the current diet), 'fewest_changes', or 'cost'.
    backend : 'highs' (highspy) or 'cbc' (PuLP), same model.
    week_model : whole days are planned one day after another (each day a MILP that
        keeps the weekly limits, the days per food and distinct days against the days
        before it; the whole week as one MILP if that sequence gets stuck); True solves
        the week as one MILP from the start (slower; the benchmark compares both).

    Returns
    -------
    DietPlan with status ``ok`` or ``infeasible`` (with a :class:`Diagnosis`), never an
    exception for an infeasible plan. Bad input raises :class:`PlanError`.
    """
    objective = Objective(checks.choice(objective, Objective, "objective", error=PlanError))
    checks.instance(db, FoodDatabase, "db", error=PlanError)
    c = checks.instance(constraints, PlanConstraints, "constraints", error=PlanError)
    checks.number(time_limit_s, "time_limit_s", low=0.001, error=PlanError, hint="Seconds.")
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
    gap = WHOLE_DAY_GAP if c.whole_day else MIP_REL_GAP
    unlinked = c.max_days_per_food is None or c.max_days_per_food >= c.days
    if c.days > 1 and unlinked and not c.distinct_days:
        shortcut = _solve_one_day(cands, c, objective, current, backend, time_limit_s, gap)
        if shortcut is not None:
            return shortcut
    if c.days > 1 and c.whole_day and not week_model:
        by_day = _solve_by_day(cands, c, objective, current, backend, time_limit_s, gap)
        if by_day is not None:
            return by_day
    model, lay = build_model(cands, c, objective, current=current)
    res = solve_milp(model, backend, time_limit_s=time_limit_s, gap=gap)
    if res.status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT) and len(res.x):
        counts = _counts(res, lay, len(cands), c.days)
        return _plan_from(res, counts, cands, c, objective, binding(model, lay, res.x, c))
    if res.status == SolveStatus.INFEASIBLE:
        diag = diagnose(cands, c, objective, backend, time_limit_s) if with_diagnosis else None
        msg = "No plan meets every constraint."
        if diag is not None and diag.relax_labels:
            msg += " These cannot all hold: " + "; ".join(diag.relax_labels) + "."
        if diag is not None and diag.shortfalls:
            msg += " " + " ".join(s.message for s in diag.shortfalls)
        if diag is not None and diag.proposals:
            msg += " To make it feasible: " + "; ".join(diag.proposals) + "."
        return DietPlan(
            PlanStatus.INFEASIBLE,
            msg,
            c,
            objective,
            (),
            (),
            math.nan,
            res.backend,
            len(cands),
            res.seconds,
            diag,
        )
    return DietPlan(
        PlanStatus.TIME_LIMIT if res.status == SolveStatus.TIME_LIMIT else PlanStatus.ERROR,
        f"The solver stopped without a plan ({res.status.value}); raise the time limit or "
        "use fewer candidate foods.",
        c,
        objective,
        (),
        (),
        math.nan,
        res.backend,
        len(cands),
        res.seconds,
    )


def _counts(res: MilpResult, lay: Layout, n_foods: int, days: int) -> np.ndarray:
    counts = np.zeros((n_foods, days), dtype=np.int64)
    for (f, d), col in lay.x.items():
        counts[f, d] = round(res.x[col])
    return counts


def _solve_by_day(
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
    current: dict[str, float],
    backend: str,
    time_limit_s: float,
    gap: float,
) -> DietPlan | None:
    """Whole days one after another; None if a day has no plan given the days before.

    Day d is the one-day model with each food's portions capped by what its weekly limit
    leaves, foods already on ``max_days_per_food`` days removed (foods of the current
    diet and K2 sources excepted), and one no-good row per earlier day (``Σ_{f∉S} y_f − Σ_{f∈S} y_f ≥
    1 − |S|``: not exactly the foods of day S). Every constraint of the week holds; the
    week's objective is the sum of the days' (a sequence, not the week's optimum).
    """
    one = replace(c, days=1, max_days_per_food=None, distinct_days=False)
    n = len(cands)
    counts = np.zeros((n, c.days), dtype=np.int64)
    binds: dict[str, Binding] = {}
    objective_total, seconds, worst_gap = 0.0, 0.0, 0.0
    for d in range(c.days):
        model, lay = build_model(cands, one, objective, current=current)
        for f, cand in enumerate(cands):
            left = cand.max_per_week - int(counts[f, :d].sum())
            on_days = int((counts[f, :d] > 0).sum())
            full = c.max_days_per_food is not None and on_days >= c.max_days_per_food
            col = lay.x[f, 0]
            model.col_hi[col] = (
                0.0
                if full and not varies_freely(cand, c, current)
                else min(model.col_hi[col], float(max(left, 0)))
            )
        if c.distinct_days:
            for e in range(d):
                day_set = {f for f in range(n) if counts[f, e] > 0}
                terms = {lay.y[f, 0]: (-1.0 if f in day_set else 1.0) for f in range(n)}
                model.add_row(f"not_day[{e + 1}]", terms, 1.0 - len(day_set), INF)
        limit = min(time_limit_s, DAY_TIME_LIMIT_S)
        res = solve_milp(model, backend, time_limit_s=limit, gap=gap, abs_gap=WHOLE_DAY_ABS_GAP)
        if res.status not in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT) or not len(res.x):
            return None
        counts[:, d] = _counts(res, lay, n, 1)[:, 0]
        objective_total += res.objective
        seconds += res.seconds
        # A day whose backend does not report its gap makes the week's gap unknown (nan).
        worst_gap = math.nan if math.isnan(res.gap + worst_gap) else max(worst_gap, res.gap)
        for b in binding(model, lay, res.x, one):
            old = binds.get(b.constraint)
            days = (*old.days, d + 1) if old else ((d + 1,) if b.days else ())
            binds[b.constraint] = replace(b, days=days)
    week = MilpResult(
        SolveStatus.OPTIMAL, np.zeros(0), objective_total, seconds, backend, worst_gap
    )
    return _plan_from(week, counts, cands, c, objective, tuple(binds.values()))


def _solve_one_day(
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
    current: dict[str, float],
    backend: str,
    time_limit_s: float,
    gap: float,
) -> DietPlan | None:
    """Exact shortcut: every day has the same constraints, so solve one day and repeat it.

    The N-day model is N copies of the one-day model plus rows that link days (weekly
    limits, days per food, the steady range). The one-day optimum repeated N times is a
    lower bound of the N-day objective; identical days always keep the steady range, so
    if the repeated day also keeps the weekly limits (and every food may appear on every
    day) it is an optimal N-day plan. Otherwise (or if one day is infeasible) return
    None and solve the full model.
    """
    one = replace(c, days=1, max_days_per_food=None)
    model, lay = build_model(cands, one, objective, current=current)
    res = solve_milp(model, backend, time_limit_s=time_limit_s, gap=gap)
    if res.status != SolveStatus.OPTIMAL or not len(res.x):
        return None
    day = _counts(res, lay, len(cands), 1)[:, 0]
    if any(day[f] * c.days > cand.max_per_week for f, cand in enumerate(cands)):
        return None
    counts = np.repeat(day[:, None], c.days, axis=1)
    repeated = replace(res, objective=res.objective * c.days)
    every_day = tuple(range(1, c.days + 1))
    binds = tuple(
        replace(b, days=every_day if b.days else ()) for b in binding(model, lay, res.x, one)
    )
    return _plan_from(repeated, counts, cands, c, objective, binds)


def _plan_from(
    res: MilpResult,
    counts: np.ndarray,
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
    binds: tuple[Binding, ...],
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
    changes = diary_changes(items, c, {x.key: x for x in cands})
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
        None,
        binds,
        _k2_note(items, totals, c, binds, cands),
        changes,
        res.gap,
    )


def per_portion_of(name: str, items: tuple[PlannedPortion, ...], per: dict[str, float]) -> float:
    """µg of the K2 form in one portion of the planned food called ``name``."""
    return max((per[i.food_key] for i in items if i.name == name), default=0.0)


def _k2_note(
    items: tuple[PlannedPortion, ...],
    totals: tuple[dict[str, float], ...],
    c: PlanConstraints,
    binds: tuple[Binding, ...],
    cands: list[Candidate],
) -> str:
    """Why the K2 is where it is: at the target, at the band's top, or carried by foods
    chosen for other constraints (naming the food that gives most of it)."""
    form = c.k2_form
    mean = sum(t[form] for t in totals) / len(totals)
    per = {x.key: x.per_portion[form] for x in cands}
    by_food: dict[str, float] = {}
    for i in items:
        by_food[i.name] = by_food.get(i.name, 0.0) + i.portions * per[i.food_key]
    top = max(by_food, key=lambda k: by_food[k]) if by_food else ""
    share = by_food.get(top, 0.0) / max(sum(by_food.values()), 1e-9)
    source = f"; {share:.0%} of it from {top}" if top and by_food[top] > 0 else ""
    families = {b.constraint for b in binds}
    if "k2" in families:
        why = f"at the target ({c.k2_target_ug:g} µg) on the binding days: no more {form}-rich food than the target needs"
    elif "k2_max" in families:
        why = f"at the top of its band ({c.k2_max_ug:g} µg): the foods other constraints need carry more"
    elif top and 0 < mean - c.k2_target_ug < per_portion_of(top, items, per):
        why = f"above the target because portions are whole (one portion of {top} is more than the excess)"
    else:
        others = ", ".join(b.label for b in binds if not b.constraint.startswith("k2"))
        why = "above the target because the foods chosen for the other constraints carry it"
        if others:
            why += f" (binding: {others})"
    return f"{form} averages {mean:.0f} µg/day, {why}{source}."


__all__ = [
    "DAY_NUTRIENTS",
    "DietPlan",
    "PlanStatus",
    "PlannedPortion",
    "plan_diet",
]
