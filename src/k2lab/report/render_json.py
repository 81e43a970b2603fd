"""JSON renderer: report values as plain dictionaries, units in the field names, rounded
for people (what ``--json`` prints).

Example
-------
>>> estimate_json(Estimate(1.234, 1.0, 1.5, "ug"))
{'typical': 1.23, 'low': 1.0, 'high': 1.5, 'unit': 'ug/day'}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from k2lab.advice import Advice, GapFood
from k2lab.data.citations import Citation
from k2lab.foods.database import Food
from k2lab.foods.nutrients import NUTRIENT_UNITS, field_name
from k2lab.intake.compute import Contribution, Estimate
from k2lab.report.values import AdviceReport, IntakeReport, Report

__all__ = [
    "advice_json",
    "citations_json",
    "estimate_json",
    "food_json",
    "intake_json",
    "report_json",
]

_TOTAL_NAMES = {
    "K2": "k2_total_ug_per_day",
    "K": "k_total_ug_per_day",
    "K_mk4_equivalent": "k_mk4_equivalent_ug_per_day",
}


def _name(n: str) -> str:
    """Field name of a nutrient or total per day: ``MK-7`` -> ``mk7_ug_per_day``."""
    return field_name(n) + "_per_day" if n in NUTRIENT_UNITS else _TOTAL_NAMES[n]


def _finite(x: float, digits: int) -> float | None:
    """Rounded, or ``None`` for an unbounded or undefined value (not JSON)."""
    return None if math.isinf(x) or math.isnan(x) else round(x, digits)


def estimate_json(e: Estimate) -> dict[str, float | str]:
    """``{"typical": .., "low": .., "high": .., "unit": ..}`` rounded for people."""
    return {
        "typical": round(e.typical, 2),
        "low": round(e.low, 2),
        "high": round(e.high, 2),
        "unit": f"{e.unit}/day",
    }


def citations_json(sources: Mapping[str, Citation]) -> dict[str, dict[str, str]]:
    """``{source_key: {"citation", "doi", "url"}}``."""
    return {k: {"citation": c.citation, "doi": c.doi, "url": c.url} for k, c in sources.items()}


def food_json(food: Food) -> dict[str, Any]:
    """A food with every nutrient summary and every sourced value."""
    return {
        "food_key": food.key,
        "name": food.name,
        "synonyms": list(food.synonyms),
        "category": food.category,
        "diet": food.diet,
        "diet_basis": food.diet_basis,
        "origin": food.origin,
        "usda_name": food.usda_name,
        "article_label": food.article_label,
        "main_k2_form": food.main_k2_form,
        "k2_total_ug_per_100g": round(food.k2_per_100g(), 2),
        "nutrients": {
            field_name(n) + "_per_100g": {
                "typical": s.typical,
                "low": s.low,
                "high": s.high,
                "evidence": s.evidence,
                "rule": s.rule,
                "values": [
                    {
                        "value": v.value,
                        "low": v.low,
                        "high": v.high,
                        "quality": v.quality,
                        "source_key": v.source_key,
                        "country": v.country,
                        "notes": v.notes,
                    }
                    for v in s.values
                ],
            }
            for n, s in food.nutrients.items()
        },
        "portions": [
            {"name": p.name, "grams": p.grams, "quality": p.quality, "source_key": p.source_key}
            for p in food.portions
        ],
    }


def _contribution(c: Contribution) -> dict[str, Any]:
    return {
        "food_key": c.food_key,
        "name": c.name,
        "grams_per_day": round(c.grams_per_day, 1),
        **{_name(n): round(v, 2) for n, v in c.amounts.items()},
    }


def intake_json(r: IntakeReport) -> dict[str, Any]:
    """What ``k2lab intake --json`` prints."""
    p = r.person
    return {
        "diet_file": r.diet_file,
        "person": {"age_years": p.age, "sex": p.sex, "stage": p.stage, "diet": p.diet},
        "days": r.days,
        "typical_day": r.typical_day,
        "mean": {_name(n): estimate_json(e) for n, e in r.mean.items()},
        "per_day": [
            {"day": d.label, **{_name(n): round(v, 2) for n, v in d.amounts.items()}}
            for d in r.per_day
        ],
        "contributions": [_contribution(c) for c in r.contributions],
        "portions": [
            {
                "day": u.day,
                "food_key": u.food_key,
                "amount": u.amount,
                "grams": round(u.grams, 2),
                "how": u.how,
            }
            for u in r.portions
        ],
        "supplements": {_name(n): v for n, v in r.supplements.items()},
        "foods_without_k2_data": list(r.foods_without_k2_data),
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
            for c in r.comparisons
        ],
        "k2_reference_note": r.k2_reference_note,
        "warnings": list(r.warnings),
        "source_keys": list(r.source_keys),
    }


def _gap_food(g: GapFood) -> dict[str, Any]:
    return {
        "food_key": g.food_key,
        "name": g.name,
        "grams": round(g.grams, 1),
        "grams_low": round(g.grams_low, 1),
        "grams_high": _finite(g.grams_high, 1),
        "portion": g.portion,
        "portions": None if g.portions is None else round(g.portions, 2),
    }


def _suggested_change(first: Advice | None) -> dict[str, Any]:
    if first is None:
        return {"rule_id": None, "severity": None, "change": "No change suggested."}
    return {"rule_id": first.rule_id, "severity": first.severity.label, "change": first.message}


def _advice_items(r: AdviceReport) -> list[dict[str, Any]]:
    return [
        {
            "rule_id": i.advice.rule_id,
            "severity": i.advice.severity.label,
            "message": i.advice.message,
            "numbers": i.advice.numbers,
            "evidence_grade": i.advice.evidence_grade,
            "source_keys": list(i.advice.source_keys),
            "claims": [
                {"claim_id": c.claim_id, "claim": c.claim, "grade": c.grade} for c in i.claims
            ],
        }
        for i in r.items
    ]


def advice_json(r: AdviceReport) -> dict[str, Any]:
    """What ``k2lab advise --json`` prints: advice, suggested change, sources, disclaimer."""
    return {
        "advice": _advice_items(r),
        "suggested_change": _suggested_change(r.first_change),
        "sources": citations_json(r.sources),
        "disclaimer": r.disclaimer,
    }


def report_json(r: Report) -> dict[str, Any]:
    """What ``k2lab report --json`` prints: the intake, then target, sources and advice."""
    t = r.target
    return {
        **intake_json(r.intake),
        "target": {
            "form": t.form,
            "target_ug_per_day": t.target_ug_per_day,
            "intake_ug_per_day": round(t.intake.typical, 2),
            "intake_low_ug_per_day": round(t.intake.low, 2),
            "intake_high_ug_per_day": round(t.intake.high, 2),
            "gap_ug_per_day": round(t.gap_ug_per_day, 2),
            "met": t.met,
            "chosen_by": t.chosen_by,
            "to_close_gap": [_gap_food(g) for g in t.to_close],
            "diet_pattern_for_suggestions": t.diet_pattern or "not given (all foods)",
        },
        "top_contributors": [_contribution(c) for c in r.top_contributors],
        "sources": citations_json(r.sources),
        "disclaimer": r.disclaimer,
        "advice": _advice_items(r.advice),
        "suggested_change": _suggested_change(r.advice.first_change),
        "advice_sources": citations_json(r.advice.sources),
    }
