"""The foods that close a vitamin K gap: what advice and the report suggest.

:func:`foods_to_close` is the only place that proposes foods for a gap: the advice
messages and the report's "to close it" list both call it, so they name the same foods.
A food is proposed only in an amount within the planner's daily limit for its category
(``data/plan_limits.csv``): no one is told to eat 2.5 kg of sauerkraut a day.

Example
-------
>>> foods_to_close(Target(90.0, "K2"), suggestion_foods(db), diet="vegan")  # doctest: +SKIP
(GapFood(food_key='natto', name='Natto', grams=8.6, ...), GapFood(food_key='sauerkraut', ...))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from k2lab import checks
from k2lab.errors import K2LabError
from k2lab.foods.build import read_data_csv
from k2lab.foods.database import Food, FoodDatabase
from k2lab.foods.nutrients import diet_allows
from k2lab.intake.cover import Target, cover
from k2lab.plan.model import groups_of

__all__ = [
    "SUGGESTION_FOODS",
    "GapFood",
    "daily_limit_g",
    "foods_to_close",
    "suggestion_foods",
]

#: Foods that may be suggested to close a gap: one K2-rich food of each kind (fermented
#: soy, hard cheese, egg, poultry, fermented vegetable), then leafy greens for K1. Each is
#: filtered by the person's diet and soy allergy.
SUGGESTION_FOODS = (
    "natto",
    "gouda",
    "egg_yolk",
    "chicken_leg_meat",
    "sauerkraut",
    "kale_raw",
    "spinach_raw",
    "broccoli_raw",
)


@dataclass(frozen=True)
class GapFood:
    """How much of one food closes a gap per day: grams (typical, and the range from the
    food's content range; ``inf`` when its low end has none) and its first portion."""

    food_key: str
    name: str
    grams: float
    grams_low: float
    grams_high: float
    portion: str | None
    portions: float | None


@cache
def _daily_limits_g() -> dict[str, float]:
    """Most grams of one food a day, by category (the planner's limits)."""
    return {r["category"]: float(r["max_g_per_day"]) for r in read_data_csv("plan_limits.csv")}


def daily_limit_g(food: Food) -> float:
    """Most grams of ``food`` k2lab proposes in a day (``plan_limits.csv``, by category)."""
    limits = _daily_limits_g()
    return limits.get(food.category, limits["default"])


def suggestion_foods(db: FoodDatabase) -> list[Food]:
    """The :data:`SUGGESTION_FOODS` that ``db`` has."""
    checks.instance(db, FoodDatabase, "db", what="a k2lab.FoodDatabase")
    keys = set(db.keys)
    return [db.get(k) for k in SUGGESTION_FOODS if k in keys]


def foods_to_close(
    gap: Target,
    foods: Sequence[Food],
    *,
    diet: str | None,
    soy_allergy: bool = False,
    limit: int = 3,
) -> tuple[GapFood, ...]:
    """The foods of ``foods`` that give ``gap`` (µg/day of one form) in the fewest grams,
    each within its :func:`daily_limit_g`.

    Parameters
    ----------
    gap : the missing amount and its form (``Target(83.7, "K2")``).
    foods : candidates, e.g. :func:`suggestion_foods`; ties keep this order.
    diet : the person's pattern (vegan ... omnivore); ``None`` allows every food.
    soy_allergy : leave out soy foods (natto).
    limit : at most this many foods.
    """
    found: list[GapFood] = []
    for food in foods:
        if diet is not None and not diet_allows(diet, food.diet):
            continue
        if soy_allergy and "soy" in groups_of(food):
            continue
        try:
            c = cover(food, gap)
        except K2LabError:  # none of the form in this food
            continue
        if c.grams_typical > daily_limit_g(food):
            continue
        first = c.portions[0] if c.portions else None
        found.append(
            GapFood(
                food.key,
                food.name,
                c.grams_typical,
                c.grams_low,
                c.grams_high,
                first[0] if first else None,
                first[1] if first else None,
            )
        )
    found.sort(key=lambda g: g.grams)
    return tuple(found[:limit])
