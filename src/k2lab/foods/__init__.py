"""Foods: vitamin K by vitamer per 100 g, with sources, from curated data, the article and USDA."""

from k2lab.foods.build import build_database, default_database_path
from k2lab.foods.database import Food, FoodDatabase, NutrientSummary, Portion, SourcedValue
from k2lab.foods.nutrients import DIET_PATTERNS, K2_VITAMERS, NUTRIENTS, VITAMERS

__all__ = [
    "DIET_PATTERNS",
    "K2_VITAMERS",
    "NUTRIENTS",
    "VITAMERS",
    "Food",
    "FoodDatabase",
    "NutrientSummary",
    "Portion",
    "SourcedValue",
    "build_database",
    "default_database_path",
]
