"""The intake report as plain values: what `k2lab report` prints and `--json` returns.

Pure: it takes computed results and returns dictionaries with units in field names.
"""

from __future__ import annotations

from typing import Any

from k2lab.errors import K2LabError
from k2lab.foods.database import Food, FoodDatabase
from k2lab.foods.nutrients import (
    K2_VITAMERS,
    NUTRIENT_UNITS,
    diet_allows,
    field_name,
)
from k2lab.intake.compute import Estimate, IntakeResult
from k2lab.intake.cover import Target, cover
from k2lab.intake.reference import NO_K2_REFERENCE, compare

DISCLAIMER = (
    "k2lab informs; it does not diagnose or prescribe. Talk to a doctor or pharmacist before "
    "changing supplements, especially if you take a blood thinner."
)
#: Foods offered to close a K2 gap, in order; each is filtered by the person's diet.
GAP_FOODS = ("natto", "gouda", "egg_yolk", "munster", "brie", "chicken_leg_meat", "sauerkraut")
SHOWN = ("K1", *K2_VITAMERS, "K2", "K", "calcium", "vitamin_d")


def estimate_json(e: Estimate) -> dict[str, float | str]:
    """``{"typical": .., "low": .., "high": .., "unit": ..}`` rounded for people."""
    return {
        "typical": round(e.typical, 2),
        "low": round(e.low, 2),
        "high": round(e.high, 2),
        "unit": f"{e.unit}/day",
    }


def _name(n: str) -> str:
    if n in NUTRIENT_UNITS:
        return field_name(n) + "_per_day"
    return {
        "K2": "k2_total_ug_per_day",
        "K": "k_total_ug_per_day",
        "K_mk4_equivalent": "k_mk4_equivalent_ug_per_day",
    }[n]


def intake_json(result: IntakeResult) -> dict[str, Any]:
    """Intake values for JSON output."""
    person = result.diet.person
    return {
        "diet_file": result.diet.source,
        "person": {
            "age_years": person.age,
            "sex": person.sex,
            "stage": person.stage,
            "diet": person.diet,
        },
        "days": len(result.day_labels),
        "typical_day": result.diet.typical_day,
        "mean": {_name(n): estimate_json(e) for n, e in result.mean.items()},
        "per_day": [
            {
                "day": label,
                **{_name(n): round(float(arr[d, 0]), 2) for n, arr in result.per_day.items()},
            }
            for d, label in enumerate(result.day_labels)
        ],
        "contributions": [
            {
                "food_key": c.food_key,
                "name": c.name,
                "grams_per_day": round(c.grams_per_day, 1),
                **{_name(n): round(v, 2) for n, v in c.amounts.items()},
            }
            for c in result.contributions
        ],
        "portions": [
            {
                "day": day.label,
                "food_key": e.food.key,
                "amount": e.amount,
                "grams": round(e.grams.grams, 2),
                "how": e.grams.how,
            }
            for day in result.diet.days
            for e in day.foods
        ],
        "supplements": {_name(n): v for n, v in result.supplements.items()},
        "foods_without_k2_data": list(result.foods_without_k2_data),
        "comparisons": [
            {
                "authority": c.reference.authority,
                "year": c.reference.year,
                "nutrient": c.reference.nutrient,
                "kind": c.reference.kind,
                "reference_per_day": c.reference.value,
                "unit": c.reference.unit,
                "intake_per_day": round(c.intake, 2),
                "percent_of_reference": round(c.percent, 1),
                "status": c.status,
                "source_key": c.reference.source_key,
            }
            for c in compare(result, person)
        ],
        "k2_reference_note": NO_K2_REFERENCE,
        "warnings": list(result.diet.warnings),
        "source_keys": list(result.source_keys),
    }


def gap_suggestions(
    db: FoodDatabase, target: Target, gap_ug: float, diet: str | None
) -> list[dict[str, Any]]:
    """How much of a few K2-rich foods (allowed by ``diet``) would close ``gap_ug``."""
    out = []
    for key in GAP_FOODS:
        food: Food = db.get(key)
        if diet is not None and not diet_allows(diet, food.diet):
            continue
        try:
            c = cover(food, Target(gap_ug, target.form))
        except K2LabError:
            continue
        portion = c.portions[0] if c.portions else None
        out.append(
            {
                "food_key": food.key,
                "name": food.name,
                "grams": round(c.grams_typical, 1),
                "grams_low": round(c.grams_low, 1),
                "grams_high": round(c.grams_high, 1),
                "portion": portion[0] if portion else None,
                "portions": round(portion[1], 2) if portion else None,
            }
        )
    return out[:3]


def report_json(
    result: IntakeResult, db: FoodDatabase, target: Target, *, profile: Any = None
) -> dict[str, Any]:
    """The full report: intake, top contributors, gap to the K2 target, advice, sources.

    ``profile`` (a :class:`k2lab.advice.Profile`) adds medications and conditions to the
    advice; by default the diet's person, healthy, without medication.
    """
    body = intake_json(result)
    mean = result.mean[target.form] if target.form in result.mean else None
    if mean is None:
        raise K2LabError(f"No intake figure for '{target.form}'.")
    gap = max(0.0, target.amount_ug - mean.typical)
    diet = result.diet.person.diet
    body["target"] = {
        "form": target.form,
        "target_ug_per_day": target.amount_ug,
        "intake_ug_per_day": round(mean.typical, 2),
        "intake_low_ug_per_day": round(mean.low, 2),
        "intake_high_ug_per_day": round(mean.high, 2),
        "gap_ug_per_day": round(gap, 2),
        "met": gap == 0.0,
        "chosen_by": "user (no authority sets a K2 intake)",
        "to_close_gap": gap_suggestions(db, target, gap, diet) if gap > 0 else [],
        "diet_pattern_for_suggestions": diet or "not given (all foods)",
    }
    body["top_contributors"] = body["contributions"][:5]
    body["sources"] = db.sources(result.source_keys)
    body["disclaimer"] = DISCLAIMER
    body.update(advice_section(result, db, target, profile))
    return body


# --- Advice and a suggested change (issue 5) ----------------------------------------------


def advice_section(
    result: IntakeResult, db: FoodDatabase, target: Target, profile: Any = None
) -> dict[str, Any]:
    """``advice``, ``suggested_change`` and ``advice_sources`` for the report."""
    # Imported here: k2lab.advice imports DISCLAIMER from this module.
    from k2lab.advice import Profile, advise
    from k2lab.advice.report import (
        advice_json,
        advice_sources,
        suggested_change,
        suggestion_foods,
    )

    if profile is None:
        k2_form = target.form not in ("K1", "K")
        profile = Profile(
            result.diet.person,
            k2_target_ug=target.amount_ug if k2_form else 90.0,
            k2_target_form=target.form if k2_form else "K2",
        )
    items = advise(profile, result, suggestion_foods=suggestion_foods(db))
    return {
        "advice": advice_json(items),
        "suggested_change": suggested_change(items),
        "advice_sources": advice_sources(items),
    }


__all__ = [
    "DISCLAIMER",
    "SHOWN",
    "advice_section",
    "gap_suggestions",
    "intake_json",
    "report_json",
]
