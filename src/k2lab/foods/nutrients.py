"""The nutrients k2lab tracks per 100 g of food, and the vitamer vocabulary.

Example
-------
>>> K2_VITAMERS[0], NUTRIENT_UNITS["calcium"]
('MK-4', 'mg')
"""

from __future__ import annotations

from typing import Final

from k2lab.person import DIET_PATTERNS
from k2lab.vocab import K2_VITAMERS, VITAMERS

__all__ = [
    "DIET_PATTERNS",
    "K2_VITAMERS",
    "NUTRIENTS",
    "NUTRIENT_UNITS",
    "QUALITY_ORDER",
    "VITAMERS",
    "diet_allows",
    "field_name",
]
#: Everything stored per 100 g, with its unit per 100 g.
NUTRIENT_UNITS: Final[dict[str, str]] = {
    **dict.fromkeys(VITAMERS, "ug"),
    "calcium": "mg",
    "vitamin_d": "ug",
    "energy": "kcal",
    # Whole-day nutrients for the planner (USDA FoodData Central; see foods/usda.py).
    "protein": "g",
    "fat": "g",
    "carbohydrate": "g",
    "fibre": "g",
    "iron": "mg",
    "zinc": "mg",
    "magnesium": "mg",
    "potassium": "mg",
    "sodium": "mg",
    "vitamin_a": "ug",  # retinol activity equivalents (RAE)
    "vitamin_c": "mg",
    "folate": "ug",  # total folate (food folate + folic acid), not DFE
    "vitamin_b12": "ug",
}
NUTRIENTS: Final = tuple(NUTRIENT_UNITS)

#: Quality tiers of a value, best first. 'article' is the seed article's table.
QUALITY_ORDER: Final = ("primary", "secondary", "article", "tertiary")


def diet_allows(pattern: str, food_diet: str) -> bool:
    """True if a food tagged ``food_diet`` fits the diet ``pattern``.

    >>> diet_allows("vegetarian", "vegan"), diet_allows("vegan", "vegetarian")
    (True, False)
    """
    return DIET_PATTERNS.index(food_diet) <= DIET_PATTERNS.index(pattern)


def field_name(nutrient: str) -> str:
    """JSON/CSV field name with the unit in it: ``MK-7`` -> ``mk7_ug``."""
    return f"{nutrient.lower().replace('-', '')}_{NUTRIENT_UNITS[nutrient]}"
