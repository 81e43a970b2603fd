"""Why a plan is what it is: binding constraints, and for no plan the smallest set to relax.

Binding: a family row whose activity is at its bound (within 0.5 %) in the chosen plan.
Infeasible: (1) the elastic model (a slack on every family row, minimising relative
slack) says by how much each constraint misses and proposes supplements that close
the gaps; (2) a deletion filter over constraint *families* finds an irreducible
infeasible set: drop one family at a time and keep it out if the rest stays infeasible;
what remains cannot all hold, and relaxing any one of them makes a plan (for the model
it was run on: one day when one day is already infeasible, else every day).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from k2lab.foods.nutrients import NUTRIENT_UNITS
from k2lab.intake.supplements import Supplement
from k2lab.plan.candidates import Candidate
from k2lab.plan.formulation import Layout, build_model
from k2lab.plan.milp import Milp, SolveStatus, solve_milp
from k2lab.plan.model import Objective, PlanConstraints

#: A row counts as binding within this fraction of its bound.
BINDING_TOL = 5e-3
_SHOW = {"ug": "µg"}
#: Families of supplements the diagnosis may propose: family -> (nutrient, unit, step).
_SUPPLEMENT = {
    "k1": ("K1", "ug", 5.0),
    "calcium_min": ("calcium", "mg", 50.0),
    "vitamin_d_min": ("vitamin_d", "ug", 5.0),
}


@dataclass(frozen=True)
class Binding:
    """A constraint at its bound in the plan: family, label, bound and the days it binds."""

    constraint: str
    label: str
    bound: float
    unit: str
    days: tuple[int, ...]


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
    relax: tuple[str, ...] = ()  # an irreducible infeasible set of constraint families
    relax_labels: tuple[str, ...] = ()


def label(family: str, c: PlanConstraints) -> tuple[str, str]:
    """A readable name and the unit of a constraint family."""
    fixed = {
        "k2": (f"{c.k2_form} target", "ug"),
        "k2_max": (f"{c.k2_form} upper band", "ug"),
        "k1": ("K1 reference", "ug"),
        "k1_steady_min": ("steady K1 band (low end)", "ug"),
        "k1_steady_max": ("steady K1 band (high end)", "ug"),
        "vka_mk7": ("MK-7 cap with a vitamin K antagonist", "ug"),
        "steady": ("day-to-day vitamin K range", "ug"),
        "min_foods": ("minimum number of foods per day", "foods"),
        "variety": (f"a food on at most {c.max_days_per_food} days", "days"),
        "distinct_days": ("no two identical days", ""),
        "week": ("weekly portion limits", "portions"),
    }
    if family in fixed:
        return fixed[family]
    if family.startswith(("group_min:", "group_max:")):
        side, group = family.split(":", 1)
        return f"{group} {'minimum' if side == 'group_min' else 'maximum'} (grams a day)", "g"
    base, _, side = family.rpartition("_")
    if base.endswith("_share"):
        nutrient = base.removesuffix("_share")
        return f"{nutrient} share of energy ({'low' if side == 'min' else 'high'} end)", "%"
    kind = {"min": "minimum", "max": "maximum"}.get(side, side)
    names = {"energy": ("energy", "kcal"), "calcium": ("calcium", "mg")}
    name, unit = names.get(base, (base.replace("_", " "), NUTRIENT_UNITS.get(base, "")))
    return f"{name} {kind}", unit


def _activity(m: Milp, x: NDArray[np.float64]) -> NDArray[np.float64]:
    act = np.zeros(len(m.row_names))
    np.add.at(act, np.asarray(m.a_row, dtype=np.int64), np.asarray(m.a_val) * x[m.a_col])
    return act


def binding(
    m: Milp, lay: Layout, x: NDArray[np.float64], c: PlanConstraints
) -> tuple[Binding, ...]:
    """The family rows at their bound in solution ``x`` (one entry per family)."""
    act = _activity(m, x)
    days: dict[str, list[int]] = {}
    bounds: dict[str, float] = {}
    for r, family, d, sense in lay.rows:
        bound = m.row_lo[r] if sense == "min" else m.row_hi[r]
        if abs(act[r] - bound) <= BINDING_TOL * max(abs(bound), 1.0):
            days.setdefault(family, [])
            if d >= 0:
                days[family].append(d + 1)
            bounds[family] = _shown_bound(family, c, bound)
    out = []
    for family, ds in days.items():
        text, unit = label(family, c)
        out.append(Binding(family, text, bounds[family], unit, tuple(sorted(set(ds)))))
    return tuple(out)


def _shown_bound(family: str, c: PlanConstraints, row_bound: float) -> float:
    """The bound as the user set it (supplements added back; shares in %)."""
    if "_share_" in family:
        share = next(s for s in c.energy_shares if family.startswith(s.nutrient + "_"))
        return 100.0 * (share.min_share if family.endswith("_min") else share.max_share)
    nutrient = {"k2": c.k2_form, "k2_max": c.k2_form, "k1": "K1"}.get(
        family, family.rpartition("_")[0]
    )
    if family.startswith("k1_steady"):
        nutrient = "K1"
    if nutrient in NUTRIENT_UNITS or nutrient in ("K2", "K"):
        return row_bound + (c.supplement_per_day(nutrient) if nutrient != "energy" else 0.0)
    return row_bound


def max_k2_from_food(cands: list[Candidate], c: PlanConstraints) -> float:
    """Mean µg/day of the target form reachable from the candidates within portion limits."""
    best = sum(
        cand.per_portion[c.k2_form] * min(cand.max_per_day * c.days, cand.max_per_week)
        for cand in cands
    )
    return best / c.days


def _round_up(x: float, step: float) -> float:
    return step * math.ceil(x / step - 1e-9)


def _feasible(
    cands: list[Candidate], c: PlanConstraints, drop: frozenset[str], backend: str, limit: float
) -> bool:
    m, _ = build_model(cands, c, Objective.CLOSEST, drop=drop, feasibility=True)
    return solve_milp(m, backend, time_limit_s=limit).status != SolveStatus.INFEASIBLE


def irreducible_infeasible_set(
    cands: list[Candidate], c: PlanConstraints, backend: str = "highs", time_limit_s: float = 20.0
) -> tuple[str, ...]:
    """An irreducible infeasible set of constraint families (deletion filter).

    Runs on one day when one day alone is infeasible (cheaper, and the day's rows are the
    same every day), else on every day. Empty if the model is feasible.
    """
    one = replace(c, days=1, max_days_per_food=None, distinct_days=False)
    model_c = (
        one if c.days > 1 and not _feasible(cands, one, frozenset(), backend, time_limit_s) else c
    )
    _, lay = build_model(cands, model_c, Objective.CLOSEST)
    families = sorted(lay.families)
    if _feasible(cands, model_c, frozenset(), backend, time_limit_s):
        return ()
    dropped: set[str] = set()
    for family in families:
        trial = frozenset(dropped | {family})
        if not _feasible(cands, model_c, trial, backend, time_limit_s):
            dropped.add(family)
    return tuple(f for f in families if f not in dropped)


def diagnose(
    cands: list[Candidate],
    c: PlanConstraints,
    objective: Objective,
    backend: str,
    time_limit_s: float,
) -> Diagnosis:
    """Shortfalls (elastic model), proposals, and an irreducible infeasible set."""
    model, lay = build_model(cands, c, objective, elastic=True)
    res = solve_milp(model, backend, time_limit_s=time_limit_s)
    reachable = max_k2_from_food(cands, c)
    relax = irreducible_infeasible_set(cands, c, backend, min(time_limit_s, 20.0))
    relax_labels = tuple(label(f, c)[0] for f in relax)
    if not len(res.x):
        return Diagnosis(
            (),
            reachable,
            ("relax the portion limits or variety rules",),
            (),
            None,
            relax,
            relax_labels,
        )
    shortfalls = []
    proposals: list[str] = []
    supplements: list[Supplement] = []
    for family, cols in lay.slacks.items():
        vals = [(d, res.x[col]) for d, col in cols]
        worst = float(max(v for _, v in vals))
        if worst <= 1e-6:
            continue
        text, unit = label(family, c)
        days = tuple(sorted({d + 1 for d, v in vals if v > 1e-6 and d >= 0}))
        upper = family.endswith("_max") or family.startswith("group_max:")
        upper = upper or family in ("vka_mk7", "steady", "variety", "week")
        verb = "exceeds" if upper else "misses"
        shortfalls.append(
            Shortfall(
                family,
                round(worst, 2),
                unit,
                days,
                f"The best plan {verb} the {text} by {worst:,.1f} {_SHOW.get(unit, unit)}"
                + (f" (on {len(days)} of {c.days} days)." if days else "."),
            )
        )
        proposal, supplement = _proposal(family, worst, c, reachable, text, unit)
        proposals.append(proposal)
        if supplement is not None:
            supplements.append(supplement)
    feasible: bool | None = None
    if supplements:
        trial = replace(c, supplements=(*c.supplements, *supplements))
        m2, _ = build_model(cands, trial, objective)
        feasible = solve_milp(m2, backend, time_limit_s=time_limit_s).status in (
            SolveStatus.OPTIMAL,
            SolveStatus.TIME_LIMIT,
        )
    return Diagnosis(
        tuple(shortfalls),
        reachable,
        tuple(proposals),
        tuple(supplements),
        feasible,
        relax,
        relax_labels,
    )


def _proposal(
    family: str, worst: float, c: PlanConstraints, reachable: float, text: str, unit: str
) -> tuple[str, Supplement | None]:
    if family == "k2":
        if c.anticoagulated:
            return (
                "with a vitamin K antagonist do not add MK-7 or natto; lower the K2 target "
                f"by {worst:.0f} µg or discuss a DOAC or a supervised plan with your doctor",
                None,
            )
        dose = _round_up(worst, 5.0)
        form = "MK-7" if c.k2_form in ("K2", "MK-7") else c.k2_form
        return (
            f"add {form} {dose:g} µg/day as a supplement (food within the limits reaches at "
            f"most {reachable:.0f} µg/day of {c.k2_form} on average)",
            Supplement(form, dose, "ug", f"{form} {dose:g} ug"),
        )
    if family in _SUPPLEMENT:
        nutrient, u, step = _SUPPLEMENT[family]
        dose = _round_up(worst, step)
        name = {"K1": "K1", "calcium": "calcium", "vitamin_d": "D3"}[nutrient]
        return (
            f"add {name} {dose:g} {_SHOW.get(u, u)}/day (a supplement or fortified foods)",
            Supplement(nutrient, dose, u, f"{name} {dose:g} {u}"),
        )
    shown = f"{_round_up(worst, 1.0):g} {_SHOW.get(unit, unit)}".strip()
    if family == "calcium_max":
        return f"lower the calcium supplement by at least {_round_up(worst, 50.0):g} mg/day", None
    if family == "vka_mk7":
        return "stop MK-7 supplements while taking a vitamin K antagonist", None
    if (
        family.endswith("_max")
        or family.startswith("group_max:")
        or family
        in (
            "steady",
            "variety",
            "week",
        )
    ):
        return f"raise the {text} by {shown}", None
    return f"lower the {text} by {shown} (or add foods rich in it)", None


__all__ = [
    "BINDING_TOL",
    "Binding",
    "Diagnosis",
    "Shortfall",
    "binding",
    "diagnose",
    "irreducible_infeasible_set",
    "label",
    "max_k2_from_food",
]
