"""The nutrients k2lab tracks per 100 g of food, and the vitamer vocabulary.

Example
-------
>>> K2_VITAMERS[0], NUTRIENT_UNITS["calcium"]
('MK-4', 'mg')
"""

from __future__ import annotations

from typing import Final

#: Menaquinones (vitamin K2) by side-chain length. K2 is always their sum, never mixed with K1.
K2_VITAMERS: Final = ("MK-4", "MK-5", "MK-6", "MK-7", "MK-8", "MK-9", "MK-10")
VITAMERS: Final = ("K1", *K2_VITAMERS)
#: Everything stored per 100 g, with its unit per 100 g.
NUTRIENT_UNITS: Final[dict[str, str]] = {
    **dict.fromkeys(VITAMERS, "ug"),
    "calcium": "mg",
    "vitamin_d": "ug",
    "energy": "kcal",
}
NUTRIENTS: Final = tuple(NUTRIENT_UNITS)

#: Diet patterns, from most to least restrictive. A food tagged with a pattern is
#: allowed in that pattern and every later one.
DIET_PATTERNS: Final = ("vegan", "vegetarian", "pescatarian", "omnivore")

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
