"""Intake: diet files, household portions, supplements, intake by vitamer, references."""

from k2lab.intake.compute import Contribution, Estimate, IntakeResult, compute_intake
from k2lab.intake.cover import Cover, Target, cover, parse_target
from k2lab.intake.diet import (
    Day,
    Diet,
    FoodEntry,
    Person,
    load_diet,
    parse_csv_diary,
    parse_toml_diet,
)
from k2lab.intake.portions import Grams, to_grams
from k2lab.intake.reference import Comparison, ReferenceIntake, compare, reference_intakes
from k2lab.intake.supplements import Supplement, parse_supplement

__all__ = [
    "Comparison",
    "Contribution",
    "Cover",
    "Day",
    "Diet",
    "Estimate",
    "FoodEntry",
    "Grams",
    "IntakeResult",
    "Person",
    "ReferenceIntake",
    "Supplement",
    "Target",
    "compare",
    "compute_intake",
    "cover",
    "load_diet",
    "parse_csv_diary",
    "parse_supplement",
    "parse_target",
    "parse_toml_diet",
    "reference_intakes",
    "to_grams",
]
