"""A plan as plain values (units in field names) for ``--json``, the report and the web.

Pure: takes a :class:`~k2lab.plan.solve.DietPlan` and returns dictionaries.
"""

from __future__ import annotations

import math
from typing import Any

from k2lab.foods.nutrients import NUTRIENTS, field_name
from k2lab.plan.solve import DietPlan


def _round(x: float) -> float | None:
    return None if not math.isfinite(x) else round(x, 4)


def plan_json(plan: DietPlan) -> dict[str, Any]:
    """A plan: status, portions and totals by day, binding constraints, the K2 note, the
    diff against the current diet, and the diagnosis when infeasible."""
    c = plan.constraints
    body: dict[str, Any] = {
        "status": plan.status.value,
        "message": plan.message,
        "objective": plan.objective.value,
        "backend": plan.backend,
        "candidate_foods": plan.n_candidates,
        "solve_seconds": round(plan.solve_seconds, 3),
        "mip_gap": _round(plan.mip_gap),
        "constraints": {
            "days": c.days,
            "whole_day": c.whole_day,
            "k2_form": c.k2_form,
            "k2_target_ug_per_day": c.k2_target_ug,
            "k2_max_ug_per_day": c.k2_max_ug,
            "k1_min_ug_per_day": c.k1_min_ug,
            "calcium_min_mg_per_day": c.calcium_min_mg,
            "calcium_max_mg_per_day": c.calcium_max_mg,
            "energy_min_kcal_per_day": c.energy_min_kcal,
            "energy_max_kcal_per_day": c.energy_max_kcal,
            "nutrients": [
                {
                    "nutrient": b.nutrient,
                    "min_per_day": b.min,
                    "max_per_day": b.max,
                    "unit": field_name(b.nutrient).rsplit("_", 1)[1],
                    "authority": b.authority,
                    "kinds": b.kinds,
                    "source_key": b.source_key,
                }
                for b in c.nutrient_bounds
            ],
            "energy_shares": [
                {
                    "nutrient": s.nutrient,
                    "min_percent": round(100 * s.min_share, 2),
                    "max_percent": round(100 * s.max_share, 2),
                    "source_key": s.source_key,
                }
                for s in c.energy_shares
            ],
            "food_groups": [
                {
                    "group": g.group,
                    "min_g_per_day": g.min_g,
                    "max_g_per_day": g.max_g,
                    "source_key": g.source_key,
                }
                for g in c.group_servings
            ],
            "max_days_per_food": c.max_days_per_food,
            "distinct_days": c.distinct_days,
            "pattern": c.pattern,
            "exclude_groups": sorted(c.exclude_groups),
            "exclude_foods": sorted(c.exclude_foods),
            "steady_k_range_ug": c.steady_k_range_ug,
            "k1_steady_ug_per_day": list(c.k1_steady_ug) if c.k1_steady_ug else None,
            "supplements": [s.text for s in c.supplements],
        },
        "days": [
            {
                "day": d + 1,
                "foods": [
                    {
                        "food_key": i.food_key,
                        "name": i.name,
                        "portion": i.portion_name,
                        "portions": i.portions,
                        "grams": round(i.grams, 1),
                    }
                    for i in plan.items
                    if i.day == d + 1
                ],
                "k1_ug": round(t["K1"], 1),
                "mk4_ug": round(t["MK-4"], 1),
                "mk7_ug": round(t["MK-7"], 1),
                "k2_total_ug": round(t["K2"], 1),
                "k_total_ug": round(t["K"], 1),
                **{
                    field_name(n): round(t[n], 2)
                    for n in NUTRIENTS
                    if n not in ("K1", "MK-4", "MK-7")
                },
            }
            for d, t in enumerate(plan.day_totals)
        ],
        "binding": [
            {
                "constraint": b.constraint,
                "label": b.label,
                "bound": round(b.bound, 2),
                "unit": b.unit,
                "days": list(b.days),
            }
            for b in plan.binding
        ],
        "k2_note": plan.k2_note,
        "changes": [
            {
                "kind": ch.kind,
                "food": ch.name,
                "replaces": ch.other,
                "grams_per_day": round(ch.grams, 1),
                "days": list(ch.days),
                "text": ch.text(),
            }
            for ch in plan.changes
        ],
        "objective_value": _round(plan.objective_value),
    }
    if plan.diagnosis is not None:
        dg = plan.diagnosis
        body["diagnosis"] = {
            "relax": list(dg.relax),
            "relax_labels": list(dg.relax_labels),
            "binding": [
                {
                    "constraint": s.constraint,
                    "short_by": s.amount,
                    "unit": f"{s.unit}/day",
                    "days": list(s.days),
                    "message": s.message,
                }
                for s in dg.shortfalls
            ],
            "max_k2_from_food_ug_per_day": round(dg.max_k2_from_food_ug_per_day, 2),
            "proposals": list(dg.proposals),
            "proposed_supplements": [s.text for s in dg.proposed_supplements],
            "feasible_with_proposal": dg.proposal_feasible,
        }
    return body


__all__ = ["plan_json"]
