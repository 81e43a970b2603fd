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
from k2lab.plan.report import plan_json  # re-exported: the plan's JSON lives with the planner

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


__all__ = [
    "SUGGESTION_FOODS",
    "advice_json",
    "advice_sources",
    "plan_json",
    "suggested_change",
    "suggestion_foods",
]
