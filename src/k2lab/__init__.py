"""k2lab: vitamin K2 and the calcium paradox, with numbers and sources.

Example
-------
>>> import k2lab                                              # doctest: +SKIP
>>> db = k2lab.FoodDatabase.open()                            # doctest: +SKIP
>>> diet = k2lab.parse_toml_diet('[[day]]\\nfoods = ["1 tbsp natto"]', db)  # doctest: +SKIP
>>> round(k2lab.compute_intake(diet).mean["MK-7"].typical)   # doctest: +SKIP
104
"""

from __future__ import annotations

__version__ = "0.1.0"  # before the imports: build.py reads it

from k2lab.errors import (
    AmountError,
    DataError,
    DietFileError,
    K2LabError,
    UnitError,
    UnknownFoodError,
)
from k2lab.foods import Food, FoodDatabase, build_database
from k2lab.intake import (
    Diet,
    IntakeResult,
    Person,
    compare,
    compute_intake,
    cover,
    load_diet,
    parse_supplement,
    parse_target,
    parse_toml_diet,
    reference_intakes,
    to_grams,
)

__all__ = [
    "AmountError",
    "DataError",
    "Diet",
    "DietFileError",
    "Food",
    "FoodDatabase",
    "IntakeResult",
    "K2LabError",
    "Person",
    "UnitError",
    "UnknownFoodError",
    "__version__",
    "build_database",
    "compare",
    "compute_intake",
    "cover",
    "load_diet",
    "parse_supplement",
    "parse_target",
    "parse_toml_diet",
    "reference_intakes",
    "to_grams",
]
