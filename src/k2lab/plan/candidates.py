"""The foods a plan may choose: candidates, their unit portion and their limits.

Every candidate has one *unit portion* (its smallest household measure, or a generic
50 g step when it has none) and a per-day and per-week limit in grams from
``data/plan_limits.csv`` (by food key, else by category).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from k2lab.foods.build import read_data_csv
from k2lab.foods.database import Food, FoodDatabase, Portion, normalise
from k2lab.foods.nutrients import K2_VITAMERS, NUTRIENTS, VITAMERS, diet_allows
from k2lab.plan.model import GENERIC_STEP_G, WHOLE_DAY_REQUIRED, PlanConstraints, groups_of


@dataclass(frozen=True)
class Candidate:
    """A food the planner may choose, with its unit portion and content per portion."""

    key: str
    name: str
    diet: str
    category: str
    portion_name: str
    portion_g: float
    per_portion: dict[str, float]  # TRACKED nutrient -> amount in one portion
    max_per_day: int  # portions
    max_per_week: int  # portions
    price_per_portion: float | None
    groups: frozenset[str]


@cache
def _limits() -> dict[str, tuple[float, float | None]]:
    return {
        r["category"]: (
            float(r["max_g_per_day"]),
            float(r["max_g_per_week"]) if r["max_g_per_week"] else None,
        )
        for r in read_data_csv("plan_limits.csv")
    }


def _unit_portion(food: Food, current_g: float = 0.0) -> tuple[str, float]:
    """The smallest household measure; for a food of the current diet, the measure that
    expresses its current grams best (so an unchanged diet stays representable)."""
    portions = [p for p in food.portions if p.grams > 0]
    if current_g > 0:
        portions.append(Portion(f"{current_g:g} g (as now)", current_g, "", "", ""))
        p = min(
            portions,
            key=lambda p: (
                abs(current_g / p.grams - round(current_g / p.grams)) * p.grams,
                p.grams,
            ),
        )
        return p.name, p.grams
    if not portions:
        return f"{GENERIC_STEP_G:g} g", GENERIC_STEP_G
    p = min(portions, key=lambda p: p.grams)
    return p.name, p.grams


#: USDA survey (FNDDS) foods in these categories are mixed dishes and drinks as people
#: reported them: a whole-day plan is built from foods instead.
_SURVEY_DISH_CATEGORIES = frozenset({"other", "beverage"})


def _whole_day_candidate(food: Food) -> bool:
    """Has energy and macronutrients, and is not a survey mixed dish or drink."""
    if any(n not in food.nutrients for n in WHOLE_DAY_REQUIRED):
        return False
    survey = all(v.source_key == "usda_fdc_survey_fndds" for v in food.nutrients["energy"].values)
    return not (survey and food.category in _SURVEY_DISH_CATEGORIES)


def _has_vitamin_k(food: Food) -> bool:
    return any(v in food.nutrients for v in VITAMERS)


def candidate_foods(db: FoodDatabase, c: PlanConstraints) -> list[Candidate]:
    """The foods a plan may use, explicitly.

    ``c.candidates == 'portioned'`` (default): foods with vitamin K data (K1 or any
    menaquinone) and at least one household measure (≈ 250 foods). ``'all'``: every
    food with vitamin K data (≈ 6,000; those without a measure in 50 g steps). Then
    the diet pattern, excluded groups and foods, the never-planned ``not_retail``
    group and, in anticoagulated mode, the ``natto`` group are removed. Foods of the
    current diet are always candidates if the pattern and exclusions allow them.
    With the cost objective only foods with a price are kept.
    """
    excluded_keys = {db.resolve(name).key for name in c.exclude_foods}
    drop = set(c.exclude_groups) | {"not_retail"} | ({"natto"} if c.anticoagulated else set())
    current = {db.resolve(k).key: g for k, g in c.current_g_per_day.items()}
    foods = [db.get(key) for key in db.keys]
    # A curated food already carries its USDA twin's calcium and energy: plan it once.
    curated_names = {
        normalise(n)
        for f in foods
        if f.origin == "curated"
        for n in (f.name, f.usda_name or "")
        if n
    }
    out = []
    for food in foods:
        key = food.key
        if key not in current:
            if not _has_vitamin_k(food):
                continue
            if c.candidates == "portioned" and not food.portions:
                continue
            if c.whole_day and not _whole_day_candidate(food):
                continue
            if food.origin != "curated" and normalise(food.name) in curated_names:
                continue
        if not diet_allows(c.pattern, food.diet) or key in excluded_keys:
            continue
        groups = groups_of(food)
        # A food of the current diet stays a candidate even if it is never *added*.
        if groups & (drop - {"not_retail"} if key in current else drop):
            continue
        day_g, week_g = _limits().get(food.key) or _limits().get(
            food.category, _limits()["default"]
        )
        if c.max_g_per_food_day is not None:
            day_g = c.max_g_per_food_day
        if c.max_g_per_food_week is not None:
            week_g = c.max_g_per_food_week
        name, grams = _unit_portion(food, current.get(key, 0.0))
        if grams > day_g + 1e-9 and key not in current:
            # The smallest household measure is above the daily limit: use gram steps.
            grams = min(GENERIC_STEP_G, day_g)
            name = f"{grams:g} g"
        per_day = max(1, math.floor(day_g / grams + 1e-9))
        per_week = per_day * c.days if week_g is None else max(1, math.floor(week_g / grams + 1e-9))
        per = {n: food.per_100g(n) * grams / 100.0 for n in NUTRIENTS}
        per["K2"] = sum(per[v] for v in K2_VITAMERS)
        per["K"] = per["K2"] + per["K1"]
        price = c.prices_per_100g.get(key)
        if price is None and food.name in c.prices_per_100g:
            price = c.prices_per_100g[food.name]
        out.append(
            Candidate(
                key,
                food.name,
                food.diet,
                food.category,
                name,
                grams,
                per,
                per_day,
                min(per_week, per_day * c.days),
                None if price is None else price * grams / 100.0,
                groups,
            )
        )
    return out


__all__ = ["Candidate", "candidate_foods"]
