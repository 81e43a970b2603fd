"""Advice and plans as plain values (units in field names) for ``--json`` and the report.

Pure: takes computed advice and plans and returns dictionaries.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from k2lab.advice.evidence import cite, claim
from k2lab.advice.rules import Advice, Severity
from k2lab.foods.database import Food, FoodDatabase
from k2lab.plan.solve import DietPlan

#: Foods advice messages may suggest (filtered by the person's diet and soy allergy).
SUGGESTION_FOODS = ("natto", "gouda", "egg_yolk", "spinach_raw", "kale_raw", "broccoli_raw")


def suggestion_foods(db: FoodDatabase) -> list[Food]:
    """The foods advice messages may suggest, from ``db``."""
    keys = set(db.keys)
    return [db.get(k) for k in SUGGESTION_FOODS if k in keys]


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 2)


def advice_json(items: Sequence[Advice]) -> list[dict[str, Any]]:
    """Each advice with its numbers, evidence grade, sources and the claims it uses."""
    return [
        {
            "rule_id": a.rule_id,
            "severity": a.severity.label,
            "message": a.message,
            "numbers": a.numbers,
            "evidence_grade": a.evidence_grade,
            "source_keys": list(a.source_keys),
            "claims": [
                {"claim_id": c, "claim": claim(c).claim, "grade": claim(c).grade} for c in a.claims
            ],
        }
        for a in items
    ]


def suggested_change(items: Sequence[Advice]) -> dict[str, Any]:
    """The one change to make first: the most severe advice (K2 gap advice if only info)."""
    if not items:
        return {"rule_id": None, "severity": None, "change": "No change suggested."}
    ranked = sorted(
        items,
        key=lambda a: (-a.severity, a.rule_id not in ("k2_below_target", "k1_below_reference")),
    )
    first = ranked[0]
    if first.severity == Severity.INFO:
        first = next(
            (a for a in ranked if a.rule_id in ("k2_below_target", "k1_below_reference")), first
        )
    return {"rule_id": first.rule_id, "severity": first.severity.label, "change": first.message}


def advice_sources(items: Sequence[Advice]) -> dict[str, dict[str, str]]:
    """Citations of every source key the advice and its claims use."""
    keys: list[str] = []
    for a in items:
        keys.extend(a.source_keys)
        for c in a.claims:
            keys.extend(claim(c).source_keys)
    return cite(sorted(set(keys)))


def plan_json(plan: DietPlan) -> dict[str, Any]:
    """A plan: status, portions by day, totals by day, and the diagnosis when infeasible."""
    c = plan.constraints
    body: dict[str, Any] = {
        "status": plan.status.value,
        "message": plan.message,
        "objective": plan.objective.value,
        "backend": plan.backend,
        "candidate_foods": plan.n_candidates,
        "solve_seconds": round(plan.solve_seconds, 3),
        "constraints": {
            "days": c.days,
            "k2_form": c.k2_form,
            "k2_target_ug_per_day": c.k2_target_ug,
            "k1_min_ug_per_day": c.k1_min_ug,
            "calcium_min_mg_per_day": c.calcium_min_mg,
            "calcium_max_mg_per_day": c.calcium_max_mg,
            "pattern": c.pattern,
            "exclude_groups": sorted(c.exclude_groups),
            "exclude_foods": sorted(c.exclude_foods),
            "energy_min_kcal_per_day": c.energy_min_kcal,
            "energy_max_kcal_per_day": c.energy_max_kcal,
            "steady_k_range_ug": c.steady_k_range_ug,
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
                "calcium_mg": round(t["calcium"], 1),
                "energy_kcal": round(t["energy"], 1),
            }
            for d, t in enumerate(plan.day_totals)
        ],
        "objective_value": _round(plan.objective_value),
    }
    if plan.diagnosis is not None:
        dg = plan.diagnosis
        body["diagnosis"] = {
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


__all__ = [
    "SUGGESTION_FOODS",
    "advice_json",
    "advice_sources",
    "plan_json",
    "suggested_change",
    "suggestion_foods",
]
